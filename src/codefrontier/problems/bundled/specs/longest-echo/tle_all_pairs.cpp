#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    string s;
    cin >> n >> s;
    int best = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            int k = 0;
            while (j + k < n && s[i + k] == s[j + k]) k++;
            best = max(best, k);
        }
    printf("%d\n", best);
    return 0;
}
