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
    int best = -1, bu = 1, bv = 1;
    vector<int> dist(n + 1), queue;
    for (int s = 1; s <= n; s++) {
        fill(dist.begin(), dist.end(), -1);
        queue.assign(1, s);
        dist[s] = 0;
        for (size_t head = 0; head < queue.size(); head++) {
            int u = queue[head];
            for (int w : adj[u])
                if (dist[w] < 0) {
                    dist[w] = dist[u] + 1;
                    queue.push_back(w);
                }
        }
        int far = queue.back();
        if (dist[far] > best) best = dist[far], bu = s, bv = far;
    }
    printf("%d %d\n", bu, bv);
    return 0;
}
