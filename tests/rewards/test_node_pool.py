"""One judge pool per node: training processes that judge the same problems with the same
settings use one `codefrontier serve` started by the first of them, and it stops when the
last of them is gone -- however it goes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codefrontier.contracts import Problem
from codefrontier.errors import ConfigError
from codefrontier.judge import JudgeConfig
from codefrontier.problems.io import save_problems
from codefrontier.rewards import node_pool

# A training process: a TRL reward function on the node pool, one reward, then it reports
# the pool it used and waits for its stdin to close (the test decides when it exits).
TRAINER = """
import json, os, sys
from codefrontier.rewards import CodeReward, RewardSpec
reward = CodeReward(problems_file=sys.argv[1], spec=RewardSpec("level", "tiny"), jobs=1)
values = reward(prompts=["p"], completions=["print(42)"], problem_id=["answer-42"])
node = reward.source.node
print(json.dumps({"pid": os.getpid(), "url": node.url, "keeper": node.keeper_pid, "values": values}), flush=True)
sys.stdin.read()
"""


def start_trainer(problems_file: Path) -> tuple[subprocess.Popen[str], dict]:
    process = subprocess.Popen(
        [sys.executable, "-c", TRAINER, str(problems_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()  # type: ignore[union-attr]
    assert line, f"the trainer process failed (exit {process.wait()})"
    return process, json.loads(line)


def gone(pid: int, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def own_problems_file(tmp_path_factory: pytest.TempPathFactory, problems: list[Problem]) -> Path:
    """A file of this module's own: a pool of its own, which no other test holds on to."""
    path = tmp_path_factory.mktemp("node-pool") / "problems.jsonl"
    save_problems(path, problems)
    return path


@pytest.mark.slow
def test_two_training_processes_share_one_pool_that_stops_with_the_last(
    own_problems_file: Path, runtime_dir: Path
) -> None:
    problems_file = own_problems_file
    first, used_first = start_trainer(problems_file)
    second, used_second = start_trainer(problems_file)
    assert used_first["pid"] != used_second["pid"]
    assert used_first["values"] == used_second["values"] == [1.0]
    assert used_first["url"] == used_second["url"] and used_first["keeper"] == used_second["keeper"]
    keeper = used_first["keeper"]
    states = [json.loads(p.read_text()) for p in runtime_dir.glob("*.json")]
    assert [s["keeper_pid"] for s in states].count(keeper) == 1  # one pool for the two

    first.stdin.close()  # type: ignore[union-attr]
    assert first.wait(timeout=60) == 0
    assert not gone(keeper, timeout=3.0)  # the second still uses it
    second.send_signal(signal.SIGKILL)  # the last user dies without a word
    second.wait()
    assert gone(keeper)  # the keeper saw nobody hold the pool and stopped the service
    assert keeper not in [json.loads(p.read_text())["keeper_pid"] for p in runtime_dir.glob("*.json")]


def test_the_runtime_directory_must_be_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv(node_pool.RUNTIME_DIR_ENV, str(shared))
    with pytest.raises(ConfigError, match="mode 0700"):
        node_pool.runtime_dir()


def test_pools_are_keyed_by_problems_and_settings(tmp_path: Path, problems: list[Problem]) -> None:
    """Processes share a pool only if they would judge alike."""
    one = node_pool.served_problems(problems, None, None, tmp_path)
    again = node_pool.served_problems(list(problems), None, None, tmp_path)
    fewer = node_pool.served_problems(problems[:2], None, None, tmp_path)
    assert one == again and one != fewer and Path(one.value).parent == tmp_path
    assert node_pool.judge_flags(JudgeConfig(time_scale=2.0)) != node_pool.judge_flags(None)
    with pytest.raises(ConfigError, match="pool='process'"):
        node_pool.judge_flags(JudgeConfig(retries=5))
