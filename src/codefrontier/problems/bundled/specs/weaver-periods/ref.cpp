#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    static char buf[300005];
    if (scanf("%d %300000s", &n, buf) != 2) return 0;
    vector<int> pi(n, 0);
    long long total = 1;
    int j = 0;
    for (int k = 1; k < n; k++) {
        while (j > 0 && buf[j] != buf[k]) j = pi[j - 1];
        if (buf[j] == buf[k]) j++;
        pi[k] = j;
        total += (k + 1) - j;
    }
    printf("%lld\n", total);
    return 0;
}
