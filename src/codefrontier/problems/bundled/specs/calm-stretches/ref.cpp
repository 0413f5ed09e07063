#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    long long d;
    if (scanf("%d %lld", &n, &d) != 2) return 0;
    vector<long long> a(n);
    for (auto& x : a) scanf("%lld", &x);
    deque<int> highs, lows;
    int left = 0;
    long long count = 0;
    for (int right = 0; right < n; right++) {
        while (!highs.empty() && a[highs.back()] <= a[right]) highs.pop_back();
        highs.push_back(right);
        while (!lows.empty() && a[lows.back()] >= a[right]) lows.pop_back();
        lows.push_back(right);
        while (a[highs.front()] - a[lows.front()] > d) {
            left++;
            if (highs.front() < left) highs.pop_front();
            if (lows.front() < left) lows.pop_front();
        }
        count += right - left + 1;
    }
    printf("%lld\n", count);
    return 0;
}
