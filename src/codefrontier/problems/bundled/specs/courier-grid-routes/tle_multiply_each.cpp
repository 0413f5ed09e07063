#include <bits/stdc++.h>
using namespace std;

const long long MOD = 1000000007LL;

long long power(long long b, long long e) {
    long long r = 1;
    while (e > 0) {
        if (e & 1) r = r * b % MOD;
        b = b * b % MOD;
        e >>= 1;
    }
    return r;
}

int main() {
    int q;
    if (scanf("%d", &q) != 1) return 0;
    for (int k = 0; k < q; k++) {
        long long x, y;
        scanf("%lld %lld", &x, &y);
        long long num = 1, den = 1;
        for (long long i = 1; i <= y; i++) {
            num = num * ((x + i) % MOD) % MOD;
            den = den * i % MOD;
        }
        printf("%lld\n", num * power(den, MOD - 2) % MOD);
    }
    return 0;
}
