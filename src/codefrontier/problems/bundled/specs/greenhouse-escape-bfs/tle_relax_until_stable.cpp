#include <bits/stdc++.h>
using namespace std;

int main() {
    int rows, cols;
    if (scanf("%d %d", &rows, &cols) != 2) return 0;
    vector<string> grid(rows);
    static char buf[512];
    for (auto &row : grid) {
        scanf("%s", buf);
        row = buf;
    }
    const int INF = INT_MAX / 2;
    vector<vector<int>> dist(rows, vector<int>(cols, INF));
    int er = 0, ec = 0;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            if (grid[r][c] == 'S') dist[r][c] = 0;
            if (grid[r][c] == 'E') er = r, ec = c;
        }
    // Sweep every cell again and again, improving it from its neighbours, until nothing changes.
    const int dr[4] = {1, -1, 0, 0}, dc[4] = {0, 0, 1, -1};
    bool changed = true;
    while (changed) {
        changed = false;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) {
                if (grid[r][c] == '#') continue;
                for (int k = 0; k < 4; k++) {
                    int nr = r + dr[k], nc = c + dc[k];
                    if (nr < 0 || nr >= rows || nc < 0 || nc >= cols) continue;
                    if (dist[nr][nc] + 1 < dist[r][c]) {
                        dist[r][c] = dist[nr][nc] + 1;
                        changed = true;
                    }
                }
            }
    }
    printf("%d\n", dist[er][ec] < INF ? dist[er][ec] : -1);
    return 0;
}
