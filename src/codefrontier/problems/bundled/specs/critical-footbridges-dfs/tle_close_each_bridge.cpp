#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, m;
    if (scanf("%d %d", &n, &m) != 2) return 0;
    vector<pair<int, int>> edges(m);
    vector<vector<pair<int, int>>> adj(n + 1);
    for (int i = 0; i < m; i++) {
        scanf("%d %d", &edges[i].first, &edges[i].second);
        adj[edges[i].first].push_back({edges[i].second, i});
        adj[edges[i].second].push_back({edges[i].first, i});
    }
    long long count = 0, total = 0;
    vector<char> seen(n + 1);
    vector<int> queue;
    for (int closed = 0; closed < m; closed++) {
        // close this footbridge and search for another way from u to v
        auto [u, v] = edges[closed];
        fill(seen.begin(), seen.end(), 0);
        queue.assign(1, u);
        seen[u] = 1;
        for (size_t head = 0; head < queue.size() && !seen[v]; head++) {
            int x = queue[head];
            for (auto [y, edge] : adj[x])
                if (edge != closed && !seen[y]) {
                    seen[y] = 1;
                    queue.push_back(y);
                }
        }
        if (!seen[v]) {
            count++;
            total += closed + 1;
        }
    }
    printf("%lld %lld\n", count, total);
    return 0;
}
