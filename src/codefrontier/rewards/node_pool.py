"""One judge pool per node, shared by every trainer process on it (docs/rewards.md, "One
judge pool per node").

verl starts `reward.num_workers` (default 8) reward workers, OpenRLHF one reward function
per vLLM engine and TRL under accelerate one process per GPU; each of them judging on its
own pool would start one sandbox per core, so a node would run many times more sandboxes
than it has cores. Instead the first process that asks starts `codefrontier serve` on
loopback (with a fresh random token), and every process that judges the same problems
with the same settings uses that service through a `RewardClient`: one pool, one queue.

The processes agree through files in a private runtime directory ($CODEFRONTIER_RUNTIME_DIR,
else $XDG_RUNTIME_DIR/codefrontier, else /tmp/codefrontier-UID; mode 0700 and owned by the
user, or it is refused), one set per pool key (a digest of the problems, the judge settings
and the number of workers):

    KEY.lock      flock'ed exclusively while a process finds or starts the service
    KEY.users     every user holds a shared flock on it for as long as it uses the pool;
                  the kernel drops it when the process exits, however it exits
    KEY.json      the running service: url, token (the file is 0600), the keeper's pid
    KEY.log       the service's output

The service runs under a keeper (`python -m codefrontier.rewards.node_pool`), which stops
it (SIGTERM: queued samples are drained) once no process holds KEY.users any more, so the
pool lives exactly as long as its last user. If the keeper is killed, the service gets
SIGTERM from the kernel (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from codefrontier.errors import ConfigError
from codefrontier.judge import JudgeConfig
from codefrontier.problems import Problem
from codefrontier.processes import pid_alive

RUNTIME_DIR_ENV = "CODEFRONTIER_RUNTIME_DIR"
START_TIMEOUT_S = 180.0  # importing FastAPI and starting the sandboxes on a busy node
POLL_S = 0.5
# Every user may send its whole batch at once: the queue bounds memory, not fairness.
MAX_QUEUE = 65536
TOKEN_VAR = "CODEFRONTIER_POOL_TOKEN"  # how the token reaches the service: never on a command line


@dataclass(frozen=True)
class ServedProblems:
    """What the service is started with: `--benchmark NAME` or `--problems FILE`."""

    flag: str
    value: str
    identity: str  # what makes two processes' problems the same


def runtime_dir() -> Path:
    """The private directory the pools of this user are coordinated in."""
    explicit = os.environ.get(RUNTIME_DIR_ENV)
    if explicit:
        path = Path(explicit)
    elif os.environ.get("XDG_RUNTIME_DIR"):
        path = Path(os.environ["XDG_RUNTIME_DIR"]) / "codefrontier"
    else:
        path = Path("/tmp") / f"codefrontier-{os.getuid()}"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise ConfigError(
            f"{path} must be a directory of user {os.getuid()} with mode 0700 (it holds the pool's token); "
            f"remove it or set ${RUNTIME_DIR_ENV} to another directory"
        )
    return path


def served_problems(
    problems: Iterable[Problem] | Mapping[str, Problem] | None,
    benchmark: str | None,
    problems_file: str | Path | None,
    directory: Path,
) -> ServedProblems:
    """The problems as the service will load them. Problems given as objects are written
    to a file in the runtime directory, named by their content."""
    from codefrontier.problems.io import portable_problem, problem_to_json, write_jsonl_atomic

    given = [problems is not None, benchmark is not None, problems_file is not None]
    if sum(given) != 1:
        raise ConfigError(
            "name the problems to judge: exactly one of problems=, benchmark= or problems_file= (or url= of a service)"
        )
    if benchmark is not None:
        from codefrontier.problems.registry import BENCHMARKS

        if benchmark not in BENCHMARKS:
            raise ConfigError(f"unknown benchmark {benchmark!r}; known: {', '.join(sorted(BENCHMARKS))}")
        return ServedProblems("--benchmark", benchmark, f"benchmark:{benchmark}")
    if problems_file is not None:
        path = Path(problems_file).resolve()
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            raise ConfigError(f"problems file {problems_file}: {exc.strerror}") from None
        return ServedProblems("--problems", str(path), f"file:{path}:{digest}")
    values = list(problems.values()) if isinstance(problems, Mapping) else list(problems)  # type: ignore[union-attr]
    records = [problem_to_json(portable_problem(p)) for p in values]
    digest = hashlib.sha256(json.dumps(records, sort_keys=True).encode()).hexdigest()[:24]
    path = directory / f"problems-{digest}.jsonl"
    if not path.exists():
        write_jsonl_atomic(path, records)
    return ServedProblems("--problems", str(path), f"objects:{digest}")


def judge_flags(config: JudgeConfig | None) -> list[str]:
    """`codefrontier serve` options for a judge configuration. The mode and level come
    with each request (the reward spec); what the command line cannot say is refused."""
    config = config or JudgeConfig()
    default = JudgeConfig()
    for name in ("retries", "tmpfs_mb"):
        if getattr(config, name) != getattr(default, name):
            raise ConfigError(
                f"JudgeConfig.{name} cannot be given to the node's shared pool; use pool='process' to judge "
                "in this process with it"
            )
    return [
        "--isolation",
        str(config.isolation),
        "--time-scale",
        repr(float(config.time_scale)),
        "--wall-factor",
        repr(float(config.wall_factor)),
        "--output-limit-mb",
        str(int(config.output_limit_mb)),
    ]


class NodePool:
    """This process's use of the node's shared service: `source` answers rewards; `close()`
    lets the service stop once no other process uses it."""

    def __init__(self, key: str, url: str, token: str, keeper_pid: int, users: IO[bytes]) -> None:
        self.key = key
        self.url = url
        self.token = token
        self.keeper_pid = keeper_pid
        self._users = users

    def client(self) -> Any:
        from codefrontier.rewards.client import RewardClient

        return RewardClient(self.url, token=self.token)

    def close(self) -> None:
        if not self._users.closed:
            self._users.close()  # drops the shared flock


def acquire(
    problems: Iterable[Problem] | Mapping[str, Problem] | None = None,
    *,
    benchmark: str | None = None,
    problems_file: str | Path | None = None,
    jobs: int | None = None,
    config: JudgeConfig | None = None,
) -> NodePool:
    """Use the node's pool for these problems and settings, starting it if no process has."""
    directory = runtime_dir()
    served = served_problems(problems, benchmark, problems_file, directory)
    flags = [served.flag, served.value, *judge_flags(config)]
    if jobs is not None:
        if jobs < 1:
            raise ConfigError(f"jobs must be at least 1, got {jobs}")
        flags += ["--jobs", str(jobs)]
    from codefrontier import __version__

    identity = json.dumps([served.identity, flags[2:], __version__, sys.executable])
    key = hashlib.sha256(identity.encode()).hexdigest()[:20]
    lock = open(directory / f"{key}.lock", "ab")  # noqa: SIM115 - held across the function
    users = open(directory / f"{key}.users", "ab")  # noqa: SIM115 - held while the pool is used
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fcntl.flock(users, fcntl.LOCK_SH)  # before the keeper can look for users
        state = _running(directory / f"{key}.json")
        if state is None:
            state = _start(directory, key, flags)
        return NodePool(key, state["url"], state["token"], int(state["keeper_pid"]), users)
    except BaseException:
        users.close()
        raise
    finally:
        lock.close()


def _running(state_path: Path) -> dict[str, Any] | None:
    try:
        state = json.loads(state_path.read_text())
    except (OSError, ValueError):
        return None
    if not pid_alive(int(state.get("keeper_pid", 0))) or not _healthy(state["url"]):
        state_path.unlink(missing_ok=True)
        return None
    return state


def _healthy(url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{url}/health", timeout=5.0).status_code == 200
    except httpx.HTTPError:
        return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(directory: Path, key: str, flags: Sequence[str]) -> dict[str, Any]:
    """Start the keeper and its service on a free loopback port; called under KEY.lock."""
    import secrets

    try:
        import fastapi  # noqa: F401
        import httpx  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            f"the node's shared judge pool runs `codefrontier serve`, which needs {exc.name}: "
            "pip install 'codefrontier[serve]' (or pass pool='process' to judge in this process)"
        ) from None
    log_path = directory / f"{key}.log"
    state_path = directory / f"{key}.json"
    token = secrets.token_urlsafe(32)
    last = ""
    for _ in range(3):  # another program may take the port between choosing and binding it
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        serve_args = ["--host", "127.0.0.1", "--port", str(port), "--max-queue", str(MAX_QUEUE)]
        serve_args += ["--max-batch", str(MAX_QUEUE), "--log-level", "warning", *flags]
        keeper_pid = _spawn_keeper(directory, key, serve_args, token, log_path)
        deadline = time.monotonic() + START_TIMEOUT_S
        while pid_alive(keeper_pid) and time.monotonic() < deadline:
            if _healthy(url):
                state = {"url": url, "token": token, "keeper_pid": keeper_pid, "started": time.time()}
                tmp = state_path.with_suffix(".tmp")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as fh:
                    json.dump(state, fh)
                os.replace(tmp, state_path)
                return state
            time.sleep(POLL_S)
        with contextlib.suppress(ProcessLookupError):
            os.kill(keeper_pid, signal.SIGTERM)
        last = _tail(log_path)
        if "address already in use" not in last.lower():
            break
    raise ConfigError(f"the node's shared judge pool did not start (its log, {log_path}):\n{last}")


def _spawn_keeper(directory: Path, key: str, serve_args: Sequence[str], token: str, log_path: Path) -> int:
    """Start the keeper as a grandchild, in its own session: it is nobody's child, so a
    trainer (or Ray) that kills the children of an exiting worker leaves it to the others."""
    argv = [sys.executable, "-m", "codefrontier.rewards.node_pool", "start", str(directory), key, "--"]
    with open(log_path, "ab") as log:
        started = subprocess.run(
            [*argv, *serve_args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            env={**os.environ, TOKEN_VAR: token},
            check=False,
        )
    try:
        return int(started.stdout.decode().strip())
    except ValueError:
        raise ConfigError(
            f"the node's shared judge pool did not start (its log, {log_path}):\n{_tail(log_path)}"
        ) from None


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# -- the keeper ------------------------------------------------------------------------------
def _die_with_parent() -> None:
    """In the service's process: SIGTERM when the keeper dies, however it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def keep(directory: Path, key: str, serve_args: Sequence[str]) -> int:
    """Run the service until it exits or no process uses it any more."""
    service = subprocess.Popen(
        [sys.executable, "-m", "codefrontier.cli", "serve", "--token-env", TOKEN_VAR, *serve_args],
        preexec_fn=_die_with_parent,  # the keeper's environment holds the token (TOKEN_VAR)
    )
    stop = {"now": False}

    def on_signal(signum: int, frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    lock_path = directory / f"{key}.lock"
    users_path = directory / f"{key}.users"
    state_path = directory / f"{key}.json"
    while service.poll() is None and not stop["now"]:
        time.sleep(POLL_S)
        if _no_users(lock_path, users_path, state_path):
            break
    else:
        with open(lock_path, "ab") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            _forget(state_path)
    if service.poll() is None:
        service.send_signal(signal.SIGTERM)  # the service drains what it accepted, then exits
    return service.wait()


def _no_users(lock_path: Path, users_path: Path, state_path: Path) -> bool:
    """True, with the state file removed, when no process holds the users lock. Checked
    under the start lock, so no process can be between finding the service and holding it."""
    with open(lock_path, "ab") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a process is finding or starting a pool: look again later
        with open(users_path, "ab") as users:
            try:
                fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            _forget(state_path)
            return True


def _forget(state_path: Path) -> None:
    """Remove the state file if it describes this keeper's service."""
    with contextlib.suppress(OSError, ValueError):
        if int(json.loads(state_path.read_text()).get("keeper_pid", 0)) == os.getpid():
            state_path.unlink()


def main(argv: Sequence[str] | None = None) -> int:
    """`start DIR KEY -- SERVE-ARGS`: start a keeper in its own session and print its pid;
    `keep DIR KEY -- SERVE-ARGS`: be the keeper."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 4 or args[0] not in ("start", "keep") or args[3] != "--":
        print(
            "usage: python -m codefrontier.rewards.node_pool start|keep DIR KEY -- SERVE-ARGS",
            file=sys.stderr,
        )
        return 2
    command, directory, key, serve_args = args[0], Path(args[1]), args[2], args[4:]
    if command == "keep":
        return keep(directory, key, serve_args)
    log = open(directory / f"{key}.log", "ab")  # noqa: SIM115 - handed to the keeper
    keeper = subprocess.Popen(
        [sys.executable, "-m", "codefrontier.rewards.node_pool", "keep", *args[1:]],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    print(keeper.pid, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
