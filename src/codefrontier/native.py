"""The package's own C programs, built with the machine's C compiler on first use and cached.

Two are built: the sandbox's `cf-launch` (sandbox/launch.c) and the merge's fused
arithmetic (merge/mix.c, a shared library loaded with ctypes). Each build is cached under
`cache_dir()` by a digest of its source and compiler arguments, so a new version of the
source is rebuilt and an old one never reused. Builds in parallel threads or processes
write under their own temporary names; the last rename wins.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
from pathlib import Path


class BuildError(RuntimeError):
    """No C compiler, or the source did not compile."""


def cache_dir() -> Path:
    """$CODEFRONTIER_CACHE, else $XDG_CACHE_HOME/codefrontier, else ~/.cache/codefrontier."""
    base = os.environ.get("CODEFRONTIER_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "codefrontier"
    )
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def build(source: Path, name: str, attempts: list[list[str]]) -> Path:
    """Compile `source` into `cache_dir()/<name>-<digest>` (once) and return the path.

    `attempts` are argument lists tried in turn (for example with and without -static);
    the first that compiles is kept, and the digest covers the source and every attempt."""
    text = source.read_bytes()
    digest = hashlib.sha256(text + repr(attempts).encode()).hexdigest()[:16]
    target = cache_dir() / f"{name}-{digest}"
    if target.exists():
        return target
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        raise BuildError(f"no C compiler (gcc) found: it is needed once to build {name}; install gcc")
    tmp = target.with_name(target.name + f".{os.getpid()}.{threading.get_ident()}.tmp")
    errors = ""
    for args in attempts:
        proc = subprocess.run([cc, *args, "-o", str(tmp), str(source)], capture_output=True, text=True)
        if proc.returncode == 0:
            os.chmod(tmp, 0o755)
            os.replace(tmp, target)
            return target
        errors = proc.stderr.strip()
    tmp.unlink(missing_ok=True)
    raise BuildError(f"could not build {name} with {cc}: {errors[:500]}")
