#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n, m;
    cin >> n >> m;
    vector<vector<pair<int, int>>> adj(n + 1);
    for (int i = 1; i <= m; i++) {
        int u, v;
        cin >> u >> v;
        adj[u].push_back({v, i});
        adj[v].push_back({u, i});
    }
    vector<int> order(n + 1, 0), low(n + 1, 0);
    long long count = 0, total = 0;
    int clock = 0;
    struct Frame {
        int v, via;
        size_t k;
    };
    vector<Frame> stack;
    for (int root = 1; root <= n; root++) {
        if (order[root]) continue;
        order[root] = low[root] = ++clock;
        stack.push_back({root, 0, 0});
        while (!stack.empty()) {
            Frame &f = stack.back();
            if (f.k < adj[f.v].size()) {
                auto [w, edge] = adj[f.v][f.k++];
                if (edge == f.via) continue;
                if (order[w]) {
                    low[f.v] = min(low[f.v], order[w]);
                } else {
                    order[w] = low[w] = ++clock;
                    stack.push_back({w, edge, 0});
                }
            } else {
                int v = f.v, via = f.via;
                stack.pop_back();
                if (!stack.empty()) {
                    int parent = stack.back().v;
                    low[parent] = min(low[parent], low[v]);
                    if (low[v] > order[parent]) {
                        count++;
                        total += via;
                    }
                }
            }
        }
    }
    cout << count << " " << total << "\n";
    return 0;
}
