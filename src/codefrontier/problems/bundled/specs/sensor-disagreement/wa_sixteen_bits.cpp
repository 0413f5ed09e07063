#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<int> a(n);
    for (auto& x : a) scanf("%d", &x);
    long long total = 0;
    // bug: treats the status words as 16-bit numbers
    for (int b = 0; b < 16; b++) {
        long long ones = 0;
        for (int x : a) ones += (x >> b) & 1;
        total += ones * (n - ones);
    }
    printf("%lld\n", total);
    return 0;
}
