#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    long long low, high;
    if (scanf("%d %lld %lld", &n, &low, &high) != 3) return 0;
    vector<long long> s(n);
    for (auto &x : s) scanf("%lld", &x);
    long long count = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (low <= s[i] + s[j] && s[i] + s[j] <= high) count++;
    printf("%lld\n", count);
    return 0;
}
