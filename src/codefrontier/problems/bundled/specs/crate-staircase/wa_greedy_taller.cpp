#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    // bug: greedily keeps every crate taller than the last kept one
    int kept = 0;
    long long last = LLONG_MIN;
    for (int i = 0; i < n; i++) {
        long long h;
        scanf("%lld", &h);
        if (h > last) {
            kept++;
            last = h;
        }
    }
    printf("%d\n", kept);
    return 0;
}
