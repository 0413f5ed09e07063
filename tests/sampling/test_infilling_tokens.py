"""Token-level fill-in-the-middle prompts on real tokenizer files: Code Llama's (the
sentinels as special tokens, suffix and middle without the implicit leading space, BOS
once at the start) and StarCoder's (on SmolLM2's published vocabulary), round-tripping
prefix, middle and suffix exactly; and a token prompt through a local model."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from transformers import AutoTokenizer

from codefrontier.errors import ConfigError
from codefrontier.problems.humaneval_infilling import read_records
from codefrontier.sampling.backends import GenerationParams
from codefrontier.sampling.infilling import CODE_LLAMA, STARCODER, TokenInfill, infill, middle_of
from sampling.tokenizers_kit import code_llama_style_dir, smollm2_dir


@pytest.fixture(scope="module")
def records() -> list[dict]:
    """One random span per HumanEval problem (the slow tests take all 1,640 spans)."""
    return read_records("random-span-light")


@pytest.fixture(scope="module")
def tokenizer_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("tokenizers")
    corpus = [r["prompt"] + r["canonical_solution"] + r["suffix"] for r in read_records("random-span-light")]
    return {
        "code-llama": code_llama_style_dir(tmp, corpus),
        "starcoder": smollm2_dir(tmp, starcoder_sentinels=True),
        "plain": smollm2_dir(tmp),
    }


_LOADED: dict[Path, object] = {}


def _load(tokenizer_dirs: dict[str, Path], name: str):
    path = tokenizer_dirs[name]
    if path not in _LOADED:
        _LOADED[path] = AutoTokenizer.from_pretrained(path)
    return _LOADED[path]


def _parts(tokens: TokenInfill, ids: list[int], prefix: str, order: str) -> tuple[str, str, str]:
    """(prefix, middle, suffix) read back from a training sequence."""
    start = 1 if tokens.bos_id is not None else 0
    mid = ids.index(tokens.middle_id)
    if order == "psm":
        sfx = ids.index(tokens.suffix_id)
        got_prefix = tokens.tokenizer.decode(ids[start + 1 : sfx])
        suffix = tokens.decode_infilling(ids[sfx + 1 : mid])
        middle, ended = tokens.middle_of(ids[mid + 1 :])
    else:
        suffix = tokens.decode_infilling(ids[start + 2 : mid])
        n = len(tokens.encode(prefix))  # SPM puts prefix and middle side by side after <MID>
        got_prefix = tokens.tokenizer.decode(ids[mid + 1 : mid + 1 + n])
        middle, ended = tokens.middle_of(ids[mid + 1 + n :])
    assert ended
    return got_prefix, middle, suffix


def _round_trip_failures(tokens: TokenInfill, records: list[dict], order: str) -> list[str]:
    wrong = []
    for r in records:
        ids = tokens.training_ids(r["prompt"], r["canonical_solution"], r["suffix"], order)
        if _parts(tokens, ids, r["prompt"], order) != (r["prompt"], r["canonical_solution"], r["suffix"]):
            wrong.append(r["task_id"])
    return wrong


@pytest.mark.parametrize("order", ["psm", "spm"])
def test_code_llama_token_prompts_round_trip_prefix_middle_and_suffix_exactly(tokenizer_dirs, records, order):
    assert (
        _round_trip_failures(TokenInfill(_load(tokenizer_dirs, "code-llama"), CODE_LLAMA), records, order)
        == []
    )


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["code-llama", "starcoder"])
@pytest.mark.parametrize("order", ["psm", "spm"])
def test_token_prompts_round_trip_every_random_span_task(tokenizer_dirs, fmt, order):
    tokens = TokenInfill(_load(tokenizer_dirs, fmt), fmt)
    assert _round_trip_failures(tokens, read_records("random-span"), order) == []


def test_code_llama_sentinels_are_its_special_tokens_in_its_order(tokenizer_dirs):
    tokenizer = _load(tokenizer_dirs, "code-llama")
    tokens = TokenInfill(tokenizer, CODE_LLAMA)
    names = tokenizer.convert_ids_to_tokens(
        [tokens.prefix_id, tokens.suffix_id, tokens.middle_id, tokens.end_id]
    )
    assert names == ["▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>"]
    psm = tokens.prompt_ids("def f():\n", "    return 1\n", "psm")
    spm = tokens.prompt_ids("def f():\n", "    return 1\n", "spm")
    assert psm[:2] == [tokenizer.bos_token_id, tokens.prefix_id] and psm[-1] == tokens.middle_id
    assert spm[:3] == [tokenizer.bos_token_id, tokens.prefix_id, tokens.suffix_id]
    assert spm[-len(tokens.encode("def f():\n")) :] == tokens.encode("def f():\n")


def test_bos_comes_once_at_the_start_and_never_before_a_part(tokenizer_dirs, records):
    tokens = TokenInfill(_load(tokenizer_dirs, "code-llama"), CODE_LLAMA)
    for r in records[:50]:
        for order in ("psm", "spm"):
            ids = tokens.training_ids(r["prompt"], r["canonical_solution"], r["suffix"], order)
            assert ids[0] == tokens.bos_id and ids.count(tokens.bos_id) == 1


def test_suffix_and_middle_are_encoded_without_the_implicit_leading_space(tokenizer_dirs):
    tokenizer = _load(tokenizer_dirs, "code-llama")
    tokens = TokenInfill(tokenizer, CODE_LLAMA)
    assert tokens.adds_space
    plain = tokenizer.convert_ids_to_tokens(tokens.encode("return x"))
    infilled = tokenizer.convert_ids_to_tokens(tokens.encode_infilling("return x"))
    assert plain[0].startswith("▁") and not infilled[0].startswith("▁")
    assert tokenizer.decode(tokens.encode_infilling("return x")) == "return x"
    # a middle that starts with spaces keeps every one of them
    assert tokens.decode_infilling(tokens.encode_infilling("    return x")) == "    return x"


@pytest.mark.parametrize("order", ["psm", "spm"])
def test_starcoder_token_prompts_round_trip_on_the_smollm2_vocabulary(tokenizer_dirs, records, order):
    tokens = TokenInfill(_load(tokenizer_dirs, "starcoder"), STARCODER)
    assert tokens.bos_id is None and not tokens.adds_space
    assert tokens.prompt_ids("a", "b", order)[0] == tokens.prefix_id
    assert _round_trip_failures(tokens, records, order) == []


def test_a_tokenizer_without_the_infilling_tokens_is_an_error_naming_them(tokenizer_dirs):
    with pytest.raises(ConfigError) as caught:
        TokenInfill(_load(tokenizer_dirs, "plain"), STARCODER)
    message = str(caught.value)
    assert "<fim_prefix>, <fim_suffix>, <fim_middle>" in message and "<|endoftext|>," not in message
    with pytest.raises(ConfigError, match="<PRE>, <SUF>, <MID>, <EOT>"):
        TokenInfill(_load(tokenizer_dirs, "plain"), CODE_LLAMA)


def test_a_token_prompt_reaches_a_local_model_as_is_and_the_middle_comes_back_from_its_tokens(
    tokenizer_dirs, tmp_path
):
    from codefrontier.sampling.backends import TransformersBackend
    from sampling.tiny_models import save_tiny_model

    tokenizer = _load(tokenizer_dirs, "code-llama")
    model_dir = save_tiny_model(tmp_path / "fim-model", seed=3, tokenizer=tokenizer)
    tokens = TokenInfill(AutoTokenizer.from_pretrained(model_dir), CODE_LLAMA)

    async def go():
        backend = TransformersBackend(model_dir, device="cpu")
        try:
            return await infill(
                backend,
                "def f(x):\n",
                "    return y\n",
                order="spm",
                tokens=tokens,
                n=2,
                params=GenerationParams(temperature=0.2, max_tokens=12, seed=1),
            )
        finally:
            await backend.aclose()

    completions = asyncio.run(go())
    prompt_len = len(tokens.prompt_ids("def f(x):\n", "    return y\n", "spm"))
    for c in completions:
        assert c.token_ids is not None and 1 <= len(c.token_ids) <= 12
        assert c.usage.prompt_tokens == prompt_len  # the ids went in as they were, nothing added
        middle, ended = middle_of(c, tokens=tokens)
        assert ended == (tokens.end_id in c.token_ids or c.finish_reason == "stop")
        cut = list(c.token_ids)
        if tokens.end_id in cut:
            cut = cut[: cut.index(tokens.end_id)]
        assert middle == tokens.decode_infilling(cut)
        # a raw completion keeps the special tokens the model wrote in its text too
        kept = list(c.token_ids[:-1]) if c.finish_reason == "stop" else list(c.token_ids)
        assert c.text == tokens.tokenizer.decode(kept, skip_special_tokens=False)


def test_sample_infill_with_a_local_model_sends_its_own_token_prompts(tokenizer_dirs, tmp_path):
    import json

    from codefrontier.cli import main
    from codefrontier.problems.humaneval_infilling import load_split
    from sampling.tiny_models import save_tiny_model

    model_dir = save_tiny_model(tmp_path / "fim-model", seed=5, tokenizer=_load(tokenizer_dirs, "code-llama"))
    task = load_split("random-span-light")[0]
    out = tmp_path / "s.jsonl"
    argv = ["sample", "--model", str(model_dir), "--benchmark", "humaneval-infilling-random-span-light", "--infill",
            "--order", "spm", "--problem-ids", task.id, "--n", "1", "--max-tokens", "6", "--device", "cpu",
            "--out", str(out), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    (line,) = [json.loads(x) for x in out.read_text().splitlines()]
    assert line["policy"] == "fim-model-spm" and line["policy_meta"] == {
        "infill_order": "spm",
        "infill_split": "random-span-light",
    }
    assert line["code"] == task.program_for_completion(line.get("raw", ""))
    trajectory = json.loads(out.with_name("s.trajectories.jsonl").read_text())
    assert trajectory["messages"][0]["tokens"] is True
    tokens = TokenInfill(AutoTokenizer.from_pretrained(model_dir), CODE_LLAMA)
    prompt_len = len(tokens.prompt_ids(task.starter_code, task.suffix, "spm"))
    assert trajectory["steps"][0]["prompt_tokens"] == prompt_len
