import random

ID = "relay-cables-union-find"
TITLE = "Relay Cables"
TOPIC = "union-find (online connectivity)"
STATEMENT = """
A mountain rescue service runs n radio relay stations, numbered 1 to n, with no cables at
first. Over one season the technicians log q events in order. An event is either a new
cable laid between two stations, or a question from the dispatcher: can station u
currently pass a message to station v, along cables laid so far (possibly through other
stations)? Cables work both ways and are never removed.

Answer every question at the moment it is asked.

## Input

The first line contains two integers n and q. Each of the next q lines is either `L u v`
(a cable between stations u and v is laid) or `Q u v` (the dispatcher asks about u and v).

## Output

Print one line with one character per question, in order: `1` if u can reach v at that
moment and `0` otherwise.

## Constraints

- 2 <= n <= 100000
- 1 <= q <= 40000, and at least one event is a question
- 1 <= u, v <= n (u may equal v; a station can always reach itself)

## Example

Input:

```
5 7
Q 1 2
L 1 2
L 3 4
Q 1 2
Q 2 3
L 2 4
Q 1 3
```

Output:

```
0101
```
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 11009
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "5 7\nQ 1 2\nL 1 2\nL 3 4\nQ 1 2\nQ 2 3\nL 2 4\nQ 1 3\n"


def _render(n: int, events: list[tuple[str, int, int]]) -> str:
    return f"{n} {len(events)}\n" + "".join(f"{kind} {u} {v}\n" for kind, u, v in events)


def _season(
    rng: random.Random, n: int, q: int, backbone: int, link_share: float
) -> list[tuple[str, int, int]]:
    """First `backbone` cables grow one large network; then questions (half of them about
    a station outside it) mixed with further cables anywhere."""
    events: list[tuple[str, int, int]] = []
    members = [rng.randint(1, n)]
    for _ in range(backbone):
        v = rng.randint(1, n)
        events.append(("L", members[rng.randrange(len(members))], v))
        members.append(v)
    while len(events) < q:
        u = members[rng.randrange(len(members))]
        if rng.random() < link_share:
            events.append(("L", rng.randint(1, n), rng.randint(1, n)))
        elif rng.random() < 0.5:
            events.append(("Q", u, members[rng.randrange(len(members))]))
        else:
            events.append(("Q", u, rng.randint(1, n)))
    if not any(kind == "Q" for kind, _, _ in events):
        events[-1] = ("Q", events[-1][1], events[-1][2])
    return events


def _chain(n: int, length: int) -> list[tuple[str, int, int]]:
    """Cables 1-2, 2-3, ... laid in order, then a question across the whole chain."""
    return [("L", k, k + 1) for k in range(1, length + 1)] + [("Q", 1, length + 1)]


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return _render(2, [("Q", 2, 2)])
        if index == 2:
            return _render(4, [("L", 1, 2), ("L", 3, 4), ("L", 2, 3), ("Q", 1, 4), ("Q", 4, 1)])
        return _render(8, _season(rng, 8, 10, 2, 0.4))
    if tier == "small":
        n = rng.randint(10, 40)
        return _render(n, _season(rng, n, rng.randint(30, 60), rng.randint(0, 10), 0.4))
    if tier == "medium":
        n = (300, 1000, 5000)[index]
        return _render(n, _season(rng, n, rng.randint(900, 1000), 300, 0.2))
    if tier == "large":
        n = 9999
        events = _season(rng, n, 8000, 4000, 0.05)
        if index == 0:
            events = _chain(n, 3000) + events[: 8000 - 3001]
        return _render(n, events)
    n = 99999
    if index == 0:
        return _render(n, _season(rng, n, 34000, 17000, 0.02))
    return _render(n, _chain(n, 1500) + _season(rng, n, 32000, 16000, 0.02))
