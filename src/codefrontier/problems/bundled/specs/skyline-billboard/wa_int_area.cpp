#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<int> h(n + 1, 0);
    for (int i = 0; i < n; i++) scanf("%d", &h[i]);
    vector<pair<int, int>> st;
    int best = 0;  // bug: height * width does not fit in 32 bits
    for (int i = 0; i <= n; i++) {
        int start = i;
        while (!st.empty() && st.back().second >= h[i]) {
            best = max(best, st.back().second * (i - st.back().first));
            start = st.back().first;
            st.pop_back();
        }
        st.push_back({start, h[i]});
    }
    printf("%d\n", best);
    return 0;
}
