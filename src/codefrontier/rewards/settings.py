"""The settings of the HTTP service (docs/rewards.md, "The HTTP service"), declared once
with `codefrontier.settings`: `ServiceSettings` (what a `JudgeService` is given) and
`ServerSettings` (how `codefrontier serve` runs one: its address, queue, request limits in
the command's units and where the token comes from). The `serve` command's flags are
generated from both. Imported by the CLI without FastAPI."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from codefrontier.errors import ConfigError
from codefrontier.rewards.sources import TOKEN_ENV
from codefrontier.rewards.spec import RewardSpec
from codefrontier.rewards.wire import Limits
from codefrontier.settings import Settings, at_least, non_negative, positive, setting

RULES = ("queue", "batch")  # how a 429's Retry-After is estimated (rewards.backpressure)
Rule = Literal["queue", "batch"]
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
MIB = 1 << 20


@dataclass
class ServiceSettings(Settings):
    token: str | None = setting(None, "bearer token; None: no authentication", cli=False)
    limits: Limits = setting(Limits(), "what one request may hold, its body included", cli=False)
    default_spec: RewardSpec = setting(
        RewardSpec(), "the reward of /reward without `spec`, and of /openrlhf", cli=False
    )
    drain_timeout: float = setting(
        60.0,
        "seconds queued samples get at shutdown before they are answered IE (default {default:g})",
        check=non_negative,
    )
    parse_budget_bytes: int | None = setting(
        None, "body bytes read and parsed at once (default: one largest body)", check=at_least(1), cli=False
    )
    header_timeout: float = setting(
        10.0, "seconds a client has to send a request's headers (default {default:g})", check=positive
    )
    retry_after: Rule = setting(
        "queue",
        "how a 429's Retry-After is estimated: queue (from the queue ahead of the batch, with jitter; "
        "default) or batch (the batch alone, the rule before; for comparison)",
        choices=RULES,
    )


@dataclass(frozen=True)
class ServerSettings(Settings):
    """How `codefrontier serve` runs the service; the sizes are in the command's units."""

    host: str = setting("127.0.0.1", "address to listen on")
    port: int = setting(8000, "port")
    max_queue: int = setting(1024, "samples accepted and not finished, at most", check=at_least(1))
    max_batch: int | None = setting(
        None,
        f"samples in one request, at most (default: --max-queue, at most {Limits.max_batch}); "
        "never above --max-queue, since a larger batch could never be accepted",
        check=at_least(1),
    )
    max_code_kb: int = setting(
        Limits.max_code_bytes // 1024, "size limit of one program or completion", check=at_least(1)
    )
    max_body_mb: float | None = setting(
        None,
        "size limit of one request body (default: what a full batch can need, "
        "--max-batch x (--max-code-kb + 4 KiB) + 256 KiB per inline problem)",
        check=positive,
    )
    parse_budget_mb: float | None = setting(
        None,
        "request bodies being read and parsed at once, in MiB together; others wait "
        "(default: one body of the largest size)",
        check=positive,
    )
    token_env: str = setting(
        TOKEN_ENV,
        "environment variable holding the bearer token (default {default}; unset: no auth)",
        metavar="VAR",
    )
    token_file: Path | None = setting(None, "file holding the bearer token", metavar="FILE")
    log_level: str = setting("info", "uvicorn's log level", choices=LOG_LEVELS)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.max_batch is not None and self.max_batch > self.max_queue:
            raise ConfigError(
                f"--max-batch {self.max_batch} is above --max-queue {self.max_queue}: a batch that large could "
                "never be accepted; lower --max-batch or raise --max-queue"
            )

    def token(self) -> str | None:
        """The bearer token: the file's, else the environment variable's; None: no auth."""
        if self.token_file is not None:
            try:
                token = self.token_file.read_text().strip()
            except OSError as exc:
                raise ConfigError(f"--token-file {self.token_file}: {exc.strerror}") from None
            if not token:
                raise ConfigError(f"--token-file {self.token_file} is empty")
            return token
        return os.environ.get(self.token_env) or None

    def limits(self) -> Limits:
        max_batch = self.max_batch if self.max_batch is not None else min(Limits.max_batch, self.max_queue)
        return Limits(
            max_batch=max_batch,
            max_code_bytes=self.max_code_kb * 1024,
            max_body_bytes=int(self.max_body_mb * MIB) if self.max_body_mb else None,
        )

    def parse_budget_bytes(self) -> int | None:
        return int(self.parse_budget_mb * MIB) if self.parse_budget_mb else None
