#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<vector<int>> adj(n + 1);
    for (int i = 2; i <= n; i++) {
        int p;
        scanf("%d", &p);
        adj[i].push_back(p);
        adj[p].push_back(i);
    }
    // the full table of distances between every two clearings
    vector<vector<int>> dist(n + 1, vector<int>(n + 1, -1));
    for (int s = 1; s <= n; s++) {
        vector<int> queue(1, s);
        dist[s][s] = 0;
        for (size_t head = 0; head < queue.size(); head++) {
            int u = queue[head];
            for (int w : adj[u])
                if (dist[s][w] < 0) {
                    dist[s][w] = dist[s][u] + 1;
                    queue.push_back(w);
                }
        }
    }
    int bu = 1, bv = 1;
    for (int u = 1; u <= n; u++)
        for (int v = 1; v <= n; v++)
            if (dist[u][v] > dist[bu][bv]) bu = u, bv = v;
    printf("%d %d\n", bu, bv);
    return 0;
}
