#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, m;
    if (scanf("%d %d", &n, &m) != 2) return 0;
    // An n x n table of footbridge counts (capped at 2): simple, and n*n bytes of memory.
    vector<vector<unsigned char>> count(n + 1, vector<unsigned char>(n + 1, 0));
    vector<pair<int, int>> edges(m);
    for (auto &[u, v] : edges) {
        scanf("%d %d", &u, &v);
        if (count[u][v] < 2) count[u][v]++, count[v][u]++;
    }
    vector<int> order(n + 1, 0), low(n + 1, 0), parent(n + 1, 0), next(n + 1, 1);
    set<pair<int, int>> critical;
    int clock = 0;
    for (int root = 1; root <= n; root++) {
        if (order[root]) continue;
        order[root] = low[root] = ++clock;
        vector<int> stack{root};
        while (!stack.empty()) {
            int v = stack.back();
            int &w = next[v];
            while (w <= n && count[v][w] == 0) w++;
            if (w <= n) {
                int x = w++;
                if (x == parent[v] && count[v][x] < 2) continue;  // the footbridge we came over
                if (order[x]) {
                    low[v] = min(low[v], order[x]);
                } else {
                    parent[x] = v;
                    order[x] = low[x] = ++clock;
                    stack.push_back(x);
                }
            } else {
                stack.pop_back();
                if (!stack.empty()) {
                    int p = stack.back();
                    low[p] = min(low[p], low[v]);
                    if (low[v] > order[p]) critical.insert({min(p, v), max(p, v)});
                }
            }
        }
    }
    long long total = 0;
    for (int i = 0; i < m; i++)
        if (critical.count({min(edges[i].first, edges[i].second), max(edges[i].first, edges[i].second)}))
            total += i + 1;
    printf("%zu %lld\n", critical.size(), total);
    return 0;
}
