#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, m;
    if (scanf("%d %d", &n, &m) != 2) return 0;
    vector<vector<pair<int, int>>> adj(n + 1);
    for (int j = 0; j < m; j++) {
        int u, v, c;
        scanf("%d %d %d", &u, &v, &c);
        adj[u].push_back({v, c});
        adj[v].push_back({u, c});
    }
    const long long INF = LLONG_MAX;
    vector<long long> dist(n + 1, INF);
    vector<char> inside(n + 1, 0);
    long long total = 0;
    int networks = 0;
    for (int step = 0; step < n; step++) {
        long long best = INF;
        int pick = -1;
        for (int v = 1; v <= n; v++)
            if (!inside[v] && (pick == -1 || dist[v] < best)) best = dist[v], pick = v;
        if (best == INF) networks++;
        else total += best;
        inside[pick] = 1;
        for (auto [w, c] : adj[pick])
            if (!inside[w] && c < dist[w]) dist[w] = c;
    }
    printf("%lld %d\n", total, networks);
    return 0;
}
