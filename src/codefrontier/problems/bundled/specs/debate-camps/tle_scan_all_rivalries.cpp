#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, m;
    if (scanf("%d %d", &n, &m) != 2) return 0;
    vector<int> eu(m), ev(m);
    for (int j = 0; j < m; j++) scanf("%d %d", &eu[j], &ev[j]);
    vector<int> color(n + 1, -1);
    long long red = 0;
    for (int s = 1; s <= n; s++) {
        if (color[s] != -1) continue;
        color[s] = 0;
        long long counts[2] = {1, 0};
        vector<int> queue(1, s);
        for (size_t head = 0; head < queue.size(); head++) {
            int u = queue[head], c = 1 - color[u];
            for (int j = 0; j < m; j++) {  // look through every rivalry for u's rivals
                int w;
                if (eu[j] == u) w = ev[j];
                else if (ev[j] == u) w = eu[j];
                else continue;
                if (color[w] == -1) {
                    color[w] = c;
                    counts[c]++;
                    queue.push_back(w);
                } else if (color[w] != c) {
                    printf("-1\n");
                    return 0;
                }
            }
        }
        red += min(counts[0], counts[1]);
    }
    printf("%lld\n", red);
    return 0;
}
