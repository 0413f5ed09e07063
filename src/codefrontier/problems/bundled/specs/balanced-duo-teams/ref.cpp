#include <bits/stdc++.h>
using namespace std;

// Pairs i < j with s[i] + s[j] <= limit, by two pointers on sorted s.
long long pairsAtMost(const vector<int> &s, long long limit) {
    long long count = 0;
    int lo = 0, hi = (int)s.size() - 1;
    while (lo < hi) {
        if ((long long)s[lo] + s[hi] <= limit) {
            count += hi - lo;
            lo++;
        } else {
            hi--;
        }
    }
    return count;
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    long long low, high;
    cin >> n >> low >> high;
    vector<int> s(n);
    for (auto &x : s) cin >> x;
    sort(s.begin(), s.end());
    cout << pairsAtMost(s, high) - pairsAtMost(s, low - 1) << "\n";
    return 0;
}
