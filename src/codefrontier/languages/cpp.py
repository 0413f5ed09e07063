"""C++17 with g++ -O2, compiled inside the sandbox once per distinct source.

Compiled binaries (and compile errors) are cached on disk by the hash of the compiler's
version, its flags and the source, so a source seen before is never compiled again. The
cache is bounded: an executable over `MAX_BINARY_BYTES` is a compile error (a program that
makes its compiler emit 240 MB is not judged, nor kept), and the cache as a whole keeps
under `CACHE_BYTES`, least recently used first out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from functools import cache
from pathlib import Path

from codefrontier.errors import InternalJudgeError
from codefrontier.languages.base import Language, Prepared, SelfTest
from codefrontier.native import cache_dir
from codefrontier.sandbox.worker import Limits, RunResult, Sandbox, memfd_from_bytes, read_memfd

FLAGS = ("-O2", "-std=c++17", "-pipe")
COMPILE_LIMITS = Limits(cpu_s=30.0, wall_s=60.0, memory_mb=2048, output_bytes=256 << 20, nproc=32, nofile=256)
CE_DETAIL_BYTES = 4000
MAX_BINARY_BYTES = 64 << 20  # a larger executable is refused as a compile error
CACHE_BYTES = 1 << 30  # the on-disk cache of compiled programs is trimmed to this size


@cache
def compiler() -> tuple[str, str]:
    """Path and version line of g++ (resolved on the host; the sandbox sees the same /usr)."""
    path = shutil.which("g++")
    if path is None:
        raise InternalJudgeError("g++ is not installed: C++ samples cannot be judged (apt-get install g++)")
    path = os.path.realpath(path)
    version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return path, version


_key_locks: dict[str, threading.Lock] = {}
_key_locks_guard = threading.Lock()


def _lock_for(key: str) -> threading.Lock:
    with _key_locks_guard:
        return _key_locks.setdefault(key, threading.Lock())


class Cpp(Language):
    name = "cpp"
    title = "C++17"
    aliases = ("c++", "cpp17", "c++17", "g++", "cc", "cxx")
    fence_tags = ("cpp", "c++", "cc", "cxx", "c++17")
    tool_name = "run_cpp"
    needs = ("g++",)
    self_test = SelfTest(
        "#include <iostream>\nint main() { long a, b; std::cin >> a >> b; std::cout << a + b << '\\n'; }\n",
        "2 3\n",
        "5\n",
    )

    def prepare(self, source: str, sandbox: Sandbox) -> Prepared:
        path, version = compiler()
        data = source.encode("utf-8", errors="surrogatepass")
        key = self.digest(version, " ".join(FLAGS), data)
        store = cache_dir() / "compiled" / key[:2]
        binary, error = store / f"{key}.bin", store / f"{key}.ce"
        with _lock_for(key):
            cached = _read_cached(binary, error)
            if cached is not None:
                return _prepared(self.name, key, cached, cached_hit=True)
            src = memfd_from_bytes(data, "main.cpp")
            try:
                result = sandbox.run_exec(
                    [path, *FLAGS, "-o", "a.out", "main.cpp"],
                    COMPILE_LIMITS,
                    files={"main.cpp": src},
                    collect=["a.out"],
                )
            finally:
                os.close(src)
            if result.status == "internal":
                raise InternalJudgeError(f"compiling failed inside the sandbox: {result.message}")
            exe_fd = result.collected.pop("a.out", None)
            for fd in result.collected.values():
                os.close(fd)
            if result.ok and exe_fd is not None and os.fstat(exe_fd).st_size > MAX_BINARY_BYTES:
                size = os.fstat(exe_fd).st_size
                os.close(exe_fd)
                message = f"the executable is {size >> 20} MiB; the limit is {MAX_BINARY_BYTES >> 20} MiB"
                return _prepared(self.name, key, ("ce", message.encode()), compile_cpu_s=result.cpu_s)
            if result.ok and exe_fd is not None:
                exe = read_memfd(exe_fd)
                os.close(exe_fd)
                _write_atomic(binary, exe)
                _trim_cache(store.parent)
                return _prepared(self.name, key, ("bin", exe), compile_cpu_s=result.cpu_s)
            if exe_fd is not None:
                os.close(exe_fd)
            message = _compile_message(result)
            if result.status == "exited" and result.killed == "none":
                _write_atomic(error, message.encode())  # a real compile error; limits hits are not cached
            return _prepared(self.name, key, ("ce", message.encode()), compile_cpu_s=result.cpu_s)

    def run(
        self,
        sandbox: Sandbox,
        program: Prepared,
        stdin_fd: int | None,
        limits: Limits,
        *,
        argv: list[str] | None = None,
        extra_fds: dict[int, int] | None = None,
        checker: bool = False,
    ) -> RunResult:
        return sandbox.run_exec(
            argv or ["main"], limits, stdin_fd=stdin_fd, exe_fd=program.fd, extra_fds=extra_fds
        )

    def version(self) -> str:
        return compiler()[1] + " " + " ".join(FLAGS)


def _compile_message(result: RunResult) -> str:
    if result.killed != "none":
        return f"compilation exceeded its {result.killed} limit"
    text = result.stderr.decode(errors="replace").strip()
    return text[:CE_DETAIL_BYTES] or f"compiler exited with status {result.exit_code or result.signal}"


def _read_cached(binary: Path, error: Path) -> tuple[str, bytes] | None:
    try:
        data = binary.read_bytes()
        os.utime(binary)  # recently used: the cache trims the least recently used first
        return ("bin", data)
    except FileNotFoundError:
        pass
    try:
        return ("ce", error.read_bytes())
    except FileNotFoundError:
        return None


def _prepared(
    name: str, key: str, cached: tuple[str, bytes], *, cached_hit: bool = False, compile_cpu_s: float = 0.0
) -> Prepared:
    kind, data = cached
    if kind == "ce":
        return Prepared(
            name,
            compile_error=data.decode(errors="replace"),
            digest=key,
            cached=cached_hit,
            compile_cpu_s=compile_cpu_s,
        )
    return Prepared(
        name, fd=memfd_from_bytes(data, "main"), digest=key, cached=cached_hit, compile_cpu_s=compile_cpu_s
    )


_trim_lock = threading.Lock()


def _trim_cache(root: Path, budget: int = CACHE_BYTES) -> None:
    """Keep the compile cache under `budget` bytes, least recently used entries out first."""
    with _trim_lock:
        entries = []
        for path in root.glob("*/*"):
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            entries.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= budget:
                break
            path.unlink(missing_ok=True)
            total -= size


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


LANGUAGE = Cpp()
