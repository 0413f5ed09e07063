"""How fast `codefrontier merge` is against the raw I/O bound and against mergekit.

    .venv/bin/python benchmarks/merge_speed.py [--size-gb 1] [--repeat 3] [--mergekit-python /tmp/mk-venv/bin/python]
        [--baseline OTHER_CHECKOUT/src]

Builds a synthetic pair of Llama-architecture checkpoints (bf16, sharded at 250 MB, about
`--size-gb` each; high = low + a small random update), then times, in the same run:

  (a) the raw bound: read both inputs once and write one output of the same size (a copy);
  (b) codefrontier writing one alpha (0.5), with the default BLAKE3 digest of the inputs,
  (b') the same without hashing (--hash none), and (b'') with SHA-256 (--hash sha256);
  (c) codefrontier writing a sweep of five alphas (-0.5 0.25 0.5 0.75 1.5) in one pass;
  (d) mergekit's linear merge for alpha 0.5, and for the same five alphas by five runs.

Every measurement runs in a fresh child process (the parent never loads torch), after
`sync` so that earlier writes are not flushed on its time. The time is measured inside the
child around the operation alone, so interpreter start and imports are excluded for every
tool (the child's whole wall time is printed too); peak memory is the child's maximum RSS
from wait4. (a), (b), (b'), (b'') and (c) are repeated `--repeat` times and the fastest run is
kept; mergekit's one-alpha figure is the faster of its two runs at alpha 0.5.

mergekit must be installed in a separate environment (`--mergekit-python`, default
/tmp/mk-venv/bin/python): `python3 -m venv /tmp/mk-venv && /tmp/mk-venv/bin/pip install
torch==2.13.0 && /tmp/mk-venv/bin/pip install mergekit`. If it is missing or fails, that
is said and the other figures are still printed. With `--baseline SRC` (the `src` directory of
another checkout, e.g. main's), (b), (b') and (c) are run once more with this tree and
with the baseline, alternating run by run, and their ratios printed: a change's cost,
measured under the same load. Everything is written under a temporary
directory that is removed at the end. The page cache is warm for every measurement (the
pair fits in memory): the figures compare CPU and memory work, not disk reads. Prints
ratios, never pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SWEEP = (-0.5, 0.25, 0.5, 0.75, 1.5)
ONE = 0.5

CHILD_PRELUDE = """
import json, sys, time
def report(seconds, **extra):
    # time.process_time(): CPU seconds of every thread of the child so far; `cpu` is the
    # CPU spent since the clock in `started` was read (see START_CPU below).
    # VmHWM: this interpreter's own peak RSS. Not ru_maxrss, which after execve keeps the
    # peak of the process the child was forked from (the benchmark's own, here).
    with open("/proc/self/status") as fh:
        peak_kb = int(next(line for line in fh if line.startswith("VmHWM:")).split()[1])
    result = {"seconds": seconds, "cpu": time.process_time() - START_CPU, "peak_kb": peak_kb, **extra}
    print("RESULT " + json.dumps(result), flush=True)
START_CPU = 0.0
"""

BUILD_CHILD = """
import json, math
import torch
from safetensors.torch import save_file
from transformers import LlamaConfig
from pathlib import Path

root, size_gb = Path(sys.argv[1]), float(sys.argv[2])
hidden, intermediate, vocab = 2048, 5632, 32000
per_layer = 4 * hidden * hidden + 3 * hidden * intermediate + 2 * hidden
layers = max(1, round((size_gb * 1e9 / 2 - 2 * vocab * hidden - hidden) / per_layer))
config = LlamaConfig(
    hidden_size=hidden, intermediate_size=intermediate, num_hidden_layers=layers, num_attention_heads=16,
    num_key_value_heads=16, vocab_size=vocab, tie_word_embeddings=False, architectures=["LlamaForCausalLM"],
    dtype="bfloat16",
)
shapes = {"model.embed_tokens.weight": (vocab, hidden)}
for i in range(layers):
    p = f"model.layers.{i}."
    for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
        shapes[p + f"self_attn.{name}.weight"] = (hidden, hidden)
    shapes[p + "mlp.gate_proj.weight"] = (intermediate, hidden)
    shapes[p + "mlp.up_proj.weight"] = (intermediate, hidden)
    shapes[p + "mlp.down_proj.weight"] = (hidden, intermediate)
    shapes[p + "input_layernorm.weight"] = (hidden,)
    shapes[p + "post_attention_layernorm.weight"] = (hidden,)
shapes["model.norm.weight"] = (hidden,)
shapes["lm_head.weight"] = (vocab, hidden)

shards, filled = [[]], 0
for name, shape in shapes.items():
    nbytes = math.prod(shape) * 2
    if shards[-1] and filled + nbytes > 250_000_000:
        shards.append([])
        filled = 0
    shards[-1].append(name)
    filled += nbytes
low, high = root / "low", root / "high"
generator = torch.Generator().manual_seed(0)
for directory in (low, high):
    directory.mkdir()
    config.save_pretrained(directory)
weight_map, total = {}, 0
for i, names in enumerate(shards):
    filename = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
    low_tensors, high_tensors = {}, {}
    for name in names:
        shape = shapes[name]
        base = torch.randn(shape, generator=generator) * (1.0 if len(shape) == 1 else 0.02)
        update = torch.randn(shape, generator=generator) * 0.002
        low_tensors[name] = base.to(torch.bfloat16)
        high_tensors[name] = (base + update).to(torch.bfloat16)
        weight_map[name] = filename
        total += math.prod(shape) * 2
    save_file(low_tensors, low / filename, metadata={"format": "pt"})
    save_file(high_tensors, high / filename, metadata={"format": "pt"})
index = json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2)
for directory in (low, high):
    (directory / "model.safetensors.index.json").write_text(index)
report(0.0, total=total, layers=layers)
"""

RAW_CHILD = """
import os, shutil
low, high, out = sys.argv[1:4]
START_CPU, started = time.process_time(), time.perf_counter()
buffer = memoryview(bytearray(16 << 20))
for directory in (low, high):
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), "rb", buffering=0) as f:
            while f.readinto(buffer):
                pass
os.makedirs(out)
for name in sorted(os.listdir(low)):
    shutil.copyfile(os.path.join(low, name), os.path.join(out, name))
report(time.perf_counter() - started)
"""

CODEFRONTIER_CHILD = """
from codefrontier.merge import merge_sweep
low, high, out, alphas, input_hash = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
START_CPU, started = time.process_time(), time.perf_counter()
result = merge_sweep(low, high, [float(a) for a in alphas.split(",")], out, input_hash=None if input_hash == "none" else input_hash)
report(time.perf_counter() - started, bytes_read=result.bytes_read, bytes_written=result.bytes_written)
"""

MERGEKIT_CHILD = """
import yaml
from mergekit.config import MergeConfiguration
from mergekit.merge import MergeOptions, run_merge
low, high, out, alpha = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
config = MergeConfiguration.model_validate(yaml.safe_load(f'''
merge_method: linear
dtype: bfloat16
parameters: {{normalize: false}}
models:
  - model: {low}
    parameters: {{weight: {1 - alpha}}}
  - model: {high}
    parameters: {{weight: {alpha}}}
'''))
options = MergeOptions(cuda=False, lazy_unpickle=True, copy_tokenizer=False, write_model_card=False, quiet=True)
START_CPU, started = time.process_time(), time.perf_counter()
run_merge(config, out, options=options)
report(time.perf_counter() - started)
"""

COMPARE_CHILD = """
import torch
from safetensors import safe_open
from pathlib import Path
ours, theirs = Path(sys.argv[1]), Path(sys.argv[2])
def tensors(directory):
    out = {}
    for path in sorted(directory.glob("*.safetensors")):
        with safe_open(path, framework="pt") as f:
            for name in f.keys():
                out[name] = f.get_tensor(name)
    return out
a, b = tensors(ours), tensors(theirs)
same = sum(int((a[n].view(torch.int16) == b[n].view(torch.int16)).sum()) for n in a)
total = sum(a[n].numel() for n in a)
worst = max(float((a[n].float() - b[n].float()).abs().max()) for n in a)
report(0.0, identical=same / total, max_abs_diff=worst, names_match=sorted(a) == sorted(b))
"""


@dataclass
class Measurement:
    label: str
    seconds: float = float("nan")
    cpu: float = float("nan")
    wall: float = float("nan")
    peak_mb: float = float("nan")
    error: str | None = None
    extra: dict | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_child(
    python: str, code: str, args: list[str], label: str = "", src: str | None = None
) -> Measurement:
    """Run `code` in a fresh interpreter (importing codefrontier from `src` if given); its
    RESULT line, its peak RSS (its own VmHWM) and its wall time."""
    script = CHILD_PRELUDE + textwrap.dedent(code)
    env = None if src is None else {**os.environ, "PYTHONPATH": src}
    os.sync()
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            [python, "-c", script, *args], stdout=stdout, stderr=stderr, text=True, env=env
        )
        _, status, _ = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read(), stderr.read()
    lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
    if process.returncode != 0 or not lines:
        last = (err or out).strip().splitlines()[-1:] or [f"exit status {process.returncode}"]
        return Measurement(label, wall=wall, error=last[0])
    result = json.loads(lines[-1].removeprefix("RESULT "))
    seconds, cpu, peak_kb = result.pop("seconds"), result.pop("cpu"), result.pop("peak_kb")
    return Measurement(label, seconds, cpu, wall, peak_kb / 1024, extra=result)


def best_of(repeat: int, python: str, code: str, args: list[str], label: str, out: Path) -> Measurement:
    runs = []
    for _ in range(repeat):
        runs.append(run_child(python, code, args, label))
        shutil.rmtree(out, ignore_errors=True)
        if not runs[-1].ok:
            break
    failed = [r for r in runs if not r.ok]
    best = failed[0] if failed else min(runs, key=lambda r: r.seconds)
    best.peak_mb = max(r.peak_mb for r in runs)
    show(
        best, f"best of {len(runs)}: " + ", ".join(f"{r.seconds:.2f}" for r in runs) if len(runs) > 1 else ""
    )
    return best


def show(m: Measurement, note: str = "") -> None:
    if not m.ok:
        print(f"  {m.label}: FAILED: {m.error}")
        return
    suffix = f"; {note}" if note else ""
    print(
        f"  {m.label}: {m.seconds:.2f} s, {m.cpu:.2f} CPU-s  (child wall {m.wall:.1f} s{suffix}), "
        f"peak RSS {m.peak_mb:.0f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size-gb", type=float, default=1.0, help="size of each input checkpoint (default 1)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of (a) to (c); the fastest is kept")
    parser.add_argument(
        "--mergekit-python", default="/tmp/mk-venv/bin/python", help="interpreter with mergekit"
    )
    parser.add_argument(
        "--workdir", default=None, help="where the temporary checkpoints go (default: $TMPDIR)"
    )
    parser.add_argument(
        "--baseline",
        default=None,
        metavar="SRC",
        help="the src directory of another checkout: also time (b), (b') and (c) with it, alternating",
    )
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="merge-speed-", dir=args.workdir))
    try:
        return benchmark(root, args)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def benchmark(root: Path, args: argparse.Namespace) -> int:
    python = sys.executable
    print(f"codefrontier merge benchmark, {date.today().isoformat()}")
    cpu = platform.processor() or platform.machine()
    print(f"machine: {cpu}, {os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}")
    built = run_child(python, BUILD_CHILD, [str(root), str(args.size_gb)], "build")
    if not built.ok or built.extra is None:
        print(f"could not build the checkpoints: {built.error}")
        return 1
    low, high, out = root / "low", root / "high", root / "out"
    print(
        f"inputs: 2 x {built.extra['total'] / 1e9:.2f} GB bf16 Llama-architecture checkpoints "
        f"({built.extra['layers']} layers, hidden 2048, sharded at 250 MB), built in {built.wall:.0f} s; page cache warm\n"
    )
    pair = [str(low), str(high), str(out)]
    raw = best_of(args.repeat, python, RAW_CHILD, pair, "(a)  raw bound: read both, write one", out)

    def codefrontier(alphas: str, input_hash: str, label: str) -> Measurement:
        return best_of(args.repeat, python, CODEFRONTIER_CHILD, [*pair, alphas, input_hash], label, out)

    one = codefrontier(str(ONE), "blake3", "(b)  codefrontier, 1 alpha")
    one_nohash = codefrontier(str(ONE), "none", "(b') codefrontier, 1 alpha, --hash none")
    one_sha256 = codefrontier(str(ONE), "sha256", "(b'') codefrontier, 1 alpha, --hash sha256")
    sweep = codefrontier(",".join(map(str, SWEEP)), "blake3", "(c)  codefrontier, 5 alphas, one pass")

    mergekit_one, mergekit_runs, agreement = _mergekit(args, python, root, low, high, out)

    print("\nratios of time (and of CPU-seconds, which shared cores disturb less):")

    def ratio(label: str, top: Measurement, bottom: Measurement, target: str, scale: float = 1.0) -> None:
        if top.ok and bottom.ok:
            wall, cpu = top.seconds * scale / bottom.seconds, top.cpu * scale / bottom.cpu
            print(f"  {label:58s} {wall:5.2f}x  (CPU {cpu:5.2f}x)  {target}")

    ratio("(b)/(a)   codefrontier 1 alpha / raw bound", one, raw, "target <= 2")
    ratio("(b')/(a)  codefrontier 1 alpha, --hash none / raw bound", one_nohash, raw, "")
    ratio("(b'')/(a) codefrontier 1 alpha, --hash sha256 / raw bound", one_sha256, raw, "")
    if mergekit_one is not None:
        ratio("(d)/(b)   mergekit 1 alpha / codefrontier 1 alpha", mergekit_one, one, "target >= 2.5")
    if mergekit_runs:
        five = Measurement(
            "five", sum(r.seconds for r in mergekit_runs), sum(r.cpu for r in mergekit_runs), extra=None
        )
        ratio(
            f"5x(d)/(c) mergekit 5 runs ({five.seconds:.1f} s) / codefrontier sweep",
            five,
            sweep,
            "target >= 4",
        )
    if agreement is not None and agreement.extra is not None:
        e = agreement.extra
        print(
            f"\nalpha 0.5, codefrontier vs mergekit: {e['identical']:.4%} of elements bit-identical, "
            f"max |difference| {e['max_abs_diff']:.3g}, same tensor names: {e['names_match']}"
        )
    print("\npeak RSS (target < 512 MB for codefrontier):")
    for m in (
        raw,
        one,
        one_nohash,
        one_sha256,
        sweep,
        *(mergekit_runs or ([mergekit_one] if mergekit_one else [])),
    ):
        if m.ok:
            print(f"  {m.label}: {m.peak_mb:.0f} MB")
    if args.baseline:
        _against_baseline(args, python, pair, out)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    return 0


def _against_baseline(args: argparse.Namespace, python: str, pair: list[str], out: Path) -> None:
    """This tree's codefrontier against another checkout's, run for run in turn (so both see
    the same load), the fastest of `--repeat` kept for each."""
    here = os.environ.get("PYTHONPATH") or "(as installed)"
    print(f"\nthis tree ({here}) against the baseline {args.baseline}, alternating, best of {args.repeat}:")
    cases = [
        ("(b)  1 alpha", str(ONE), "blake3"),
        ("(b') 1 alpha, --hash none", str(ONE), "none"),
        ("(c)  5 alphas, one pass", ",".join(map(str, SWEEP)), "blake3"),
    ]
    for label, alphas, input_hash in cases:
        ours, theirs = [], []
        for _ in range(args.repeat):
            for runs, src in ((ours, None), (theirs, args.baseline)):
                runs.append(run_child(python, CODEFRONTIER_CHILD, [*pair, alphas, input_hash], label, src))
                shutil.rmtree(out, ignore_errors=True)
        if not all(r.ok for r in ours + theirs):
            print(f"  {label}: FAILED: {next(r.error for r in ours + theirs if not r.ok)}")
            continue
        a, b = min(ours, key=lambda r: r.seconds), min(theirs, key=lambda r: r.seconds)
        print(
            f"  {label:28s} this {a.seconds:.2f} s, {a.cpu:.2f} CPU-s; baseline {b.seconds:.2f} s, "
            f"{b.cpu:.2f} CPU-s; this/baseline {a.seconds / b.seconds:.2f}x (CPU {a.cpu / b.cpu:.2f}x)"
        )


def _mergekit(
    args: argparse.Namespace, python: str, root: Path, low: Path, high: Path, out: Path
) -> tuple[Measurement | None, list[Measurement], Measurement | None]:
    """Mergekit at alpha 0.5, then the five sweep alphas, each its own run; also how far
    its alpha-0.5 output is from ours."""
    if not Path(args.mergekit_python).exists():
        print(
            f"  (d)  mergekit: NOT RUN: {args.mergekit_python} does not exist; install mergekit there (see --help)"
        )
        return None, [], None
    probe = "import importlib.metadata as m; print(m.version('mergekit'))"
    version = subprocess.run(
        [args.mergekit_python, "-c", probe], capture_output=True, text=True
    ).stdout.strip()
    if not version:
        print(f"  (d)  mergekit: NOT RUN: mergekit is not importable by {args.mergekit_python}")
        return None, [], None
    pair = [str(low), str(high), str(out)]
    first = run_child(
        args.mergekit_python, MERGEKIT_CHILD, [*pair, str(ONE)], f"(d)  mergekit {version}, alpha {ONE}"
    )
    show(first)
    if not first.ok:
        shutil.rmtree(out, ignore_errors=True)
        print("  mergekit failed: no mergekit ratios")
        return None, [], None
    ours = root / "ours"
    run_child(python, CODEFRONTIER_CHILD, [str(low), str(high), str(ours), str(ONE), "none"])
    agreement = run_child(python, COMPARE_CHILD, [str(ours / f"alpha_{ONE}"), str(out)])
    shutil.rmtree(ours, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    runs = []
    for alpha in SWEEP:
        runs.append(
            run_child(
                args.mergekit_python, MERGEKIT_CHILD, [*pair, str(alpha)], f"(d)  mergekit, alpha {alpha}"
            )
        )
        shutil.rmtree(out, ignore_errors=True)
        show(runs[-1])
    if not all(r.ok for r in runs):
        return first, [], agreement
    best_one = min([first, runs[SWEEP.index(ONE)]], key=lambda r: r.seconds)
    return best_one, runs, agreement


if __name__ == "__main__":
    sys.exit(main())
