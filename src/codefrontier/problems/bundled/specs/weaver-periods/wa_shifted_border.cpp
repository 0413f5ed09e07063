#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    string s;
    cin >> n >> s;
    vector<int> pi(n, 0);
    for (int k = 1, j = 0; k < n; k++) {
        while (j > 0 && s[j] != s[k]) j = pi[j - 1];
        if (s[j] == s[k]) j++;
        pi[k] = j;
    }
    long long total = 0;
    // bug: pi[k] describes the prefix of length k + 1, but it is used for the prefix of length k
    for (int len = 1; len <= n; len++) total += len - (len >= 2 ? pi[len - 2] : 0);
    printf("%lld\n", total);
    return 0;
}
