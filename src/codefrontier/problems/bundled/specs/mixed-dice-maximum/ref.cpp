#include <bits/stdc++.h>
using namespace std;

int main() {
    int m;
    if (scanf("%d", &m) != 1) return 0;
    vector<int> f(m);
    for (auto& x : f) scanf("%d", &x);
    sort(f.begin(), f.end());
    vector<double> tail(m + 1, 0.0);
    for (int i = m - 1; i >= 0; i--) tail[i] = tail[i + 1] + log((double)f[i]);
    double expected = 1.0;
    int i = 0;
    for (int x = 2; x <= f[m - 1]; x++) {
        while (f[i] < x) i++;
        expected -= expm1((double)(m - i) * log((double)(x - 1)) - tail[i]);
    }
    printf("%.9f\n", expected);
    return 0;
}
