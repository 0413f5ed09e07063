#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, k;
    if (scanf("%d %d", &n, &k) != 2) return 0;
    vector<long long> w(n);
    long long cap = 0;
    for (auto &x : w) {
        scanf("%lld", &x);
        cap = max(cap, x);
    }
    for (;; cap++) {  // try every cap from the heaviest parcel upwards
        int days = 1;
        long long load = 0;
        for (long long x : w) {
            if (load + x > cap) {
                days++;
                load = x;
            } else {
                load += x;
            }
        }
        if (days <= k) break;
    }
    printf("%lld\n", cap);
    return 0;
}
