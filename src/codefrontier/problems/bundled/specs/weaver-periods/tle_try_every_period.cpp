#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    string s;
    cin >> n >> s;
    long long total = 0;
    for (int k = 1; k <= n; k++) {
        for (int p = 1; p <= k; p++) {
            bool ok = true;
            for (int i = p; i < k; i++)
                if (s[i] != s[i - p]) { ok = false; break; }
            if (ok) { total += p; break; }
        }
    }
    printf("%lld\n", total);
    return 0;
}
