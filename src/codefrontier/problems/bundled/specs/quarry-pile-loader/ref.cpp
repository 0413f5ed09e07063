#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    cin >> n;
    priority_queue<long long, vector<long long>, greater<long long>> piles;
    for (int i = 0; i < n; i++) {
        long long w;
        cin >> w;
        piles.push(w);
    }
    long long fuel = 0;
    while (piles.size() > 1) {
        long long a = piles.top();
        piles.pop();
        long long b = piles.top();
        piles.pop();
        fuel += a + b;
        piles.push(a + b);
    }
    cout << fuel << "\n";
    return 0;
}
