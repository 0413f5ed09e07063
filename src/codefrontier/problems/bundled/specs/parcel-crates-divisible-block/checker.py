"""Checker: python3 checker.py INPUT EXPECTED OUTPUT.

Accepts any block l..r (1 <= l <= r <= n) whose total is divisible by n; the expected
output (the reference's block) is not needed. Exit 0 = accepted, 1 = wrong answer, 3 = the
checker itself failed. Prints a one-line reason.
"""

import sys


def verdict(input_text: bytes, output_text: bytes) -> tuple[bool, str]:
    data = input_text.split()
    n = int(data[0])
    values = [int(x) for x in data[1 : 1 + n]]
    tokens = output_text.split()
    if len(tokens) != 2:
        return False, f"expected two integers l r, got {len(tokens)} tokens"
    try:
        left, right = int(tokens[0]), int(tokens[1])
    except ValueError:
        return False, "l and r must be integers"
    if not 1 <= left <= right <= n:
        return False, f"need 1 <= l <= r <= {n}, got l={left} r={right}"
    total = sum(values[left - 1 : right])
    if total % n:
        return False, f"bays {left}..{right} hold {total} parcels, not divisible by {n}"
    return True, f"bays {left}..{right} hold {total} parcels"


def main() -> int:
    input_path, _expected_path, output_path = sys.argv[1:4]
    with open(input_path, "rb") as fh:
        input_text = fh.read()
    with open(output_path, "rb") as fh:
        output_text = fh.read()
    ok, reason = verdict(input_text, output_text)
    print(("ok: " if ok else "wrong: ") + reason)
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as exc:  # a checker bug or a malformed test, never the contestant's fault
        print(f"checker failed: {type(exc).__name__}: {exc}")
        sys.exit(3)
