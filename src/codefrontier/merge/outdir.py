"""The output directory appears complete or not at all.

A sweep is written under a hidden sibling, `.<name>.partial-<host>-<pid>`, and renamed to
`<name>` only when every checkpoint in it is finished (one rename, so all outputs appear
together). Ctrl-C or an error removes the partial directory; a killed process leaves it
hidden and clearly named, and the next run into the same `<name>` removes it.
`--overwrite` replaces only an earlier merge output, never an unrelated directory.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

from codefrontier.errors import ConfigError

SWEEP_RECORD = "codefrontier_sweep.json"


def check_output(out: Path, inputs: list[Path], overwrite: bool) -> None:
    """Refuse an output that would clobber an input or an existing directory."""
    target = out.resolve()
    for path in inputs:
        source = path.resolve()
        if target == source or target.is_relative_to(source) or source.is_relative_to(target):
            raise ConfigError(f"--out {out} overlaps the input checkpoint {path}; choose another directory")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise ConfigError(
                f"--out {out} exists; use --overwrite to replace it, or choose another directory"
            )
        if not (out / SWEEP_RECORD).is_file():
            raise ConfigError(
                f"--out {out} exists and was not written by codefrontier merge (no {SWEEP_RECORD}); "
                "--overwrite only replaces earlier merge outputs: remove it yourself or choose another directory"
            )


def _tag() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def remove_leftovers(out: Path) -> list[Path]:
    """Remove partial directories of earlier runs into `out` on this host whose process
    is gone (killed mid-merge); return what was removed."""
    host = socket.gethostname()
    removed = []
    for kind in ("partial", "replaced"):
        for path in out.parent.glob(f".{out.name}.{kind}-{host}-*"):
            pid_text = path.name.rsplit("-", 1)[-1]
            if pid_text.isdigit() and int(pid_text) != os.getpid() and not _alive(int(pid_text)):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def make_partial(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.parent / f".{out.name}.partial-{_tag()}"
    partial.mkdir()
    return partial


def publish(partial: Path, out: Path, *, fsync: bool) -> None:
    """Rename the finished partial directory to `out`, replacing an earlier output."""
    if fsync:
        for directory in [*sorted(p for p in partial.rglob("*") if p.is_dir()), partial]:
            _fsync_dir(directory)
    replaced = None
    if out.is_dir():
        if any(out.iterdir()):
            replaced = out.parent / f".{out.name}.replaced-{_tag()}"
            out.rename(replaced)
        else:
            out.rmdir()
    partial.rename(out)
    if fsync:
        _fsync_dir(out.parent)
    if replaced is not None:
        shutil.rmtree(replaced, ignore_errors=True)


def discard(partial: Path) -> None:
    shutil.rmtree(partial, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
