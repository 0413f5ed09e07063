#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<int> a(n);
    for (auto& x : a) scanf("%d", &x);
    long long total = 0;
    for (int j = 0; j < n; j++) {
        long long less_left = 0, greater_right = 0;
        for (int i = 0; i < j; i++) less_left += a[i] < a[j];
        for (int k = j + 1; k < n; k++) greater_right += a[k] > a[j];
        total += less_left * greater_right;
    }
    printf("%lld\n", total);
    return 0;
}
