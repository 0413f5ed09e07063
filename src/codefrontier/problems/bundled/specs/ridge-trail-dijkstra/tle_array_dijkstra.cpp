#include <bits/stdc++.h>
using namespace std;

int main() {
    int rows, cols;
    if (scanf("%d %d", &rows, &cols) != 2) return 0;
    vector<int> effort;
    static char buf[1024];
    for (int r = 0; r < rows; r++) {
        scanf("%s", buf);
        for (int c = 0; c < cols; c++) effort.push_back(buf[c] - '0');
    }
    int cells = rows * cols;
    const long long INF = LLONG_MAX;
    vector<long long> best(cells, INF);
    vector<char> done(cells, 0);
    best[0] = 0;
    for (int round = 0; round < cells; round++) {
        // pick the closest unfinished cell by scanning them all
        int here = -1;
        for (int v = 0; v < cells; v++)
            if (!done[v] && (here < 0 || best[v] < best[here])) here = v;
        if (here < 0 || best[here] == INF) break;
        done[here] = 1;
        int r = here / cols, c = here % cols;
        const int dr[4] = {1, -1, 0, 0}, dc[4] = {0, 0, 1, -1};
        for (int k = 0; k < 4; k++) {
            int nr = r + dr[k], nc = c + dc[k];
            if (nr < 0 || nr >= rows || nc < 0 || nc >= cols) continue;
            int there = nr * cols + nc;
            best[there] = min(best[there], best[here] + effort[there]);
        }
    }
    printf("%lld\n", best[cells - 1]);
    return 0;
}
