#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<long long> h(n);
    for (auto& x : h) scanf("%lld", &x);
    long long best = 0;
    for (int l = 0; l < n; l++) {
        long long low = h[l];
        for (int r = l; r < n; r++) {
            low = min(low, h[r]);
            best = max(best, low * (r - l + 1));
        }
    }
    printf("%lld\n", best);
    return 0;
}
