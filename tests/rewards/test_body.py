"""Request bodies measured before they are parsed: JSON values and depth counted while the
body streams in, whatever the chunking; the body cap derived from the batch limits; the
byte budget of bodies parsed at once."""

from __future__ import annotations

import asyncio
import json
import random

import pytest

from codefrontier.rewards.body import BodyBudget, JsonShape, load_json
from codefrontier.rewards.wire import INLINE_PROBLEM_BYTES, SAMPLE_FIELDS_BYTES, Limits, RequestError

TEXTS = [
    {"samples": [{"problem_id": "p", "code": 'print("[{,}]")\n'}]},
    {"samples": [{"code": 'a\\"b\\\\', "x": [1, 2, [3, {"k": ",,,"}]]}], "mode": "all"},
    {"s": "\\" * 7 + '"' + "{[," * 5, "t": ["\\", "\\\\", '"', '\\"'], "u": {}},
    {"deep": [[[[[[[["]]]]"]]]]]]]], "e": [], "n": None, "b": [True, False, 1.5e3]},
    {"unicode": "é\u2028😀 \\u005c", "ctl": "\n\t\u0000"},
]


def reference_shape(text: bytes) -> tuple[int, int]:
    """Values (commas + containers) and the largest depth, by the obvious byte-by-byte walk."""
    values = depth = deepest = 0
    in_string = escaped = False
    for byte in text:
        char = chr(byte)
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            values += 1
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
        elif char == ",":
            values += 1
    return values, deepest


@pytest.mark.parametrize("obj", TEXTS)
@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64, 1 << 20])
def test_json_values_and_depth_are_counted_outside_strings_however_the_body_is_split(
    obj: object, chunk: int
) -> None:
    text = json.dumps(obj, ensure_ascii=False).encode()
    shape = JsonShape(max_values=10**6)
    for start in range(0, len(text), chunk):
        shape.feed(text[start : start + chunk])
    values, expected_depth = reference_shape(text)
    assert shape.values == values
    assert shape.depth == 0
    JsonShape(max_values=values, max_depth=expected_depth).feed(text)  # exactly at both bounds
    strict = JsonShape(max_values=10**6, max_depth=expected_depth - 1)
    with pytest.raises(RequestError) as deep:
        for start in range(0, len(text), chunk):
            strict.feed(text[start : start + chunk])
    assert deep.value.status == 400


def random_json(rng: random.Random, depth: int = 0) -> object:
    pick = rng.random()
    if depth < 6 and pick < 0.3:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if depth < 6 and pick < 0.5:
        return {"".join(rng.choices('\\"[]{},a', k=3)): random_json(rng, depth + 1) for _ in range(3)}
    return "".join(rng.choices('\\"[]{},: \n\u00e9', k=rng.randint(0, 12)))


def test_random_json_split_at_random_places_is_counted_exactly() -> None:
    rng = random.Random(21)
    for _ in range(300):
        text = json.dumps(random_json(rng), ensure_ascii=rng.random() < 0.5).encode()
        shape = JsonShape(max_values=10**6)
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randint(0, 6))))
        for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True):
            shape.feed(text[start:end])
        assert (shape.values, shape.depth) == (reference_shape(text)[0], 0), text


def test_a_flood_of_tiny_samples_is_refused_after_reading_a_small_part_of_it() -> None:
    """5 million tiny samples are 205 MB of text and 1.85 GB parsed: the count stops the
    body while it streams, long before its end."""
    limits = Limits(max_batch=1024, max_inline_problems=0)
    head = b'{"samples": ['
    record = b'{"problem_id": "p", "code": "x"},'
    shape = JsonShape(limits.body_values)
    shape.feed(head)
    read = len(head)
    with pytest.raises(RequestError) as refused:
        for _ in range(5_000_000 // 1000):
            shape.feed(record * 1000)
            read += len(record) * 1000
    assert refused.value.status == 413 and "JSON values" in refused.value.message
    assert read < 3 * limits.body_values * len(record)  # about max_values records, not 5 million


def test_nesting_deeper_than_the_bound_is_a_400_before_parsing() -> None:
    shape = JsonShape(max_values=10**6)
    with pytest.raises(RequestError) as deep:
        shape.feed(b'{"samples": ' + b"[" * 100_000)
    assert deep.value.status == 400 and deep.value.kind == "malformed"


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b"\xff\xfe{}", "not UTF-8"), (b"[1]", "JSON object"), (b'{"a": }', "not valid JSON")],
)
def test_a_body_that_is_not_a_utf8_json_object_is_a_400(raw: bytes, message: str) -> None:
    with pytest.raises(RequestError) as bad:
        load_json(bytearray(raw))
    assert bad.value.status == 400 and message in bad.value.message


def test_the_body_cap_is_what_a_full_batch_can_need() -> None:
    limits = Limits(max_batch=100, max_code_bytes=10_000, max_inline_problems=2)
    assert limits.body_bytes == 100 * (10_000 + SAMPLE_FIELDS_BYTES) + 2 * INLINE_PROBLEM_BYTES
    assert Limits(max_batch=100, max_body_bytes=5000).body_bytes == 5000


def test_the_body_budget_hands_out_bytes_in_the_order_asked() -> None:
    async def scenario() -> list[str]:
        budget = BodyBudget(100)
        order: list[str] = []
        assert await budget.acquire(60) == 60

        async def body(name: str, size: int) -> None:
            reserved = await budget.acquire(size)
            order.append(name)
            budget.release(reserved)

        large = asyncio.create_task(body("large", 80))  # waits for the first 60 to come back
        await asyncio.sleep(0)
        small = asyncio.create_task(body("small", 10))  # would fit now, but queues behind it
        await asyncio.sleep(0)
        assert order == []
        budget.release(60)
        await asyncio.gather(large, small)
        assert budget.free == 100
        assert await budget.acquire(10**9) == 100  # never more than the whole budget
        return order

    assert asyncio.run(scenario()) == ["large", "small"]


def test_a_body_whose_request_is_cancelled_while_it_waits_gives_its_turn_away() -> None:
    async def scenario() -> int:
        budget = BodyBudget(100)
        first = await budget.acquire(100)
        gone = asyncio.create_task(budget.acquire(50))
        after = asyncio.create_task(budget.acquire(50))
        await asyncio.sleep(0)
        gone.cancel()  # the client went away while its body waited
        budget.release(first)
        assert await after == 50
        return budget.free

    assert asyncio.run(scenario()) == 50
