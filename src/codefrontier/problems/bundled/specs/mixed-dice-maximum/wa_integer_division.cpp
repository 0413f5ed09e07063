#include <bits/stdc++.h>
using namespace std;

int main() {
    int m;
    if (scanf("%d", &m) != 1) return 0;
    vector<int> f(m);
    for (auto& x : f) scanf("%d", &x);
    sort(f.begin(), f.end());
    int top = f[m - 1];
    double expected = 0.0;
    for (int x = 1; x <= top; x++) {
        double below = 1.0;
        for (int i = m - 1; i >= 0 && f[i] >= x; i--)
            below *= (x - 1) / f[i];  // bug: integer division, almost always 0
        expected += 1.0 - below;
    }
    printf("%.9f\n", expected);
    return 0;
}
