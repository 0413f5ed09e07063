#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    long long k;
    cin >> n >> k;
    vector<long long> prefix(n + 1, 0);
    for (int i = 1; i <= n; i++) {
        long long a;
        cin >> a;
        prefix[i] = prefix[i - 1] + a;
    }
    // Count pairs i < j with prefix[j] - prefix[i] = k.
    unordered_map<long long, int> seen;
    seen.reserve(2 * n + 2);
    long long count = 0;
    for (int j = 0; j <= n; j++) {
        auto it = seen.find(prefix[j] - k);
        if (it != seen.end()) count += it->second;
        seen[prefix[j]]++;
    }
    cout << count << "\n";
    return 0;
}
