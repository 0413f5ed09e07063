#include <bits/stdc++.h>
using namespace std;

int main() {
    int rows, cols;
    if (scanf("%d %d", &rows, &cols) != 2) return 0;
    vector<string> grid(rows);
    static char buf[1024];
    for (auto &row : grid) {
        scanf("%s", buf);
        row = buf;
    }
    int best = 0;
    long long count = 0;
    for (int top = 0; top < rows; top++)
        for (int left = 0; left < cols; left++) {
            // grow the square at (top, left) while its new bottom row and right column are soil
            int side = 0;
            while (top + side < rows && left + side < cols) {
                bool clear = true;
                for (int j = 0; j <= side && clear; j++) clear = grid[top + side][left + j] == '.';
                for (int i = 0; i <= side && clear; i++) clear = grid[top + i][left + side] == '.';
                if (!clear) break;
                side++;
            }
            if (side > best) best = side, count = 1;
            else if (side == best && side > 0) count++;
        }
    printf("%d %lld\n", best, count);
    return 0;
}
