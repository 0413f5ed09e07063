#include <bits/stdc++.h>
using namespace std;

vector<long long> prefix;

long long cost(int i, int j) {
    // try every last fusion, solving both sides again from scratch every time
    if (i == j) return 0;
    long long best = LLONG_MAX;
    for (int k = i; k < j; k++) best = min(best, cost(i, k) + cost(k + 1, j));
    return best + prefix[j + 1] - prefix[i];
}

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    prefix.assign(n + 1, 0);
    for (int i = 0; i < n; i++) {
        long long m;
        scanf("%lld", &m);
        prefix[i + 1] = prefix[i] + m;
    }
    printf("%lld\n", cost(0, n - 1));
    return 0;
}
