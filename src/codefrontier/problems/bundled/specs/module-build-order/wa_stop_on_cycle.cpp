#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, m, k;
    if (scanf("%d %d %d", &n, &m, &k) != 3) return 0;
    vector<vector<int>> after(n + 1);
    vector<int> waiting(n + 1, 0);
    for (int i = 0; i < m; i++) {
        int a, b;
        scanf("%d %d", &a, &b);
        after[a].push_back(b);
        waiting[b]++;
    }
    priority_queue<int, vector<int>, greater<int>> ready;
    for (int v = 1; v <= n; v++)
        if (waiting[v] == 0) ready.push(v);
    vector<int> built(1, 0);
    while (!ready.empty()) {
        int v = ready.top();
        ready.pop();
        built.push_back(v);
        for (int w : after[v])
            if (--waiting[w] == 0) ready.push(w);
    }
    // bug: with a cycle there is "no valid order", so it reports that nothing is ever built
    if ((int)built.size() - 1 < n) built.assign(1, 0);
    int last = (int)built.size() - 1;
    for (int j = 0; j < k; j++) {
        int t;
        scanf("%d", &t);
        printf("%d%c", t <= last ? built[t] : 0, j + 1 == k ? '\n' : ' ');
    }
    return 0;
}
