#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    // n + 1 prefix sums but only n remainders: two share one (pigeonhole).
    vector<int> firstSeen(n, -1);
    firstSeen[0] = 0;
    long long prefix = 0;
    for (int j = 1; j <= n; j++) {
        long long a;
        cin >> a;
        prefix = (prefix + a) % n;
        if (firstSeen[prefix] >= 0) {
            cout << firstSeen[prefix] + 1 << " " << j << "\n";
            return 0;
        }
        firstSeen[prefix] = j;
    }
    return 0;
}
