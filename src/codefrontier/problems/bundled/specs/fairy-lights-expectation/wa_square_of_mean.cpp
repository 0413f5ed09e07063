#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<double> p(n + 1, 0.0);
    for (int i = 0; i < n; i++) {
        int c;
        scanf("%d", &c);
        p[i] = c / 100.0;
    }
    // bug: squares the expected length of the run ending at i instead of taking the
    // expected square (E[L]^2 != E[L^2])
    double run = 0.0, glow = 0.0;
    for (int i = 0; i < n; i++) {
        run = p[i] * (run + 1);
        double ends = 1 - p[i + 1];  // the run ending at i is maximal when bulb i+1 is unlit
        if (p[i] > 0) {
            double meanLength = run / p[i];
            glow += p[i] * ends * meanLength * meanLength;
        }
    }
    printf("%.6f\n", glow);
    return 0;
}
