#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    // Bulb i, lit, adds 2 * (lit run ending just before it) + 1; use linearity of expectation.
    double run = 0.0, glow = 0.0;
    for (int i = 0; i < n; i++) {
        int c;
        scanf("%d", &c);
        double p = c / 100.0;
        glow += p * (2 * run + 1);
        run = p * (run + 1);
    }
    printf("%.6f\n", glow);
    return 0;
}
