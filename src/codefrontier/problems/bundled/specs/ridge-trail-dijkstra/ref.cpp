#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int rows, cols;
    cin >> rows >> cols;
    vector<string> grid(rows);
    for (auto &row : grid) cin >> row;
    const long long INF = LLONG_MAX;
    vector<long long> best(rows * cols, INF);
    priority_queue<pair<long long, int>, vector<pair<long long, int>>, greater<>> heap;
    best[0] = 0;
    heap.push({0, 0});
    const int dr[4] = {1, -1, 0, 0}, dc[4] = {0, 0, 1, -1};
    while (!heap.empty()) {
        auto [d, here] = heap.top();
        heap.pop();
        if (d > best[here]) continue;
        int r = here / cols, c = here % cols;
        for (int k = 0; k < 4; k++) {
            int nr = r + dr[k], nc = c + dc[k];
            if (nr < 0 || nr >= rows || nc < 0 || nc >= cols) continue;
            long long nd = d + (grid[nr][nc] - '0');
            int there = nr * cols + nc;
            if (nd < best[there]) {
                best[there] = nd;
                heap.push({nd, there});
            }
        }
    }
    cout << best[rows * cols - 1] << "\n";
    return 0;
}
