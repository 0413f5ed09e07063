import random

ID = "weaver-periods"
TITLE = "The Weaver's Tiles"
TOPIC = "KMP / prefix function"
STATEMENT = """
A weaver is producing a ribbon whose pattern is described by a string `s` of lowercase
letters, one letter per stitch. At every moment she likes to know how short a *tile*
could have produced what she has woven so far.

A string `t` of length `m` has *period* `p` (`1 <= p <= m`) if `t[i] = t[i + p]` for
every `i` with `1 <= i <= m - p`. In other words, `t` is the first `m` letters of the
endless repetition of its first `p` letters (the last copy of the tile may be cut
short). Every string has period `m`, so a shortest period always exists.

For each `k = 1, 2, ..., n`, let `P(k)` be the shortest period of the prefix
`s[1..k]`. Print `P(1) + P(2) + ... + P(n)`.

## Input

The first line contains one integer `n`, the length of the pattern.
The second line contains the string `s` of exactly `n` lowercase English letters.

## Output

Print one integer: the sum of the shortest periods of all `n` prefixes of `s`.

## Constraints

- `1 <= n <= 300000`
- `s` consists of the letters `a` to `z` only

## Example

Input:
```
6
abaaba
```

Output:
```
14
```

The shortest periods of `a`, `ab`, `aba`, `abaa`, `abaab` and `abaaba` are 1, 2, 2, 3, 3
and 3 (for example `abaa` does not have period 2 because its second and fourth letters
differ), and 1 + 2 + 2 + 3 + 3 + 3 = 14.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 4104
TIERS = {"tiny": 3, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXN = 300000
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _random(rng: random.Random, n: int, sigma: int) -> str:
    return "".join(rng.choice(LETTERS[:sigma]) for _ in range(n))


def _periodic(rng: random.Random, n: int, period: int, sigma: int, mutations: int) -> str:
    tile = _random(rng, period, sigma)
    s = [tile[i % period] for i in range(n)]
    for _ in range(mutations):
        s[rng.randrange(n)] = rng.choice(LETTERS[:sigma])
    return "".join(s)


def _fibonacci(n: int) -> str:
    a, b = "a", "ab"
    while len(b) < n:
        a, b = b, b + a
    return b[:n]


def _blocks(rng: random.Random, n: int) -> str:
    """Repeated long runs of one letter broken by a different letter: aaaa...ab aaaa...ab ..."""
    run = rng.randint(n // 8, n // 3)
    unit = "a" * run + "b"
    return (unit * (n // len(unit) + 1))[:n]


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        s = ["abaaba", "x", "aabaabaabaaa"][index]
    elif tier == "small":
        s = [
            _periodic(rng, 20, 3, 2, 0) + "c",
            _blocks(rng, 60),
            _random(rng, 100, 2),
        ][index]
    elif tier == "medium":
        s = [
            _random(rng, 1000, 26),
            _periodic(rng, 1000, 37, 3, 2),
            _fibonacci(1000),
        ][index]
    elif tier == "large":
        n = [10000, 20000, 30000][index]
        s = [_random(rng, n, 2), _periodic(rng, n, rng.randint(2, 500), 26, 5), _blocks(rng, n)][index]
    else:
        s = [_random(rng, MAXN, 26), _periodic(rng, MAXN, 1234, 2, 10)][index]
    return f"{len(s)}\n{s}\n"
