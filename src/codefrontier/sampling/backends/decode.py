"""Continuous batching for a transformers causal LM in this process.

`Decoder` keeps up to `slots` sequences decoding together. A sequence that ends (an EOS
token, its token budget, one of its stop strings, the context) leaves the batch at once,
and a waiting prompt takes its slot at the next step: nothing is spent on padding after a
short answer, as it is when a static batch lasts as long as its longest answer. Prompts
join in groups sorted by length (less padding in their prefill).

The key-value cache is preallocated: each layer keeps one buffer per keys and values
that grows by doubling and is written in place, instead of being concatenated at every
step (which costs a copy of the whole cache per token). Sequences of different lengths
share the buffer left-padded; the attention mask hides the padding, and each sequence
carries its own position ids, exactly as `generate` does with left-padded batches. When
rows leave, columns no remaining row uses are cut off the left.

Each sequence samples with its own random generator, seeded from its request's seed, so a
sample does not depend on which other requests shared its batch (up to the float
rounding of batched arithmetic). Greedy decoding (temperature 0) takes the argmax.

`stop_requested` is checked between steps (one step is well under a second on a CPU for a
small model): an interrupted run stops within a step, and the sequences still decoding
are dropped, never delivered half-done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PREFILL_GROUP = 8  # prompts prefilled in one forward pass
CROP_AT = 64  # cut unused left columns off the cache once this many pile up


@dataclass
class Sequence:
    """One sequence to generate: its prompt ids, budget, sampling parameters and what
    happens when it ends."""

    prompt_ids: list[int]
    max_new_tokens: int
    temperature: float
    top_p: float
    seed: int | None
    # (generated ids without the end token, finish reason: stop | length | interrupted, or the exception)
    done: Callable[[list[int], Any], None]
    stop: list[str] = field(default_factory=list)
    stop_ids: frozenset[int] = frozenset()  # tokens that end this sequence as EOS does
    tokens: list[int] = field(default_factory=list)
    end_token: int | None = None  # the EOS or stop token that ended it
    generator: Any = None


class Decoder:
    """Continuous batching over one model (see the module doc); used by one thread."""

    def __init__(self, model: Any, tokenizer: Any, *, slots: int, eos_ids: set[int]) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.slots = slots
        self.eos_ids = eos_ids
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self.live: list[Sequence] = []
        self.cache: Any = None
        self.mask: Any = None  # [rows, columns] 1 where a row has a token in the cache
        self.positions: Any = None  # [rows] the position id of each row's next token
        self.last: Any = None  # [rows] each row's last token, fed at the next step
        self.generated = 0  # tokens generated so far (for progress)
        self.steps = 0
        self.stop_requested = threading.Event()

    @property
    def free(self) -> int:
        return self.slots - len(self.live)

    def admit(self, sequences: list[Sequence]) -> None:
        """Prefill `sequences` (at most `free`) and add them to the batch."""
        ordered = sorted(sequences, key=lambda s: len(s.prompt_ids))
        for start in range(0, len(ordered), PREFILL_GROUP):
            if self.stop_requested.is_set():
                for seq in ordered[start:]:
                    seq.done([], "interrupted")
                return
            self._prefill(ordered[start : start + PREFILL_GROUP])

    def step(self) -> None:
        """One token for every live sequence; the ones that end leave the batch."""
        import torch

        if not self.live:
            return
        ones = torch.ones((len(self.live), 1), dtype=self.mask.dtype)
        self.mask = torch.cat([self.mask, ones], dim=1)
        with torch.inference_mode():
            out = self.model(
                input_ids=self.last[:, None],
                attention_mask=self.mask,
                position_ids=self.positions[:, None],
                **_cache_kwarg(self.model, self.cache),
                use_cache=True,
            )
        self.positions = self.positions + 1
        self.steps += 1
        self._take(out.logits[:, -1, :])

    # -- internals ----------------------------------------------------------------------------
    def _prefill(self, group: list[Sequence]) -> None:
        """One forward pass over the group's distinct prompts (samples of one problem share
        theirs: it is computed once and its cache rows copied)."""
        import torch

        distinct: dict[tuple[int, ...], int] = {}
        for seq in group:
            distinct.setdefault(tuple(seq.prompt_ids), len(distinct))
            if seq.temperature > 0:
                seq.generator = torch.Generator().manual_seed(seq.seed if seq.seed is not None else 0)
        prompts = list(distinct)
        width = max(len(p) for p in prompts)
        ids = torch.full((len(prompts), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for row, prompt in enumerate(prompts):
            ids[row, width - len(prompt) :] = torch.tensor(prompt)
            mask[row, width - len(prompt) :] = 1
        positions = (mask.cumsum(dim=1) - 1).clamp(min=0)
        cache = new_cache()
        with torch.inference_mode():
            out = self.model(
                input_ids=ids,
                attention_mask=mask,
                position_ids=positions,
                **_cache_kwarg(self.model, cache),
                use_cache=True,
            )
        rows = torch.tensor([distinct[tuple(seq.prompt_ids)] for seq in group], dtype=torch.long)
        if len(prompts) < len(group):
            for layer in cache.layers:
                layer.replace(layer.keys[rows], layer.values[rows])
        self._join(group, cache, mask[rows], positions[rows, -1] + 1)
        self._take(out.logits[rows, -1, :], first=len(self.live) - len(group))

    def _join(self, group: list[Sequence], cache: Any, mask: Any, positions: Any) -> None:
        """Append the prefilled rows to the batch, left-padding whichever side is shorter."""
        import torch

        if not self.live:
            self.live, self.cache, self.mask, self.positions = list(group), cache, mask, positions
            self.last = torch.zeros(len(group), dtype=torch.long)
            return
        old, new = self.mask.shape[1], mask.shape[1]
        width = max(old, new)
        for mine, theirs in zip(self.cache.layers, cache.layers, strict=True):
            keys = torch.cat([_left_pad(mine.keys, width), _left_pad(theirs.keys, width)], dim=0)
            values = torch.cat([_left_pad(mine.values, width), _left_pad(theirs.values, width)], dim=0)
            mine.replace(keys, values)
        self.mask = torch.cat([_left_pad(self.mask, width, dim=1), _left_pad(mask, width, dim=1)], dim=0)
        self.positions = torch.cat([self.positions, positions])
        self.last = torch.cat([self.last, torch.zeros(len(group), dtype=torch.long)])
        self.live += group

    def _take(self, logits: Any, first: int = 0) -> None:
        """Choose the next token of live rows `first`, `first + 1`, ... (one row of
        `logits` each); end the rows that are done."""
        import torch

        ended: list[int] = []
        for offset in range(logits.shape[0]):
            row = first + offset
            seq = self.live[row]
            token = _choose(logits[offset], seq)
            self.last[row] = token
            self.generated += 1
            if token in self.eos_ids or token in seq.stop_ids:
                seq.end_token = token
                seq.done(seq.tokens, "stop")
                ended.append(row)
                continue
            seq.tokens.append(token)
            if len(seq.tokens) >= seq.max_new_tokens:
                seq.done(seq.tokens, "length")
                ended.append(row)
            elif seq.stop and len(seq.tokens) % 8 == 0 and _has_stop(self.tokenizer, seq):
                seq.done(seq.tokens, "stop")
                ended.append(row)
        if ended:
            gone = set(ended)
            keep = [r for r in range(len(self.live)) if r not in gone]
            self._keep(torch.tensor(keep, dtype=torch.long))

    def _keep(self, keep: Any) -> None:
        self.live = [self.live[i] for i in keep.tolist()]
        if not self.live:
            self.cache = self.mask = self.positions = self.last = None
            return
        self.mask, self.positions, self.last = self.mask[keep], self.positions[keep], self.last[keep]
        unused = int((self.mask.sum(dim=0) == 0).long().cumprod(dim=0).sum())  # leading all-padding columns
        crop = unused if unused >= CROP_AT else 0
        self.mask = self.mask[:, crop:]
        for layer in self.cache.layers:
            layer.replace(layer.keys[keep, :, crop:], layer.values[keep, :, crop:])

    def abandon(self) -> list[Sequence]:
        """Drop every live sequence (an interrupted run); return them."""
        dropped, self.live = self.live, []
        self.cache = self.mask = self.positions = self.last = None
        return dropped


def _cache_kwarg(model: Any, cache: Any) -> dict[str, Any]:
    """`cache=` where the model's forward takes it (transformers 5.x renames
    `past_key_values`), else `past_key_values=`."""
    import inspect

    name = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
    return {name: cache}


def _left_pad(tensor: Any, width: int, dim: int = 2) -> Any:
    import torch

    missing = width - tensor.shape[dim]
    if missing == 0:
        return tensor
    shape = list(tensor.shape)
    shape[dim] = missing
    return torch.cat([torch.zeros(shape, dtype=tensor.dtype, device=tensor.device), tensor], dim=dim)


def _choose(logits: Any, seq: Sequence) -> int:
    import torch

    if seq.temperature <= 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits.float() / seq.temperature, dim=-1)
    if seq.top_p < 1.0:
        sorted_probs, order = torch.sort(probs, descending=True)
        cumulative = torch.cumsum(sorted_probs, dim=-1)
        cut = cumulative - sorted_probs > seq.top_p  # keep the smallest prefix reaching top_p
        sorted_probs[cut] = 0.0
        probs = torch.zeros_like(probs).scatter_(0, order, sorted_probs)
    return int(torch.multinomial(probs, 1, generator=seq.generator))


def _has_stop(tokenizer: Any, seq: Sequence) -> bool:
    tail = tokenizer.decode(seq.tokens[-64:], skip_special_tokens=True)
    return any(stop in tail for stop in seq.stop)


# -- the preallocated cache -------------------------------------------------------------------
def new_cache() -> Any:
    """An empty cache whose layers write into preallocated, doubling buffers."""
    from transformers.cache_utils import Cache

    return Cache(layer_class_to_replicate=_layer_class())


_LAYER: Any = None


def _layer_class() -> Any:
    """transformers' DynamicLayer, with keys and values kept in buffers that grow by
    doubling and are written in place (the base class concatenates at every step)."""
    global _LAYER
    if _LAYER is not None:
        return _LAYER
    import torch
    from transformers.cache_utils import DynamicLayer

    class PreallocatedLayer(DynamicLayer):  # type: ignore[misc]
        def lazy_initialization(self, key_states: Any, value_states: Any) -> None:
            self.device = key_states.device
            self.length = 0
            self._k = key_states.new_empty((*key_states.shape[:2], 0, key_states.shape[3]))
            self._v = value_states.new_empty((*value_states.shape[:2], 0, value_states.shape[3]))
            self.keys, self.values = self._k, self._v
            self.is_initialized = True

        def update(self, key_states: Any, value_states: Any, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
            if not self.is_initialized:
                self.lazy_initialization(key_states, value_states)
            end = self.length + key_states.shape[-2]
            if end > self._k.shape[-2]:
                self._grow(max(end, 2 * self._k.shape[-2], 64))
            self._k[:, :, self.length : end] = key_states
            self._v[:, :, self.length : end] = value_states
            self.length = end
            self.keys, self.values = self._k[:, :, :end], self._v[:, :, :end]
            return self.keys, self.values

        def _grow(self, capacity: int) -> None:
            k = self._k.new_empty((*self._k.shape[:2], capacity, self._k.shape[3]))
            v = self._v.new_empty((*self._v.shape[:2], capacity, self._v.shape[3]))
            k[:, :, : self.length] = self._k[:, :, : self.length]
            v[:, :, : self.length] = self._v[:, :, : self.length]
            self._k, self._v = k, v

        def replace(self, keys: Any, values: Any) -> None:
            """New contents (rows selected, padded or cropped), with room to grow."""
            length = keys.shape[-2]
            capacity = max(64, 2 * length)
            self._k = keys.new_empty((*keys.shape[:2], capacity, keys.shape[3]))
            self._v = values.new_empty((*values.shape[:2], capacity, values.shape[3]))
            self._k[:, :, :length] = keys
            self._v[:, :, :length] = values
            self.length = length
            self.keys, self.values = self._k[:, :, :length], self._v[:, :, :length]

        def get_seq_length(self) -> int:
            return self.length if self.is_initialized else 0

        def batch_select_indices(self, indices: Any) -> None:
            self.replace(self.keys[indices], self.values[indices])

        def reset(self) -> None:
            self.length = 0
            super().reset()

    del torch
    _LAYER = PreallocatedLayer
    return _LAYER


def measure_step_seconds(model: Any, *, rows: int = 8, prompt: int = 32, steps: int = 8) -> float:
    """Seconds per decoding step of `model` on a batch of `rows` random prompts (the
    median of `steps` steps after a prefill): what the dtype choice compares."""
    import torch

    vocab = int(getattr(model.config, "vocab_size", 100))
    ids = torch.randint(0, vocab, (rows, prompt), generator=torch.Generator().manual_seed(0))
    mask = torch.ones_like(ids)
    cache = new_cache()
    times = []
    with torch.inference_mode():
        out = model(input_ids=ids, attention_mask=mask, use_cache=True, **_cache_kwarg(model, cache))
        token = out.logits[:, -1].argmax(-1)
        for i in range(steps):
            mask = torch.cat([mask, torch.ones((rows, 1), dtype=mask.dtype)], dim=1)
            started = time.perf_counter()
            out = model(
                input_ids=token[:, None],
                attention_mask=mask,
                position_ids=torch.full((rows, 1), prompt + i),
                **_cache_kwarg(model, cache),
                use_cache=True,
            )
            token = out.logits[:, -1].argmax(-1)
            times.append(time.perf_counter() - started)
    times.sort()
    return times[len(times) // 2]
