#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int rows, cols;
    cin >> rows >> cols;
    vector<int> previous(cols + 1, 0), current(cols + 1, 0);
    int best = 0;
    long long count = 0;
    string row;
    for (int r = 0; r < rows; r++) {
        cin >> row;
        current[0] = 0;
        for (int c = 0; c < cols; c++) {
            if (row[c] == '.') {
                int side = min({previous[c], previous[c + 1], current[c]}) + 1;
                current[c + 1] = side;
                if (side > best) best = side, count = 1;
                else if (side == best) count++;
            } else {
                current[c + 1] = 0;
            }
        }
        swap(previous, current);
    }
    cout << best << " " << count << "\n";
    return 0;
}
