#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<long long> a(n);
    for (auto &x : a) scanf("%lld", &x);
    long long best = a[0];
    for (int left = 0; left < n; left++) {
        long long total = 0, lowest = a[left];
        for (int right = left; right < n; right++) {
            total += a[right];
            lowest = min(lowest, a[right]);
            // skipping the lowest stall helps only if it is negative and another stall counts
            long long value = (right > left && lowest < 0) ? total - lowest : total;
            best = max(best, value);
        }
    }
    printf("%lld\n", best);
    return 0;
}
