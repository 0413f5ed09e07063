"""`codefrontier doctor`: which isolation level is active, and does each protection hold?

Every check runs a probe program in a real worker sandbox, exactly as a sample would
run, and looks at what it could do.
"""

from __future__ import annotations

import os
import shutil
import socket
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from codefrontier.errors import CodefrontierError
from codefrontier.sandbox import cgroups
from codefrontier.sandbox.isolation import detect_level, launcher_path
from codefrontier.sandbox.worker import Limits, RunResult, Sandbox, memfd_from_bytes

CANARY_ENV = "CODEFRONTIER_DOCTOR_CANARY"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    required: bool  # does the active isolation level promise this?


def _probe(sandbox: Sandbox, code: str, limits: Limits | None = None) -> RunResult:
    fd = memfd_from_bytes(textwrap.dedent(code).encode(), "probe.py")
    try:
        return sandbox.run_python(fd, None, limits or Limits(cpu_s=2.0, wall_s=5.0, memory_mb=256))
    finally:
        os.close(fd)


def _out(run: RunResult) -> str:
    return run.stdout.decode(errors="replace").strip()


def accounting() -> tuple[str, str]:
    """How CPU time and peak memory are measured here: ("cgroup" | "process", why)."""
    return cgroups.describe()


def language_checks(sandbox: Sandbox) -> list[Check]:
    """Every language's own self-test program, judged in the sandbox (DMOJ's executors do
    the same at start-up): a language this machine cannot run is reported, not required."""
    from codefrontier.languages import all_languages

    results = []
    for language in sorted(all_languages().values(), key=lambda lang: lang.name):
        name = f"language {language.name} ({language.title}) runs its self-test"
        usable, why = language.available()
        if not usable:
            results.append(Check(name, False, why, False))
            continue
        test = language.self_test
        stdin = memfd_from_bytes(test.stdin.encode(), "stdin")
        try:
            program = language.prepare(test.source, sandbox)
            try:
                if program.compile_error is not None:
                    results.append(Check(name, False, f"compile error: {program.compile_error[:200]}", True))
                    continue
                run = language.run(sandbox, program, stdin, Limits(cpu_s=5.0, wall_s=15.0, memory_mb=512))
            finally:
                program.close()
        except CodefrontierError as exc:
            results.append(Check(name, False, f"the probe could not run: {exc}", True))
            continue
        finally:
            os.close(stdin)
        got = run.stdout.decode(errors="replace")
        ok = run.ok and got == test.stdout
        results.append(Check(name, ok, f"{language.version() or language.title}: printed {got!r}", True))
    return results


def checks(level: str, sandbox: Sandbox) -> list[Check]:
    full = level == "full"
    ns = level in ("full", "namespaces")
    results: list[Check] = []

    def add(name: str, required: bool, probe: Callable[[], tuple[bool, str]]) -> None:
        try:
            ok, detail = probe()
        except CodefrontierError as exc:
            ok, detail = False, f"the probe could not run: {exc}"
        results.append(Check(name, ok, detail, required))

    def unprivileged() -> tuple[bool, str]:
        out = _out(_probe(sandbox, "import os; print(os.getuid(), os.geteuid())"))
        return (out != "" and "0" not in out.split()), f"uid/euid inside: {out}"

    def own_pid_namespace() -> tuple[bool, str]:
        out = _out(_probe(sandbox, "import os; print(os.getpid())"))
        return out == "1", f"the program sees itself as pid {out}"

    def no_network() -> tuple[bool, str]:
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        try:
            out = _out(
                _probe(
                    sandbox,
                    f"""
                    import socket
                    for host, port in (("127.0.0.1", {port}), ("1.1.1.1", 53)):
                        try:
                            socket.create_connection((host, port), timeout=1).close()
                            print("connected", host)
                        except OSError as exc:
                            print("refused", host, type(exc).__name__)
                    """,
                )
            )
        finally:
            server.close()
        return out.count("refused") == 2, out.replace("\n", "; ") or "the probe printed nothing"

    def judge_files_hidden() -> tuple[bool, str]:
        secret = Path(__file__).resolve()
        out = _out(
            _probe(sandbox, f"import os; print(os.path.exists({str(secret)!r}), os.path.exists('/root'))")
        )
        return out.split()[:1] == ["False"], f"the judge's own files visible: {out.split()[:1]}"

    def environment_scrubbed() -> tuple[bool, str]:
        out = _out(
            _probe(sandbox, f"import os; print(os.environ.get({CANARY_ENV!r}, 'absent'), sorted(os.environ))")
        )
        return out.startswith("absent"), out

    def system_read_only() -> tuple[bool, str]:
        out = _out(
            _probe(
                sandbox,
                """
                import os
                for path in ("/usr/codefrontier-probe", "/codefrontier-probe", "/etc/codefrontier-probe"):
                    try:
                        open(path, "w").close(); print("wrote", path)
                    except OSError as exc:
                        print("refused", path)
                """,
            )
        )
        return "wrote" not in out, out.replace("\n", "; ")

    def processes_reaped() -> tuple[bool, str]:
        before = sandbox.descendant_pids()
        _probe(
            sandbox,
            """
            import os, time
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(60)
                os._exit(0)
            time.sleep(0.1)
            """,
        )
        after = sandbox.descendant_pids()
        left = sorted(after - before)
        return not left, "no process left behind" if not left else f"left behind: {left}"

    def cpu_limit() -> tuple[bool, str]:
        run = _probe(sandbox, "while True: pass", Limits(cpu_s=0.3, wall_s=3.0, memory_mb=256))
        return run.killed == "cpu" and run.cpu_s < 1.0, f"killed={run.killed} after {run.cpu_s:.2f} s CPU"

    def memory_limit() -> tuple[bool, str]:
        run = _probe(
            sandbox, "x = bytearray(512 << 20); print('allocated')", Limits(cpu_s=2, wall_s=5, memory_mb=64)
        )
        return "allocated" not in _out(run), f"exit {run.exit_code}, peak {run.peak_kb / 1024:.0f} MiB"

    def fork_bomb() -> tuple[bool, str]:
        run = _probe(
            sandbox,
            """
            import os
            n = 0
            try:
                for _ in range(200):
                    if os.fork() == 0:
                        import time; time.sleep(5); os._exit(0)
                    n += 1
            except OSError:
                pass
            print(n)
            """,
        )
        n = int(_out(run) or 0)
        return n < 200, f"{n} processes could be started (limit {Limits(cpu_s=1, wall_s=1).nproc})"

    add("runs as an unprivileged user", ns or os.geteuid() != 0, unprivileged)
    add("own PID namespace (cannot see or signal the judge)", ns, own_pid_namespace)
    add("no network (loopback and internet)", ns, no_network)
    add("judge's files (hidden tests) not visible", full, judge_files_hidden)
    add("environment scrubbed", True, environment_scrubbed)
    add("system read-only outside the scratch directory", full, system_read_only)
    add("every process a run starts is gone after it", ns, processes_reaped)

    def own_proc() -> tuple[bool, str]:
        out = _out(_probe(sandbox, "import os; print(sorted(p for p in os.listdir('/proc') if p.isdigit()))"))
        return out == "['1']", f"processes a run sees in /proc: {out}"

    add("a run sees only its own processes", full, own_proc)

    def child_cpu_counted() -> tuple[bool, str]:
        run = _probe(
            sandbox,
            """
            import os
            r, w = os.pipe()
            if os.fork() == 0:
                s = 0
                for i in range(6_000_000):
                    s += i
                os.write(w, b"x")
                import time
                time.sleep(10)
            os.read(r, 1)
            """,
            Limits(cpu_s=5.0, wall_s=10.0, memory_mb=256),
        )
        return run.cpu_s > 0.2, f"CPU of a child that outlives its parent: {run.cpu_s:.3f} s ({run.measured})"

    add("CPU of every process of a run is counted", full, child_cpu_counted)

    def peak_kept() -> tuple[bool, str]:
        run = _probe(
            sandbox,
            """
            b = bytearray(96 << 20)
            for i in range(0, len(b), 4096):
                b[i] = 1
            del b
            open("/proc/self/clear_refs", "w").write("5")
            """,
            Limits(cpu_s=5.0, wall_s=10.0, memory_mb=256),
        )
        return (
            run.peak_kb >= 90 << 10,
            f"peak after a reset through clear_refs: {run.peak_kb >> 10} MiB ({run.measured})",
        )

    add("peak memory cannot be reset by the program", full, peak_kept)
    add("CPU time limit enforced", True, cpu_limit)
    add("memory limit enforced", True, memory_limit)
    add("process count limited (fork bomb)", True, fork_bomb)
    return results


def run_checks(requested: str = "auto") -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    level, reasons = detect_level(requested)
    console.print(f"[bold]isolation level: {level}[/bold]")
    for reason in reasons:
        console.print(f"  - {escape(reason)}")
    console.print(f"  cf-launch: {launcher_path()}")
    method, why = accounting()
    console.print(f"[bold]CPU and memory accounting: {method}[/bold]")
    console.print(f"  - {escape(why)}")
    gxx = shutil.which("g++")
    console.print(f"  g++: {gxx or 'not found (C++ samples cannot be judged; apt-get install g++)'}")
    os.environ[CANARY_ENV] = "secret"
    try:
        with Sandbox(requested) as sandbox:
            results = checks(level, sandbox) + language_checks(sandbox)
    finally:
        os.environ.pop(CANARY_ENV, None)
    table = Table("check", "result", "detail")
    failed = 0
    for check in results:
        if check.ok:
            mark = "[green]ok[/green]"
        elif check.required:
            mark = "[red]FAIL[/red]"
            failed += 1
        else:
            mark = f"[yellow]not at level {level}[/yellow]"
        table.add_row(check.name, mark, escape(check.detail))
    console.print(table)
    if failed:
        console.print(f"[red]{failed} protection(s) that level {level} promises did not hold[/red]")
        return 1
    if level != "full":
        console.print(f"[yellow]level {level}: some protections are missing; see docs/isolation.md[/yellow]")
    return 0
