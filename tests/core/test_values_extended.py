"""The extended typed-JSON codec of assert problems (sandbox/runtime/values.py): the
standard library's value types rebuilt as the receiver's own, arguments updated in place
after a call, and malformed data refused with ValueError (never another exception that a
reader would not expect)."""

from __future__ import annotations

import collections
import decimal
import fractions
import json

import pytest

from codefrontier.sandbox.runtime import values


def extend(value, depth):
    data = values.encode_stdlib(value, extend, depth)
    if data is None and not isinstance(value, values.PLAIN):
        raise values.UnsupportedValue(type(value).__name__)
    return data


def resolve(key, inner, depth):
    return values.decode_stdlib(key, inner, resolve, depth)


def across(value):
    """`value` sent through JSON text and rebuilt, as between the harness and the solution."""
    return values.decode(json.loads(json.dumps(values.encode(value, extend))), resolve)


STDLIB = [
    range(2, 10, 3),
    slice(1, None, -1),
    bytearray(b"\x00ab"),
    collections.deque([1, (2, 3)], maxlen=4),
    collections.Counter("abracadabra"),
    collections.OrderedDict([(2, "b"), (1, "a")]),
    fractions.Fraction(-7, 3),
    decimal.Decimal("1.10"),
    {1: "a", 2: "b"}.keys(),
    3**9000,
    -(3**9000),
]


@pytest.mark.parametrize("value", STDLIB, ids=lambda v: type(v).__name__)
def test_standard_library_values_are_rebuilt_as_themselves(value) -> None:
    back = across(value)
    assert type(back) is type(value)
    if isinstance(value, collections.OrderedDict):
        assert list(back.items()) == list(value.items())
    elif isinstance(value, collections.deque):
        assert back == value and back.maxlen == value.maxlen
    else:
        assert back == value


def test_a_defaultdict_s_factory_crosses_like_any_value() -> None:
    """The factory goes through the hooks (in assert problems: by name, or a handle)."""

    def naming(value, depth):
        return {"__named__": "builtins:list"} if value is list else values.encode_stdlib(value, naming, depth)

    data = values.encode(collections.defaultdict(list, {"x": [1]}), naming)
    assert data == {"__defaultdict__": [{"__named__": "builtins:list"}, [["x", [1]]]]}

    def naming_back(key, inner, depth):
        return list if key == "__named__" else values.decode_stdlib(key, inner, naming_back, depth)

    back = values.decode(data, naming_back)
    assert back.default_factory is list and back["y"] == [] and back["x"] == [1]


def test_without_the_hooks_the_function_codec_is_unchanged() -> None:
    assert values.encode(collections.Counter("aa")) == {"a": 2}  # a dict subclass, sent as a dict
    assert values.decode({"__range__": [0, 3, 1]}) == {"__range__": [0, 3, 1]}  # a plain dict
    assert values.encode({"__range__": 1}) == {"__dict__": [["__range__", 1]]}  # escaped, both ways


def test_an_argument_is_updated_in_place_keeping_its_nested_containers() -> None:
    row = [2, 1]
    grid = [row, [4, 3]]
    values.update_in_place(grid, [[1, 2], [3, 4], [5]])
    assert grid == [[1, 2], [3, 4], [5]] and grid[0] is row
    table = collections.OrderedDict(b=[1], a=[2])
    inner = table["a"]
    values.update_in_place(table, collections.OrderedDict(a=[9], c=[3]))
    assert list(table.items()) == [("a", [9]), ("c", [3])] and table["a"] is inner
    seen = {1, 2}
    values.update_in_place(seen, {3})
    assert seen == {3}
    with pytest.raises(ValueError):
        values.update_in_place([1], (1,))


@pytest.mark.parametrize(
    "data",
    [
        {"__range__": [1, "a", 2]},
        {"__range__": [1, 2, 0]},
        {"__deque__": [[1], -1]},
        {"__counter__": [[1]]},
        {"__counter__": [[[1], 2]]},
        {"__ordered__": 5},
        {"__defaultdict__": [3, []]},
        {"__fraction__": [1, 0]},
        {"__decimal__": "not a number"},
        {"__int__": "zz"},
        {"__keys__": [[1]]},
        {"__items__": [1]},
        {"__bytearray__": "!!"},
        {"__slice__": [1]},
        {"__dict__": [[1]]},
        {"__dict__": [5]},
    ],
)
def test_malformed_extended_data_is_refused_with_a_value_error(data) -> None:
    with pytest.raises((ValueError, ArithmeticError)):
        values.decode(data, resolve)
