"""Small trusted programs the traces tests run (each a (code, call) pair)."""

RECURSION = (
    """def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)
""",
    "fact(3)",
)

CAUGHT = (
    """def parse(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    return value
""",
    "parse('x1')",
)

UNCAUGHT = (
    """def inner(d):
    return d['missing']

def outer(d):
    d['seen'] = True
    return inner(d)
""",
    "outer({})",
)

GENERATOR = (
    """def evens(limit):
    for i in range(limit):
        if i % 2 == 0:
            yield i

def total(limit):
    s = 0
    for x in evens(limit):
        s += x
    return s
""",
    "total(5)",
)

METHOD = (
    """class Counter:
    def __init__(self, start):
        self.count = start

    def bump(self, by):
        self.count += by
        return self.count

def run(k):
    c = Counter(k)
    c.bump(2)
    return c.bump(3)
""",
    "run(1)",
)

NESTED = (
    """def outer(xs):
    def scale(v):
        return v * factor
    factor = 10
    out = [scale(x) for x in xs]
    return sorted(out, key=lambda v: -v)
""",
    "outer([1, 2])",
)

LOOP = (
    """def f(nums):
    output = []
    for n in nums:
        output.append((nums.count(n), n))
    output.sort(reverse=True)
    return output
""",
    "f([1, 3, 1])",
)

TWO_CALLS_ON_A_LINE = (
    """def sq(x):
    return x * x

def h(a, b):
    return sq(a) + sq(b)
""",
    "h(2, 3)",
)

ALL = {
    "recursion": RECURSION,
    "caught": CAUGHT,
    "uncaught": UNCAUGHT,
    "generator": GENERATOR,
    "method": METHOD,
    "nested": NESTED,
    "loop": LOOP,
    "two_calls": TWO_CALLS_ON_A_LINE,
}
