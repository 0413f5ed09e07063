#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, m;
    if (scanf("%d %d", &n, &m) != 2) return 0;
    const int INF = INT_MAX;
    // an n x n table of the cheapest offer between every two islands
    vector<vector<int>> price(n + 1, vector<int>(n + 1, INF));
    for (int j = 0; j < m; j++) {
        int u, v, c;
        scanf("%d %d %d", &u, &v, &c);
        if (c < price[u][v]) price[u][v] = price[v][u] = c;
    }
    vector<long long> dist(n + 1, LLONG_MAX);
    vector<char> inside(n + 1, 0);
    long long total = 0;
    int networks = 0;
    for (int step = 0; step < n; step++) {
        long long best = LLONG_MAX;
        int pick = -1;
        for (int v = 1; v <= n; v++)
            if (!inside[v] && (pick == -1 || dist[v] < best)) best = dist[v], pick = v;
        if (best == LLONG_MAX) networks++;
        else total += best;
        inside[pick] = 1;
        for (int w = 1; w <= n; w++)
            if (!inside[w] && price[pick][w] != INF && price[pick][w] < dist[w]) dist[w] = price[pick][w];
    }
    printf("%lld %d\n", total, networks);
    return 0;
}
