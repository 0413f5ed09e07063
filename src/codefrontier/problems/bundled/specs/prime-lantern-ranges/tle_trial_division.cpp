#include <bits/stdc++.h>
using namespace std;

static bool is_prime(long long x) {
    if (x < 2) return false;
    for (long long d = 2; d * d <= x; d++)
        if (x % d == 0) return false;
    return true;
}

int main() {
    int q;
    if (scanf("%d", &q) != 1) return 0;
    for (int k = 0; k < q; k++) {
        long long l, r;
        scanf("%lld %lld", &l, &r);
        long long c = 0, s = 0;
        for (long long x = l; x <= r; x++)
            if (is_prime(x)) c++, s += x;
        printf("%lld %lld\n", c, s);
    }
    return 0;
}
