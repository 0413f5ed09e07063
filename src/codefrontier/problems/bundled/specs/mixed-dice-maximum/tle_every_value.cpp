#include <bits/stdc++.h>
using namespace std;

int main() {
    int m;
    if (scanf("%d", &m) != 1) return 0;
    vector<int> f(m);
    for (auto& x : f) scanf("%d", &x);
    int top = *max_element(f.begin(), f.end());
    double expected = 0.0;
    for (int x = 1; x <= top; x++) {
        double below = 1.0;
        for (int faces : f) below *= (double)min(x - 1, faces) / faces;
        expected += 1.0 - below;
    }
    printf("%.9f\n", expected);
    return 0;
}
