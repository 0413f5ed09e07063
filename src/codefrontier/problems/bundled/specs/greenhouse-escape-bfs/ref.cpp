#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int rows, cols;
    cin >> rows >> cols;
    vector<string> grid(rows);
    for (auto &row : grid) cin >> row;
    int start = -1, end = -1;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            if (grid[r][c] == 'S') start = r * cols + c;
            if (grid[r][c] == 'E') end = r * cols + c;
        }
    vector<int> dist(rows * cols, -1);
    deque<int> queue{start};
    dist[start] = 0;
    const int dr[4] = {1, -1, 0, 0}, dc[4] = {0, 0, 1, -1};
    while (!queue.empty()) {
        int here = queue.front();
        queue.pop_front();
        int r = here / cols, c = here % cols;
        for (int k = 0; k < 4; k++) {
            int nr = r + dr[k], nc = c + dc[k];
            if (nr < 0 || nr >= rows || nc < 0 || nc >= cols || grid[nr][nc] == '#') continue;
            int there = nr * cols + nc;
            if (dist[there] >= 0) continue;
            dist[there] = dist[here] + 1;
            queue.push_back(there);
        }
    }
    cout << dist[end] << "\n";
    return 0;
}
