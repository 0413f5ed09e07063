"""The fused C kernel for the merge arithmetic (mix.c), and when it is used.

bfloat16 and float32 blocks (in and out) go through `cf_mix`: one call per block computes
every output of the sweep with the inputs widened once, in 1024-element chunks that stay
in cache, and releases the GIL for the whole block (ctypes does), so the merge workers run
truly in parallel. Its results are bit-identical to the torch path in engine.py (the tests
compare the two); other dtypes (float16, float64) use torch. It also reports an output
that overflowed (non-finite where every input is finite) from the same loop.

The kernel is built with the machine's C compiler on first use (codefrontier.native). Where
there is no compiler, or CODEFRONTIER_MERGE_KERNEL=torch is set, every block uses torch.
"""

from __future__ import annotations

import ctypes
import functools
import os
from collections.abc import Sequence
from pathlib import Path

import torch

from codefrontier.merge.methods import Combination
from codefrontier.native import BuildError, build

MIX_SOURCE = Path(__file__).parent / "mix.c"
KERNEL_ENV = "CODEFRONTIER_MERGE_KERNEL"  # "torch": never use the C kernel
DTYPE_CODES = {"BF16": 0, "F32": 1}  # what cf_mix handles
FORMULAS = {"linear": 0, "anchored": 1}
MAX_INPUTS = 16


@functools.cache
def _library() -> ctypes.CDLL | None:
    try:
        path = build(MIX_SOURCE, "merge-mix.so", [["-O3", "-ffp-contract=off", "-shared", "-fPIC"]])
        library = ctypes.CDLL(str(path))
    except (BuildError, OSError):
        return None
    library.cf_mix.restype = ctypes.c_int
    library.cf_mix.argtypes = [
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.c_int,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_float),
        ctypes.c_int,
        ctypes.c_long,
    ]
    return library


def kernel_available() -> bool:
    """Whether blocks can use the C kernel here (built, loaded, not turned off)."""
    return os.environ.get(KERNEL_ENV, "").lower() != "torch" and _library() is not None


class Mixer:
    """The C kernel bound to a list of combinations (of one kind): their weights as one
    float32 matrix, built once and used for every block they apply to."""

    def __init__(self, combinations: Sequence[Combination], n_inputs: int) -> None:
        library = _library()
        assert library is not None
        self._mix = library.cf_mix
        self.formula = FORMULAS[combinations[0].kind]
        self.n_inputs = n_inputs
        rows = [c.weights if c.kind == "linear" else (0.0, *c.weights) for c in combinations]
        flat = [w for row in rows for w in row]
        self.weights = (ctypes.c_float * max(len(flat), 1))(*flat)  # float(w): torch's rounding too
        self.n_outputs = len(rows)

    @staticmethod
    def handles(in_code: str, out_code: str, n_inputs: int) -> bool:
        return in_code in DTYPE_CODES and out_code in DTYPE_CODES and n_inputs <= MAX_INPUTS

    def mix(
        self, inputs: Sequence[torch.Tensor], in_code: str, outputs: Sequence[torch.Tensor], out_code: str
    ) -> int | None:
        """Every output (contiguous, `count` elements of out dtype) from the raw input
        blocks; the number of an output that overflowed, else None."""
        count = outputs[0].numel()
        ins = (ctypes.c_void_p * len(inputs))(*(t.data_ptr() for t in inputs))
        outs = (ctypes.c_void_p * len(outputs))(*(t.data_ptr() for t in outputs))
        status = self._mix(
            len(inputs), ins, DTYPE_CODES[in_code], len(outputs), outs, DTYPE_CODES[out_code],
            self.weights, self.formula, count,
        )  # fmt: skip
        if status < 0:
            raise RuntimeError(f"the merge kernel refused its arguments (status {status})")
        return status - 1 if status > 0 else None


def mixer_for(combinations: Sequence[Combination], n_inputs: int) -> Mixer | None:
    """A Mixer for the combinations of the computed outputs, or None to use torch."""
    if not combinations or n_inputs > MAX_INPUTS or not kernel_available():
        return None
    return Mixer(combinations, n_inputs)
