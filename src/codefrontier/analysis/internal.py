"""The share of IE samples per policy, and when it is high enough to warn about.

An IE sample (internal judge error) is the judge's fault, so it is left out of
every rate: a policy is scored on its other samples only. That is only fair
while IE is rare and spread evenly. If a policy's programs can make the judge
fail, its failures leave the rates and the policy looks better than it is (one
line that forced IE once took a weak policy's pass@1 from 25% to 100%). So the
summary and the report show each policy's IE share and flag a policy when

- its IE share is above `IE_SHARE_LIMIT` (5%), or
- its IE share exceeds that of the policy with the least IE by more than
  `IE_MARGIN` (2 percentage points): IE concentrated on one policy.

The share is over all of the policy's samples, IE included: IE / (judged + IE).
"""

from __future__ import annotations

from dataclasses import dataclass

from codefrontier.analysis.load import Results

IE_SHARE_LIMIT = 0.05
IE_MARGIN = 0.02


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


def internal_shares(results: Results) -> dict[str, InternalShare]:
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
            if shares[i] - low > IE_MARGIN:
                reason = (
                    f"{100 * (shares[i] - low):.1f} percentage points more than {low_policy!r} "
                    f"({100 * low:.1f}%)"
                )
        out[policy] = InternalShare(policy, int(internal[i]), int(total[i]), shares[i], reason)
    return out
