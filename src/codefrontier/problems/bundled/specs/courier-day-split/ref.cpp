#include <bits/stdc++.h>
using namespace std;

int daysNeeded(const vector<long long> &w, long long cap) {
    int days = 1;
    long long load = 0;
    for (long long x : w) {
        if (load + x > cap) {
            days++;
            load = x;
        } else {
            load += x;
        }
    }
    return days;
}

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
    while (lo < hi) {
        long long mid = (lo + hi) / 2;
        if (daysNeeded(w, mid) <= k) hi = mid;
        else lo = mid + 1;
    }
    cout << lo << "\n";
    return 0;
}
