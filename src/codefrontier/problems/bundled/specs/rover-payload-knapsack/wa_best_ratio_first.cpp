#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    long long cap;
    cin >> n >> cap;
    vector<pair<long long, long long>> items(n);
    for (auto &[w, v] : items) cin >> w >> v;
    // bug: greedily packs the best value per gram first, which is not optimal for 0/1 items
    sort(items.begin(), items.end(), [](auto &a, auto &b) { return a.second * b.first > b.second * a.first; });
    long long total = 0;
    for (auto &[w, v] : items)
        if (w <= cap) {
            cap -= w;
            total += v;
        }
    cout << total << "\n";
    return 0;
}
