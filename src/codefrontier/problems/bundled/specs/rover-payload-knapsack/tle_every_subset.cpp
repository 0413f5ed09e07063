#include <bits/stdc++.h>
using namespace std;

int n;
vector<long long> w, v;

long long best(int i, long long room) {
    // try leaving and packing instrument i, for every instrument: every subset that fits
    if (i == n) return 0;
    long long without = best(i + 1, room);
    if (w[i] <= room) return max(without, v[i] + best(i + 1, room - w[i]));
    return without;
}

int main() {
    long long cap;
    if (scanf("%d %lld", &n, &cap) != 2) return 0;
    w.resize(n);
    v.resize(n);
    for (int i = 0; i < n; i++) scanf("%lld %lld", &w[i], &v[i]);
    printf("%lld\n", best(0, cap));
    return 0;
}
