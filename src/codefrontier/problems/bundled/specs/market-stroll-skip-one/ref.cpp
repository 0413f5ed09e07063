#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    vector<long long> a(n);
    for (auto &x : a) cin >> x;
    long long keep = a[0], skipped = LLONG_MIN / 2, best = a[0];
    for (int i = 1; i < n; i++) {
        skipped = max(keep, skipped + a[i]);
        keep = max(a[i], keep + a[i]);
        best = max({best, keep, skipped});
    }
    cout << best << "\n";
    return 0;
}
