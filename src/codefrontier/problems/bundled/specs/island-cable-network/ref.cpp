#include <bits/stdc++.h>
using namespace std;

vector<int> parent_;

int find(int x) {
    int root = x;
    while (parent_[root] != root) root = parent_[root];
    while (parent_[x] != root) {
        int next = parent_[x];
        parent_[x] = root;
        x = next;
    }
    return root;
}

int main() {
    int n, m;
    if (scanf("%d %d", &n, &m) != 2) return 0;
    vector<array<int, 3>> offers(m);
    for (auto& o : offers) scanf("%d %d %d", &o[1], &o[2], &o[0]);
    stable_sort(offers.begin(), offers.end(),
                [](const array<int, 3>& x, const array<int, 3>& y) { return x[0] < y[0]; });
    parent_.resize(n + 1);
    iota(parent_.begin(), parent_.end(), 0);
    long long total = 0;
    int networks = n;
    for (auto& o : offers) {
        int a = find(o[1]), b = find(o[2]);
        if (a != b) {
            parent_[a] = b;
            total += o[0];
            networks--;
        }
    }
    printf("%lld %d\n", total, networks);
    return 0;
}
