#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<long long> a(n);
    for (auto &x : a) scanf("%lld", &x);
    for (int left = 0; left < n; left++) {
        long long total = 0;
        for (int right = left; right < n; right++) {
            total += a[right];
            if (total % n == 0) {
                printf("%d %d\n", left + 1, right + 1);
                return 0;
            }
        }
    }
    return 0;
}
