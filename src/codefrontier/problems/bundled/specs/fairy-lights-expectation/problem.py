import random

ID = "fairy-lights-expectation"
TITLE = "Fairy Lights"
TOPIC = "expected value (floating-point output)"
STATEMENT = """
A string of n old fairy lights hangs over a cafe terrace. When the string is plugged in,
bulb i lights up with probability c_i percent, independently of the other bulbs. The owner
measures the glow of the string like this: every maximal run of consecutive lit bulbs of
length L contributes L * L, and the glow is the sum over all such runs (an unlit bulb ends
a run).

Find the expected glow of the string.

## Input

The first line contains one integer n. The second line contains n integers
c_1, c_2, ..., c_n separated by spaces.

## Output

Print the expected glow. Answers within an absolute or relative error of 10^-6 of the
exact value are accepted.

## Constraints

- 1 <= n <= 150000
- 0 <= c_i <= 100

## Example

Input:

```
3
50 100 50
```

Output:

```
4.500000
```

Bulb 2 is always lit. With probability 1/4 each, the lit bulbs are {1, 2, 3} (glow 9),
{1, 2} (glow 4), {2, 3} (glow 4) or {2} alone (glow 1): the average is 18 / 4 = 4.5.
"""
CHECKER = {"kind": "float", "abs_tol": 1e-6, "rel_tol": 1e-6}
MEMORY_MB = 256
SEED = 11014
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "3\n50 100 50\n"


def _render(chances: list[int]) -> str:
    return f"{len(chances)}\n" + " ".join(map(str, chances)) + "\n"


def _chances(rng: random.Random, n: int, low: int, high: int, dead_share: float = 0.0) -> list[int]:
    return [0 if rng.random() < dead_share else rng.randint(low, high) for _ in range(n)]


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return _render([37])
        if index == 2:
            return _render([100, 100, 0, 100, 100, 100])  # certain bulbs: glow 4 + 9 = 13
        return _render(_chances(rng, 8, 0, 100))
    if tier == "small":
        return _render(_chances(rng, rng.randint(30, 60), (0, 50, 90)[index], 100))
    if tier == "medium":
        return _render(_chances(rng, rng.randint(900, 1000), (0, 60, 95)[index], 100, 0.02))
    if tier == "large":
        return _render(_chances(rng, rng.randint(19000, 20000), (0, 80, 97)[index], 100, 0.001))
    if index == 0:
        return _render(_chances(rng, 150000, 0, 100))
    return _render(_chances(rng, 120000, 98, 100))  # long runs: the glow reaches billions
