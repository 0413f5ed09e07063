#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, q;
    if (scanf("%d %d", &n, &q) != 2) return 0;
    vector<long long> level(n + 1, 0);
    for (int k = 0; k < q; k++) {
        int t;
        long long a, b;
        scanf("%d %lld %lld", &t, &a, &b);
        if (t == 1) {
            level[a] = b;
        } else {
            long long best = -1, where = -1;
            for (long long i = a; i <= b; i++)
                if (level[i] > best) best = level[i], where = i;
            printf("%lld %lld\n", best, where);
        }
    }
    return 0;
}
