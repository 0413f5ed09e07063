#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<int> h(n), best(n, 1);
    for (auto& x : h) scanf("%d", &x);
    int answer = 0;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++)
            if (h[j] < h[i] && best[j] + 1 > best[i]) best[i] = best[j] + 1;
        answer = max(answer, best[i]);
    }
    printf("%d\n", answer);
    return 0;
}
