#include <bits/stdc++.h>
using namespace std;
typedef long long ll;

const int BITS = 20;
const ll LOW = (1LL << BITS) - 1;

int main() {
    int n, q;
    if (scanf("%d %d", &n, &q) != 2) return 0;
    int size = 1;
    while (size < n) size *= 2;
    vector<ll> tree(2 * size, -1);
    for (int i = 0; i < n; i++) tree[size + i] = LOW - i;
    for (int i = size - 1; i >= 1; i--) tree[i] = max(tree[2 * i], tree[2 * i + 1]);
    string out;
    for (int k = 0; k < q; k++) {
        int t;
        ll a, b;
        scanf("%d %lld %lld", &t, &a, &b);
        if (t == 1) {
            int i = size + (int)a - 1;
            tree[i] = (b << BITS) | (LOW - (a - 1));
            for (i >>= 1; i >= 1; i >>= 1) tree[i] = max(tree[2 * i], tree[2 * i + 1]);
        } else {
            ll best = -1;
            int l = size + (int)a - 1, r = size + (int)b;
            while (l < r) {
                if (l & 1) best = max(best, tree[l++]);
                if (r & 1) best = max(best, tree[--r]);
                l >>= 1;
                r >>= 1;
            }
            out += to_string(best >> BITS) + " " + to_string(LOW - (best & LOW) + 1) + "\n";
        }
    }
    fputs(out.c_str(), stdout);
    return 0;
}
