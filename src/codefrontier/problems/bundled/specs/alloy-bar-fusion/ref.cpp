#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    vector<long long> prefix(n + 1, 0);
    for (int i = 0; i < n; i++) {
        long long m;
        cin >> m;
        prefix[i + 1] = prefix[i] + m;
    }
    // cost[i][j]: least energy to fuse bars i..j into one.
    vector<vector<long long>> cost(n, vector<long long>(n, 0));
    for (int length = 2; length <= n; length++)
        for (int i = 0; i + length - 1 < n; i++) {
            int j = i + length - 1;
            long long best = LLONG_MAX;
            for (int k = i; k < j; k++) best = min(best, cost[i][k] + cost[k + 1][j]);
            cost[i][j] = best + prefix[j + 1] - prefix[i];
        }
    cout << cost[0][n - 1] << "\n";
    return 0;
}
