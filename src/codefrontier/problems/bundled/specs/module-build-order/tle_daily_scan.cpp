#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, m, k;
    if (scanf("%d %d %d", &n, &m, &k) != 3) return 0;
    vector<vector<int>> before(n + 1);
    for (int i = 0; i < m; i++) {
        int a, b;
        scanf("%d %d", &a, &b);
        before[b].push_back(a);
    }
    vector<char> done(n + 1, 0);
    vector<int> built(1, 0);
    for (int day = 0; day < n; day++) {
        int pick = 0;
        for (int v = 1; v <= n && !pick; v++) {
            if (done[v]) continue;
            bool ok = true;
            for (int u : before[v])
                if (!done[u]) { ok = false; break; }
            if (ok) pick = v;
        }
        if (!pick) break;
        done[pick] = 1;
        built.push_back(pick);
    }
    for (int j = 0; j < k; j++) {
        int t;
        scanf("%d", &t);
        printf("%d%c", t < (int)built.size() ? built[t] : 0, j + 1 == k ? '\n' : ' ');
    }
    return 0;
}
