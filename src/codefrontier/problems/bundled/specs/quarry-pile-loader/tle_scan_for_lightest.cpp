#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<long long> piles(n);
    for (auto &w : piles) scanf("%lld", &w);
    long long fuel = 0;
    while (piles.size() > 1) {
        // find the two lightest piles by scanning them all
        size_t a = 0, b = 1;
        if (piles[b] < piles[a]) swap(a, b);
        for (size_t i = 2; i < piles.size(); i++) {
            if (piles[i] < piles[a]) {
                b = a;
                a = i;
            } else if (piles[i] < piles[b]) {
                b = i;
            }
        }
        long long merged = piles[a] + piles[b];
        fuel += merged;
        piles[a] = merged;
        piles[b] = piles.back();
        piles.pop_back();
    }
    printf("%lld\n", fuel);
    return 0;
}
