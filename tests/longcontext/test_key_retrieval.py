"""Key retrieval: files of the asked length with f_k at the asked depth, exact-match
scoring, a resumable grid, and the depth x length heat map, against a scripted model
that only remembers the start of long prompts."""

from __future__ import annotations

import ast
import re

import pytest

from codefrontier.cli import main
from codefrontier.longcontext import answer_of, grid, make_case
from codefrontier.longcontext.retrieval import CHARS_PER_TOKEN, PROMPT_END
from sampling.openai_server import LoopbackServer, answer

KEY_DEF = re.compile(r"def f_k\(\):\n    return (\d+)\n")


@pytest.mark.parametrize("length", [1000, 4000, 16000])
@pytest.mark.parametrize("depth", [0.0, 0.5, 1.0])
def test_a_file_has_the_length_asked_and_f_k_at_the_depth_asked(length, depth):
    case = make_case(length, depth, 0)
    assert case.prompt.endswith(PROMPT_END)
    tokens = len(case.prompt) / CHARS_PER_TOKEN
    assert 0.85 * length <= tokens <= length
    (key,) = KEY_DEF.findall(case.prompt)
    assert int(key) == case.key and case.prompt.count("def f_k(") == 1
    assert abs(case.key_offset / len(case.prompt) - depth) < 0.12
    ast.parse(case.prompt[: -len(PROMPT_END)])  # the file is valid Python


def test_lengths_can_be_counted_with_a_real_tokenizer():
    count = lambda text: len(text.split())  # noqa: E731 - any counter the caller has
    case = make_case(500, 0.5, 1, count_tokens=count)
    assert count(case.prompt) <= 500 and count(case.prompt) > 400


def test_the_same_grid_is_the_same_files_and_trials_differ():
    a, b = grid([300], [0.25], 2, seed=4), grid([300], [0.25], 2, seed=4)
    assert [c.prompt for c in a] == [c.prompt for c in b]
    assert a[0].prompt != a[1].prompt and a[0].key != a[1].key


def test_only_the_integer_written_first_counts():
    assert answer_of(" 4721\n") == 4721 and answer_of("4721)  # yes") == 4721
    assert answer_of(" the answer is 4721") is None and answer_of("") is None


def test_a_grid_against_a_model_that_forgets_far_context_gives_its_heat_map(tmp_path):
    horizon = 6000  # characters from the end of the prompt the scripted model can see

    def script(request, index):
        seen = request["prompt"][-horizon:]
        found = KEY_DEF.search(seen)
        return answer(f" {found.group(1)}" if found else " 0")

    server = LoopbackServer(script)
    try:
        out = tmp_path / "kr"
        argv = ["key-retrieval", "--model", server.url, "--lengths", "500", "4000", "--depths", "0", "1",
                "--trials", "2", "--out", str(out)]  # fmt: skip
        assert main(argv) == 0
        asked = len(server.requests)
        assert main(argv) == 0 and len(server.requests) == asked == 8  # resumed: nothing asked again
    finally:
        server.close()
    rows = (out / "heatmap.csv").read_text().splitlines()
    # short files are seen whole; in long ones only a key at the end (depth 1) is within reach
    assert rows == ["depth,500,4000", "0,1.000,0.000", "1,1.000,1.000"]
    assert (out / "heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (out / "report.md").read_text()
    assert "| 0 | 100% | 0% |" in report and "| 1 | 100% | 100% |" in report
