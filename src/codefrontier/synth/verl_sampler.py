"""A curriculum sampler for verl's `data.sampler` hook (docs/synth.md, "Curricula").

    data.sampler.class_path=$(python -c "import codefrontier.synth.verl_sampler as m; print(m.__file__)")
    data.sampler.class_name=CurriculumSampler
    +data.curriculum.schedule=soft            # a named schedule or a TOML file
    +data.curriculum.seed=0
    +data.curriculum.steps=30000
    +data.curriculum.bin_key=bin              # the dataset column holding each row's bin

verl constructs it as `CurriculumSampler(data_source=dataset, data_config=config.data)`
and draws `train_batch_size` indices per step; the k-th batch follows the schedule's
weights at step k. Each row's bin is read from the dataset's `bin_key` column (top level
or in `extra_info`), once. This module imports torch (verl has it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sized
from typing import Any

from torch.utils.data import Sampler

from codefrontier.errors import ConfigError
from codefrontier.synth.curriculum import CurriculumSampler as _Draws
from codefrontier.synth.curriculum import load_schedule


class CurriculumSampler(Sampler[int]):
    def __init__(self, data_source: Sized, data_config: Mapping[str, Any]) -> None:
        curriculum = dict(_get(data_config, "curriculum") or {})
        self.batch_size = int(curriculum.get("batch_size") or _get(data_config, "train_batch_size") or 0)
        self.steps = int(curriculum.get("steps") or 0)
        if self.batch_size < 1 or self.steps < 1:
            raise ConfigError("the curriculum sampler needs data.train_batch_size and data.curriculum.steps")
        key = str(curriculum.get("bin_key", "bin"))
        by_bin: dict[str, list[str]] = {}
        for index, name in enumerate(row_bins(data_source, key)):
            by_bin.setdefault(str(name), []).append(str(index))
        self.draws = _Draws(
            by_bin, load_schedule(str(curriculum.get("schedule", "uniform"))), int(curriculum.get("seed", 0))
        )
        self.start_step = 0

    def __iter__(self) -> Iterator[int]:
        for step in range(self.start_step, self.steps):
            for _, index in self.draws.draw(step, self.batch_size):
                yield int(index)

    def __len__(self) -> int:
        return (self.steps - self.start_step) * self.batch_size


def row_bins(data_source: Any, key: str) -> list[Any]:
    """Each row's bin: a column of the dataset's dataframe when it has one (verl's
    RLHFDataset), else read row by row."""
    frame = getattr(data_source, "dataframe", None)
    if frame is not None:
        try:
            return list(frame[key])
        except (KeyError, ValueError):
            try:
                return [info.get(key) for info in frame["extra_info"]]
            except (KeyError, ValueError):
                pass
    out = []
    for index in range(len(data_source)):
        row = data_source[index]
        value = row.get(key) if isinstance(row, Mapping) else None
        if value is None and isinstance(row, Mapping) and isinstance(row.get("extra_info"), Mapping):
            value = row["extra_info"].get(key)
        if value is None:
            raise ConfigError(
                f"row {index} of the training data has no {key!r} (the curriculum needs each row's bin)"
            )
        out.append(value)
    return out


def _get(config: Any, key: str) -> Any:
    if isinstance(config, Mapping):
        return config.get(key)
    return getattr(config, key, None)
