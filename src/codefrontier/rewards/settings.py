"""The settings of the HTTP service (docs/rewards.md, "The HTTP service"); imported by
the CLI without FastAPI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from codefrontier.errors import ConfigError
from codefrontier.rewards.spec import RewardSpec
from codefrontier.rewards.wire import Limits

RULES = ("queue", "batch")  # how a 429's Retry-After is estimated (rewards.backpressure)
Rule = Literal["queue", "batch"]


@dataclass
class ServiceSettings:
    token: str | None = None  # bearer token; None: no authentication
    limits: Limits = field(default_factory=Limits)  # what one request may hold, its body included
    default_spec: RewardSpec = field(default_factory=RewardSpec)  # /reward without `spec`, /openrlhf
    drain_timeout: float = 60.0  # seconds queued samples get at shutdown before they are answered IE
    parse_budget_bytes: int | None = None  # body bytes read and parsed at once; None: one largest body
    header_timeout: float = 10.0  # seconds a client has to send a request's headers
    retry_after: Rule = "queue"  # "batch": the rule before, kept for comparison

    def __post_init__(self) -> None:
        if not self.drain_timeout >= 0:
            raise ConfigError("drain_timeout must be a number of seconds, at least 0")
        if not self.header_timeout > 0:
            raise ConfigError("header_timeout must be a positive number of seconds")
        if self.parse_budget_bytes is not None and self.parse_budget_bytes < 1:
            raise ConfigError("parse_budget_bytes must be at least 1")
        if self.retry_after not in RULES:
            raise ConfigError(f"retry_after must be one of {', '.join(RULES)}")
