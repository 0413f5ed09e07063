"""Curricula: sampling weights over difficulty bins that change with the training step
(docs/synth.md, "Curricula").

A `Schedule` is data: phases, each a start step and weights per bin, piecewise constant
(the phase with the largest start <= step applies). Named schedules ship here; others are
TOML files:

    name = "mine"
    [[phase]]
    start = 0
    weights = { easy = 0.8, medium = 0.15, hard = 0.05 }
    [[phase]]
    start = 5000
    weights = { easy = 0.1, medium = 0.3, hard = 0.6 }

`CurriculumSampler` draws problems for a step with the step's weights, deterministically
for (seed, step), so a resumed trainer sees the same problems. `CurriculumDataset` lays
the draws out as rows in training order for TRL (a map-style dataset with
`shuffle_dataset=False`) and `curriculum_rows` streams them for an iterable dataset; a
verl sampler is `codefrontier.synth.verl_sampler.CurriculumSampler`. Rewards come from
`codefrontier.synth.rewards.SynthReward` (or `CodeReward` for induction problems).
`grpo_advantages` is the GRPO advantage without standard-deviation normalization.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codefrontier.errors import ConfigError, InputError

EASY_MEDIUM_HARD = ("easy", "medium", "hard")


@dataclass(frozen=True)
class Phase:
    start: int
    weights: dict[str, float]


@dataclass(frozen=True)
class Schedule:
    name: str
    phases: tuple[Phase, ...]

    def __post_init__(self) -> None:
        if not self.phases:
            raise ConfigError(f"schedule {self.name!r} has no phases")
        starts = [p.start for p in self.phases]
        if starts[0] != 0 or any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
            raise ConfigError(f"schedule {self.name!r}: phases must start at step 0 and in increasing order")
        for phase in self.phases:
            if any(w < 0 for w in phase.weights.values()) or sum(phase.weights.values()) <= 0:
                raise ConfigError(
                    f"schedule {self.name!r}: weights at step {phase.start} must be >= 0, not all 0"
                )

    @property
    def bins(self) -> list[str]:
        seen: dict[str, None] = {}
        for phase in self.phases:
            seen.update(dict.fromkeys(phase.weights))
        return list(seen)

    def weights_at(self, step: int) -> dict[str, float]:
        """The normalized weights at `step` (0 for bins the phase does not name)."""
        phase = self.phases[0]
        for candidate in self.phases:
            if candidate.start <= step:
                phase = candidate
        total = sum(phase.weights.values())
        return {name: phase.weights.get(name, 0.0) / total for name in self.bins}

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "phase": [{"start": p.start, "weights": dict(p.weights)} for p in self.phases],
        }


def schedule(
    name: str, rows: Sequence[tuple[int, Sequence[float]]], bins: Sequence[str] = EASY_MEDIUM_HARD
) -> Schedule:
    return Schedule(name, tuple(Phase(start, dict(zip(bins, w, strict=True))) for start, w in rows))


SCHEDULES: dict[str, Schedule] = {
    s.name: s
    for s in (
        schedule("uniform", [(0, (1, 1, 1))]),
        schedule(
            "soft",
            [
                (0, (0.80, 0.15, 0.05)),
                (7_500, (0.15, 0.80, 0.05)),
                (17_500, (0.15, 0.40, 0.45)),
                (30_000, (0.05, 0.15, 0.80)),
            ],
        ),
        schedule(
            "hard", [(0, (0.90, 0.05, 0.05)), (7_500, (0.05, 0.90, 0.05)), (17_500, (0.05, 0.05, 0.90))]
        ),
        schedule("classic", [(0, (1, 0, 0)), (7_500, (0, 1, 0)), (17_500, (0, 0, 1))]),
        schedule("reverse", [(0, (0, 0, 1)), (7_500, (0, 1, 0)), (17_500, (1, 0, 0))]),
        schedule("medium-easy", [(0, (0, 1, 0)), (7_500, (1, 0, 0))]),
    )
}


def load_schedule(name_or_path: str | Path) -> Schedule:
    """A named schedule, or one read from a TOML file (errors name the file and key)."""
    if str(name_or_path) in SCHEDULES:
        return SCHEDULES[str(name_or_path)]
    path = Path(name_or_path)
    if not path.exists():
        raise ConfigError(f"{path}: no such file, and not a named schedule ({', '.join(SCHEDULES)})")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", path=path) from None
    phases_data = data.get("phase")
    if not isinstance(phases_data, list) or not phases_data:
        raise InputError("needs at least one [[phase]] table", path=path, field="phase")
    phases = []
    for i, entry in enumerate(phases_data):
        where = f"phase[{i}]"
        if not isinstance(entry, dict):
            raise InputError("must be a table", path=path, field=where)
        start = entry.get("start")
        weights = entry.get("weights")
        if not isinstance(start, int) or isinstance(start, bool) or start < 0:
            raise InputError("must be a step number >= 0", path=path, field=f"{where}.start")
        if not isinstance(weights, dict) or not weights:
            raise InputError("must be a table of bin = weight", path=path, field=f"{where}.weights")
        for key, value in weights.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise InputError("must be a number >= 0", path=path, field=f"{where}.weights.{key}")
        phases.append(Phase(start, {str(k): float(v) for k, v in weights.items()}))
    unknown = set(data) - {"name", "phase"}
    if unknown:
        raise InputError(f"unknown keys {sorted(unknown)}", path=path)
    try:
        return Schedule(str(data.get("name", path.stem)), tuple(phases))
    except ConfigError as exc:
        raise InputError(str(exc), path=path, field="phase") from None


class CurriculumSampler:
    """Draws problem ids for a training step with the schedule's weights at that step.

    `problems` maps each bin to its problem ids. A slot's bin is drawn with the step's
    weights among the bins that have problems (weights renormalized), then a problem
    uniformly within the bin. Deterministic for (seed, step, slot)."""

    def __init__(self, problems: Mapping[str, Sequence[str]], schedule: Schedule, seed: int = 0) -> None:
        self.problems = {name: list(ids) for name, ids in problems.items() if ids}
        if not self.problems:
            raise ConfigError("the curriculum has no problems in any bin")
        named = set(schedule.bins)
        if not named & set(self.problems):
            raise ConfigError(
                f"schedule {schedule.name!r} weighs bins {sorted(named)}, none of which has problems "
                f"(bins with problems: {sorted(self.problems)})"
            )
        self.schedule = schedule
        self.seed = seed

    def weights(self, step: int) -> dict[str, float]:
        """The weights actually used at `step`: the schedule's, over bins with problems."""
        raw = {k: w for k, w in self.schedule.weights_at(step).items() if k in self.problems}
        total = sum(raw.values())
        if total <= 0:  # the phase weighs only empty bins: fall back to the bins there are
            return {k: 1 / len(self.problems) for k in self.problems}
        return {k: w / total for k, w in raw.items() if w > 0}

    def draw(self, step: int, count: int) -> list[tuple[str, str]]:
        """`count` (bin, problem id) pairs for `step`."""
        rng = random.Random(f"codefrontier-curriculum:{self.seed}:{step}")
        weights = self.weights(step)
        names = list(weights)
        bins = rng.choices(names, weights=[weights[n] for n in names], k=count)
        return [(name, self.problems[name][rng.randrange(len(self.problems[name]))]) for name in bins]


def curriculum_rows(
    sampler: CurriculumSampler,
    rows: Mapping[str, Mapping[str, Any]],
    *,
    prompts_per_step: int,
    steps: int,
    start_step: int = 0,
) -> Iterator[dict[str, Any]]:
    """Training rows in order: `prompts_per_step` rows per step, each the problem's row
    (`rows[problem_id]`, e.g. its prompt) plus `problem_id`, `bin` and `step`."""
    for step in range(start_step, steps):
        for name, problem_id in sampler.draw(step, prompts_per_step):
            yield {**rows[problem_id], "problem_id": problem_id, "bin": name, "step": step}


class CurriculumDataset:
    """A map-style dataset whose row i belongs to step i // prompts_per_step: with
    TRL, pass `shuffle_dataset=False` and set `prompts_per_step` to the unique prompts
    per optimizer step (generation_batch_size / num_generations / steps_per_generation).
    Rows are drawn on access, so the dataset costs no memory for long schedules."""

    def __init__(
        self,
        sampler: CurriculumSampler,
        rows: Mapping[str, Mapping[str, Any]],
        *,
        prompts_per_step: int,
        steps: int,
    ) -> None:
        if prompts_per_step < 1 or steps < 1:
            raise ConfigError("prompts_per_step and steps must be at least 1")
        missing = {pid for ids in sampler.problems.values() for pid in ids} - set(rows)
        if missing:
            raise ConfigError(f"no row for problems {sorted(missing)[:5]}")
        self.sampler = sampler
        self.rows = rows
        self.prompts_per_step = prompts_per_step
        self.steps = steps
        self._cached: tuple[int, list[tuple[str, str]]] | None = None

    def __len__(self) -> int:
        return self.steps * self.prompts_per_step

    def __getitem__(self, index: int) -> dict[str, Any]:
        if not 0 <= index < len(self):
            raise IndexError(index)
        step, slot = divmod(index, self.prompts_per_step)
        if self._cached is None or self._cached[0] != step:
            self._cached = (step, self.sampler.draw(step, self.prompts_per_step))
        name, problem_id = self._cached[1][slot]
        return {**self.rows[problem_id], "problem_id": problem_id, "bin": name, "step": step}

    def to_hf(self) -> Any:
        """The same rows as a `datasets.Dataset` (materialized; for short schedules)."""
        import datasets

        return datasets.Dataset.from_list([self[i] for i in range(len(self))])


def grpo_advantages(rewards: Sequence[float | None]) -> list[float | None]:
    """The GRPO advantage of each completion of one prompt's group, without the standard
    deviation normalization: A_i = r_i - mean(r). Missing rewards (None: the judge could
    not compute them) stay None and are left out of the mean."""
    present = [r for r in rewards if r is not None]
    if not present:
        return [None for _ in rewards]
    mean = sum(present) / len(present)
    return [None if r is None else r - mean for r in rewards]


def grouped_advantages(rewards: Sequence[float | None], group_size: int) -> list[float | None]:
    """`grpo_advantages` over consecutive groups of `group_size` (a batch laid out the
    way GRPO trainers lay it out: the completions of one prompt together)."""
    if group_size < 1 or len(rewards) % group_size:
        raise ConfigError(f"{len(rewards)} rewards do not split into groups of {group_size}")
    out: list[float | None] = []
    for start in range(0, len(rewards), group_size):
        out += grpo_advantages(rewards[start : start + group_size])
    return out


def plot_schedule(schedule: Schedule, path: Path, *, steps: int | None = None) -> Path:
    """A PNG of the weights over steps (one line per bin, steps on the x axis)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    last = schedule.phases[-1].start
    end = steps or max(1, int(last * 1.25) or 1000)
    xs: list[int] = []
    for phase in schedule.phases:
        if phase.start > end:
            break
        xs += [phase.start]
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=120)
    for name in schedule.bins:
        x_pts, y_pts = [], []
        for i, start in enumerate(xs):
            stop = xs[i + 1] if i + 1 < len(xs) else end
            w = schedule.weights_at(start)[name]
            x_pts += [start, stop]
            y_pts += [w, w]
        ax.plot(x_pts, y_pts, label=name, linewidth=2)
    ax.set_xlim(0, end)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("training step")
    ax.set_ylabel("sampling weight")
    ax.set_title(f"curriculum: {schedule.name}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
