#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<double> p(n + 2, 0.0);  // unlit sentinels at both ends
    for (int i = 1; i <= n; i++) {
        int c;
        scanf("%d", &c);
        p[i] = c / 100.0;
    }
    double glow = 0.0;
    for (int left = 1; left <= n; left++) {
        double lit = 1.0;  // probability that bulbs left..right are all lit
        for (int right = left; right <= n; right++) {
            lit *= p[right];
            // bulbs left..right form a maximal run: both neighbours are unlit
            double length = right - left + 1;
            glow += (1 - p[left - 1]) * lit * (1 - p[right + 1]) * length * length;
        }
    }
    printf("%.6f\n", glow);
    return 0;
}
