"""The output directory appears complete or not at all.

A sweep is written under a hidden sibling, `.<name>.partial-<host>-<pid>`, and renamed to
`<name>` only when every checkpoint in it is finished (one rename, so all outputs appear
together). Ctrl-C or an error removes the partial directory; a killed process leaves it
hidden and clearly named, and the next run into the same `<name>` removes it.
`--overwrite` replaces only an earlier merge output, never an unrelated directory.

Two merges into the same `<name>` at once: the partial directory is also the claim. A
merge that finds another's partial directory whose process is alive (or on another
host, where that cannot be known) refuses at once; both look after creating their own, so
of two that start together at least one refuses. Without `--overwrite`, the final rename
never replaces a directory that appeared meanwhile (rename(2) does not replace a non-empty
directory): the merge refuses instead.
"""

from __future__ import annotations

import errno
import glob
import os
import shutil
import socket
from pathlib import Path

from codefrontier.errors import CodefrontierError, ConfigError
from codefrontier.processes import pid_alive

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
    try:
        occupied = out.is_dir() and any(out.iterdir())
    except OSError as exc:
        raise ConfigError(f"--out {out}: cannot read it: {exc.strerror}; choose another directory") from exc
    if occupied:
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


def _siblings(out: Path, kind: str) -> list[tuple[Path, str, int | None]]:
    """`.<name>.<kind>-<host>-<pid>` beside `out`: (path, host, pid or None if unreadable)."""
    prefix = f".{out.name}.{kind}-"
    found = []
    for path in out.parent.glob(glob.escape(prefix) + "*"):
        host, _, pid = path.name.removeprefix(prefix).rpartition("-")
        found.append((path, host, int(pid) if pid.isdigit() else None))
    return found


def remove_leftovers(out: Path) -> list[Path]:
    """Remove partial directories of earlier runs into `out` on this host whose process
    is gone (killed mid-merge); return what was removed."""
    host = socket.gethostname()
    removed = []
    for kind in ("partial", "replaced"):
        for path, owner, pid in _siblings(out, kind):
            if owner == host and pid is not None and pid != os.getpid() and not pid_alive(pid):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def other_writers(out: Path) -> list[tuple[Path, str, int | None]]:
    """Partial directories of `out` that another merge may still be writing: on this host
    those whose process is alive, on any other host all of them."""
    host, mine = socket.gethostname(), os.getpid()
    return [
        (path, owner, pid)
        for path, owner, pid in _siblings(out, "partial")
        if not (owner == host and pid == mine)
        and not (owner == host and pid is not None and not pid_alive(pid))
    ]


def make_partial(out: Path) -> Path:
    """Create this run's hidden partial directory beside `out`, and claim `out` with it:
    refuse if another merge is writing `out`."""
    partial = out.parent / f".{out.name}.partial-{_tag()}"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial.mkdir()
    except OSError as exc:
        raise CodefrontierError(
            f"--out {out}: cannot write in {out.parent}: {exc.strerror}; choose a directory you can write to"
        ) from exc
    others = other_writers(out)
    if others:
        discard(partial)
        path, host, pid = others[0]
        raise ConfigError(
            f"--out {out} is being written by another codefrontier merge (process {pid} on {host}, "
            f"writing {path.name}); wait for it to finish or choose another --out "
            "(if that process is gone, remove its directory)"
        )
    return partial


def publish(partial: Path, out: Path, *, fsync: bool, overwrite: bool) -> None:
    """Rename the finished partial directory to `out`. Only with `overwrite` does an
    earlier merge output there get replaced (checked again now: anything else that
    appeared meanwhile is left alone); an empty directory is always replaced."""
    if fsync:
        for directory in [*sorted(p for p in partial.rglob("*") if p.is_dir()), partial]:
            _fsync_dir(directory)
    replaced = None
    try:
        if overwrite and out.is_dir() and any(out.iterdir()) and (out / SWEEP_RECORD).is_file():
            replaced = out.parent / f".{out.name}.replaced-{_tag()}"
            out.rename(replaced)
        partial.rename(out)  # replaces an empty directory, never a non-empty one or a file
    except OSError as exc:
        if replaced is not None and not out.exists():
            replaced.rename(out)
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
            raise ConfigError(
                f"--out {out} appeared while merging (another process wrote it) and was left as it is; "
                "nothing was written: choose another --out, or use --overwrite to replace a merge output"
            ) from exc
        raise CodefrontierError(
            f"--out {out}: cannot move the finished outputs into place: {exc.strerror}"
        ) from exc
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
