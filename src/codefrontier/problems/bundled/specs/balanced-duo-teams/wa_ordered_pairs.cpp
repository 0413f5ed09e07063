#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    long long low, high;
    cin >> n >> low >> high;
    vector<long long> s(n);
    for (auto &x : s) cin >> x;
    sort(s.begin(), s.end());
    // bug: for every member, counts partners by binary search over the whole array,
    // including the member itself and counting each pair twice, then halves the total
    long long count = 0;
    for (int i = 0; i < n; i++) {
        auto from = lower_bound(s.begin(), s.end(), low - s[i]);
        auto to = upper_bound(s.begin(), s.end(), high - s[i]);
        if (to > from) count += to - from;
    }
    cout << count / 2 << "\n";
    return 0;
}
