#include <bits/stdc++.h>
using namespace std;

int n;
vector<vector<int>> adj;

vector<int> distances(int start) {
    vector<int> dist(n + 1, -1), queue;
    queue.reserve(n);
    dist[start] = 0;
    queue.push_back(start);
    for (size_t head = 0; head < queue.size(); head++) {
        int u = queue[head];
        for (int w : adj[u])
            if (dist[w] < 0) {
                dist[w] = dist[u] + 1;
                queue.push_back(w);
            }
    }
    return dist;
}

int main() {
    if (scanf("%d", &n) != 1) return 0;
    adj.assign(n + 1, {});
    for (int i = 2; i <= n; i++) {
        int p;
        scanf("%d", &p);
        adj[i].push_back(p);
        adj[p].push_back(i);
    }
    vector<int> d1 = distances(1);
    int u = int(max_element(d1.begin(), d1.end()) - d1.begin());
    vector<int> d2 = distances(u);
    int v = int(max_element(d2.begin(), d2.end()) - d2.begin());
    printf("%d %d\n", u, v);
    return 0;
}
