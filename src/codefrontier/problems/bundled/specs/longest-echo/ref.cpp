#include <bits/stdc++.h>
using namespace std;
typedef unsigned long long u64;
typedef __uint128_t u128;

const u64 MOD = (1ULL << 61) - 1;
const u64 BASE = 1000003ULL;

static inline u64 mulmod(u64 a, u64 b) {
    u128 p = (u128)a * b;
    u64 r = (u64)(p & MOD) + (u64)(p >> 61);
    if (r >= MOD) r -= MOD;
    return r;
}

int main() {
    int n;
    string s;
    cin >> n >> s;
    vector<u64> h(n + 1, 0), pw(n + 1, 1);
    for (int i = 0; i < n; i++) {
        u64 v = mulmod(h[i], BASE) + (u64)(unsigned char)s[i];
        h[i + 1] = v >= MOD ? v - MOD : v;
        pw[i + 1] = mulmod(pw[i], BASE);
    }
    vector<u64> buf(n + 1);
    auto repeats = [&](int len) {
        int cnt = n - len + 1;
        for (int i = 0; i < cnt; i++) {
            u64 sub = mulmod(h[i], pw[len]);
            u64 v = h[i + len] + MOD - sub;
            buf[i] = v >= MOD ? v - MOD : v;
        }
        sort(buf.begin(), buf.begin() + cnt);
        for (int i = 1; i < cnt; i++)
            if (buf[i] == buf[i - 1]) return true;
        return false;
    };
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (repeats(mid)) lo = mid;
        else hi = mid - 1;
    }
    printf("%d\n", lo);
    return 0;
}
