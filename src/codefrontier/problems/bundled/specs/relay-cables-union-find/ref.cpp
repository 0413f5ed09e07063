#include <bits/stdc++.h>
using namespace std;

vector<int> parent, sz;

int find(int x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n, q;
    cin >> n >> q;
    parent.resize(n + 1);
    sz.assign(n + 1, 1);
    iota(parent.begin(), parent.end(), 0);
    string answers;
    for (int i = 0; i < q; i++) {
        char kind;
        int u, v;
        cin >> kind >> u >> v;
        int ru = find(u), rv = find(v);
        if (kind == 'Q') {
            answers += ru == rv ? '1' : '0';
        } else if (ru != rv) {
            if (sz[ru] < sz[rv]) swap(ru, rv);
            parent[rv] = ru;
            sz[ru] += sz[rv];
        }
    }
    cout << answers << "\n";
    return 0;
}
