"""The share of IE samples per policy, and when it is high enough to warn about.

An IE sample (internal judge error) is the judge's fault, so it is left out of
every rate: a policy is scored on its other samples only. That is only fair
while IE is rare and spread evenly. If a policy's programs can make the judge
fail, its failures leave the rates and the policy looks better than it is (one
line that forced IE once took a weak policy's pass@1 from 25% to 100%). So the
summary and the report show each policy's IE share and flag a policy when

- its IE share is above `IE_SHARE_LIMIT` (5%), or
- its IE share exceeds that of the policy with the least IE by more than
  `IE_MARGIN` (2 percentage points), and by more than chance explains (a
  one-sided Fisher exact test of the two policies' IE counts, p < `IE_P_VALUE`):
  IE concentrated on one policy. Without the test, 3 IE in 60 samples against
  0 in 60 (p = 0.12) would raise a warning that means nothing.

The share is over all of the policy's samples, IE included: IE / (judged + IE).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from codefrontier.store.queries import Outcomes

IE_SHARE_LIMIT = 0.05
IE_MARGIN = 0.02
IE_P_VALUE = 0.01


def fisher_greater(a: int, n_a: int, b: int, n_b: int) -> float:
    """One-sided Fisher exact test: the probability, if IE struck both policies
    alike, that the first would get `a` or more IE of its `n_a` samples, given `a + b`
    IE among all `n_a + n_b` samples (the hypergeometric upper tail)."""
    total, hits = n_a + n_b, a + b

    def log_comb(n: int, k: int) -> float:
        return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)

    base = log_comb(total, n_a)
    top = min(n_a, hits)
    return min(
        1.0,
        sum(math.exp(log_comb(hits, x) + log_comb(total - hits, n_a - x) - base) for x in range(a, top + 1)),
    )


@dataclass(frozen=True)
class InternalShare:
    """One policy's IE samples: `internal` of its `samples` (IE included), their
    `share`, and `reason` (empty unless the policy is flagged)."""

    policy: str
    internal: int
    samples: int
    share: float
    reason: str = ""

    @property
    def flagged(self) -> bool:
        return bool(self.reason)

    def warning(self) -> str:
        """The warning a reader must see next to this policy's numbers."""
        return (
            f"policy {self.policy!r}: {self.internal} of {self.samples} samples ({100 * self.share:.1f}%) "
            f"are IE (internal judge errors), {self.reason}. Its rates exclude those samples, so they may "
            "overstate it: look at why its samples end in IE before trusting its numbers."
        )


def internal_shares(results: Outcomes) -> dict[str, InternalShare]:
    """Each policy's IE share and flag (module docstring), keyed by policy name."""
    internal = results.internal.sum(axis=1)
    total = results.n.sum(axis=1) + internal
    shares = [float(ie / t) if t else 0.0 for ie, t in zip(internal, total, strict=True)]
    out = {}
    for i, policy in enumerate(results.policies):
        others = [(s, q) for j, (s, q) in enumerate(zip(shares, results.policies, strict=True)) if j != i]
        reason = ""
        if shares[i] > IE_SHARE_LIMIT:
            reason = f"above the {100 * IE_SHARE_LIMIT:g}% limit"
        elif others:
            low, low_policy = min(others)
            j = results.policies.index(low_policy)
            beyond_chance = (
                fisher_greater(int(internal[i]), int(total[i]), int(internal[j]), int(total[j])) < IE_P_VALUE
            )
            if shares[i] - low > IE_MARGIN and beyond_chance:
                reason = (
                    f"{100 * (shares[i] - low):.1f} percentage points more than {low_policy!r} "
                    f"({100 * low:.1f}%)"
                )
        out[policy] = InternalShare(policy, int(internal[i]), int(total[i]), shares[i], reason)
    return out
