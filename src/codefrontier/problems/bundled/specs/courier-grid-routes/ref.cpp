#include <bits/stdc++.h>
using namespace std;

const long long MOD = 1000000007LL;

long long power(long long b, long long e) {
    long long r = 1;
    b %= MOD;
    while (e > 0) {
        if (e & 1) r = r * b % MOD;
        b = b * b % MOD;
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
    vector<long long> fact(n + 1), inv(n + 1);
    fact[0] = 1;
    for (int i = 1; i <= n; i++) fact[i] = fact[i - 1] * i % MOD;
    inv[n] = power(fact[n], MOD - 2);
    for (int i = n; i > 0; i--) inv[i - 1] = inv[i] * i % MOD;
    string out;
    for (int i = 0; i < q; i++) {
        long long v = fact[x[i] + y[i]] * inv[x[i]] % MOD * inv[y[i]] % MOD;
        out += to_string(v);
        out += '\n';
    }
    cout << out;
    return 0;
}
