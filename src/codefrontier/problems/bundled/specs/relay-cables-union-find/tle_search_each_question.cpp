#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, q;
    if (scanf("%d %d", &n, &q) != 2) return 0;
    vector<vector<int>> adj(n + 1);
    vector<int> mark(n + 1, -1), queue;
    string answers;
    for (int i = 0; i < q; i++) {
        char kind[2];
        int u, v;
        scanf("%1s %d %d", kind, &u, &v);
        if (kind[0] == 'L') {
            adj[u].push_back(v);
            adj[v].push_back(u);
            continue;
        }
        // breadth-first search over the cables laid so far
        queue.assign(1, u);
        mark[u] = i;
        for (size_t head = 0; head < queue.size() && mark[v] != i; head++)
            for (int y : adj[queue[head]])
                if (mark[y] != i) {
                    mark[y] = i;
                    queue.push_back(y);
                }
        answers += mark[v] == i ? '1' : '0';
    }
    printf("%s\n", answers.c_str());
    return 0;
}
