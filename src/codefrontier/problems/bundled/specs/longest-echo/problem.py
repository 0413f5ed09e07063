import random

ID = "longest-echo"
TITLE = "The Longest Echo"
TOPIC = "string hashing"
STATEMENT = """
A deep-space antenna has recorded a long signal, transcribed as a string `s` of
lowercase English letters. The astronomers call a non-empty string an *echo* if it
appears in `s` as a contiguous substring at least twice, at two different starting
positions. The two appearances may overlap: in `aaaa`, the string `aaa` is an echo
(it starts at positions 1 and 2).

Find the length of the longest echo in the recording. If no letter repeats at all,
there is no echo and the answer is `0`.

## Input

The first line contains one integer `n`, the length of the recording.
The second line contains the string `s` of exactly `n` lowercase English letters.

## Output

Print one integer: the length of the longest echo, or `0` if there is none.

## Constraints

- `1 <= n <= 100000`
- `s` consists of the letters `a` to `z` only

## Example

Input:
```
11
abracadabra
```

Output:
```
4
```

The longest echo is `abra`, which starts at positions 1 and 8.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 4103
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXN = 100000
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _random(rng: random.Random, n: int, sigma: int) -> list[str]:
    alphabet = LETTERS[:sigma]
    return [rng.choice(alphabet) for _ in range(n)]


def _plant(rng: random.Random, s: list[str], length: int) -> list[str]:
    """Copy a random block of `length` letters to another random place (copies may overlap)."""
    n = len(s)
    length = max(1, min(length, n - 1))
    a = rng.randint(0, n - length)
    b = rng.randint(0, n - length)
    block = s[a : a + length]
    s[b : b + length] = block
    return s


def _periodic(rng: random.Random, n: int, period: int, sigma: int) -> list[str]:
    tile = _random(rng, period, sigma)
    s = [tile[i % period] for i in range(n)]
    # a few mutations break the perfect periodicity
    for _ in range(rng.randint(0, 3)):
        s[rng.randrange(n)] = rng.choice(LETTERS[:sigma])
    return s


def _fibonacci(n: int) -> list[str]:
    a, b = "a", "ab"
    while len(b) < n:
        a, b = b, b + a
    return list(b[:n])


def _text(rng: random.Random, n: int, variant: int) -> list[str]:
    if variant == 0:
        return _plant(rng, _random(rng, n, rng.choice([2, 3, 4, 26])), rng.randint(n // 10, n // 3))
    if variant == 1:
        return _periodic(rng, n, rng.randint(2, max(2, n // 20)), rng.choice([2, 26]))
    if variant == 2:
        return _fibonacci(n)
    return _random(rng, n, rng.choice([2, 26]))


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        s = ["abracadabra", "aaaaaaa", "z", "abcdefghij"][index]
        return f"{len(s)}\n{s}\n"
    if tier == "small":
        n = [20, 50, 100][index]
        s = [_plant(rng, _random(rng, n, 3), 9), list("ab" * (n // 2)), _random(rng, n, 26)][index]
    elif tier == "medium":
        n = [900, 1000, 1000][index]
        s = [_plant(rng, _random(rng, n, 2), 300), _plant(rng, _random(rng, n, 26), 50), _fibonacci(n)][index]
    elif tier == "large":
        n = [10000, 20000, 30000][index]
        s = _text(rng, n, index)
    else:
        n = MAXN
        if index == 0:
            s = _plant(rng, _random(rng, n, 2), 40000)
        else:
            s = _periodic(rng, n, 777, 26)
    return f"{n}\n{''.join(s)}\n"
