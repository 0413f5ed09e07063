#include <bits/stdc++.h>
using namespace std;

const int MOD = 1000000007;

int power(int b, int e) {
    int r = 1;
    while (e > 0) {
        if (e & 1) r = (long long)r * b % MOD;
        b = (long long)b * b % MOD;
        e >>= 1;
    }
    return r;
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int q;
    cin >> q;
    vector<int> x(q), y(q);
    int n = 0;
    for (int i = 0; i < q; i++) {
        cin >> x[i] >> y[i];
        n = max(n, x[i] + y[i]);
    }
    vector<int> fact(n + 1), inv(n + 1);
    fact[0] = 1;
    // bug: the product of two ints below 10^9+7 overflows 32 bits before the reduction
    for (int i = 1; i <= n; i++) fact[i] = (unsigned)fact[i - 1] * (unsigned)i % MOD;
    inv[n] = power(fact[n], MOD - 2);
    for (int i = n; i > 0; i--) inv[i - 1] = (unsigned)inv[i] * (unsigned)i % MOD;
    for (int i = 0; i < q; i++) {
        long long v = (long long)fact[x[i] + y[i]] * inv[x[i]] % MOD * inv[y[i]] % MOD;
        cout << v << '\n';
    }
    return 0;
}
