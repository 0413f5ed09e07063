#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<pair<long long, long long>> towers(n);  // (right end, left end)
    for (int i = 1; i <= n; i++) {
        long long r;
        scanf("%lld", &r);
        towers[i - 1] = {i + r, i - r};
    }
    sort(towers.begin(), towers.end());
    // best[i]: most towers among the first i (by right end) whose last choice is tower i
    vector<int> best(n);
    int answer = 0;
    for (int i = 0; i < n; i++) {
        int before = 0;
        for (int j = 0; j < i; j++)
            if (towers[j].first < towers[i].second && best[j] > before) before = best[j];
        best[i] = before + 1;
        answer = max(answer, best[i]);
    }
    printf("%d\n", answer);
    return 0;
}
