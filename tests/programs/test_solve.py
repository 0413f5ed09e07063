"""The rebuild loop with a scripted model: it probes the reference, submits, is scored."""

from __future__ import annotations

import asyncio
import json

import pytest

from codefrontier.programs.evaluate import EvalSettings, Submission, evaluate
from codefrontier.programs.metrics import structure_metrics
from codefrontier.programs.solve import parse_files, rebuild, write_attempt
from codefrontier.programs.tasks import load_tasks
from codefrontier.sampling import SettingConfig, open_backend
from sampling.openai_server import LoopbackServer, answer, tool_calls

SUBMISSION = """Here is my rebuild.

File: compile.sh
```bash
#!/bin/bash
cp main.py executable && chmod +x executable
```

File: main.py
```python
#!/usr/bin/env python3
import sys
if sys.argv[1:] == ["--version"]:
    print("cfwc 1.2")
```
"""


def test_submission_files_are_read_from_the_reply():
    files = parse_files(SUBMISSION + "\nFile: ../escape.sh\n```\nrm -rf /\n```\n")
    assert set(files) == {"compile.sh", "main.py"}
    assert files["main.py"].startswith("#!/usr/bin/env python3")


@pytest.mark.slow
@pytest.mark.parametrize("setting", ["tools", "agent"])
def test_the_model_probes_the_reference_then_its_submission_is_scored(tmp_path, runner, setting):
    task = load_tasks("bundled", only=["codefrontier__cfwc"])[0]

    def script(request, index):
        if index == 0:
            return tool_calls(("run_reference", json.dumps({"args": ["--version"]})))
        return answer(SUBMISSION)

    with LoopbackServer(script) as server:
        backend = open_backend(server.url)
        config = SettingConfig(setting=setting, max_tool_calls=2, max_turns=2, max_tokens=512)

        async def go():
            try:
                return await rebuild(task, backend, config, runner)
            finally:
                await backend.aclose()

        attempt = asyncio.run(go())
        prompts = server.requests
    assert "Usage: ./executable" in prompts[0]["messages"][1]["content"]  # the documentation
    tool_result = json.loads(attempt.messages[3]["content"])
    assert tool_result == {"exit_code": 0, "stdout": "cfwc 1.2\n", "stderr": ""}
    assert set(attempt.files) == {"compile.sh", "main.py"}
    if setting == "agent":
        assert attempt.stop == "matches_probes"  # its submission replays the probe exactly
        assert any(s["type"] == "submission" and s["passed"] for s in attempt.steps)
    folder = write_attempt(attempt, tmp_path)
    assert (tmp_path / task.id / "trajectory.json").exists()
    metrics = structure_metrics(folder)
    assert metrics.files == 2 and metrics.lines_of_code == 4  # shebangs are comments
    (result,) = evaluate(
        [(task, Submission.from_path(folder, "model"))], tmp_path / "eval", EvalSettings(jobs=1)
    )
    assert 0.0 < result.score < 0.1  # the --version test passes, nothing else
