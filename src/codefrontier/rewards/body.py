"""Request bodies read with bounded memory (docs/rewards.md, "Limits").

A JSON body costs far more memory parsed than sent: five million tiny samples are 205 MB
of text and 1.85 GB of Python objects. So a body is measured before it is parsed, and
refused as early as its size shows:

- on its `Content-Length`, before a byte of it is read, when that is over the cap;
- while it streams in, as soon as it passes the cap, holds more JSON values than a full
  batch can need (`JsonShape` counts them outside strings, without building anything),
  or nests deeper than `MAX_DEPTH`;
- and only then parsed, in a worker thread, with the text freed before the request is
  built from it.

Bodies being read share one byte budget (`BodyBudget`): a body reserves its declared
length (the cap when it declares none) before it is read, waits in line while the budget
is spent, and holds its reservation until it is parsed. One body is parsed at a time
(parsing holds the GIL: more at once would only add their objects up, not speed): a body
parses into at most its text plus about 100 bytes per counted value. So bodies in flight
take at most the budget plus one parse, whatever the number of clients, and a refused
body costs no more than what was read of it.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import deque
from collections.abc import AsyncIterator, Callable
from itertools import accumulate
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from codefrontier.errors import InputError
from codefrontier.rewards.wire import RequestError

T = TypeVar("T")

MAX_DEPTH = 64  # nesting of JSON containers; a request needs about 6 (`problems[0].tests[1].input[2]...`)

_STRING = re.compile(rb'"[^"]*"')  # a complete string once its escaped quotes are gone
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_DEPTH_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 / -1 as signed bytes


class JsonShape:
    """Counts the values and tracks the nesting depth of UTF-8 JSON text as it streams
    in, chunk by chunk, without parsing it.

    Outside strings, every value but the first of a container follows a comma, and every
    container starts with a bracket: their count bounds the objects a parser would build.
    Strings are skipped whole, their escapes first (a backslash pair, then an escaped
    quote), so a quote or bracket inside a string never counts. For valid JSON the count
    and depth are exact; for invalid JSON they are exact up to the first error, which is
    as far as a parser gets."""

    def __init__(self, max_values: int, max_depth: int = MAX_DEPTH) -> None:
        self.max_values = max_values
        self.max_depth = max_depth
        self.values = 0
        self.depth = 0
        self._in_string = False
        self._carry = b""  # trailing backslashes: they may escape the next chunk's first byte

    def feed(self, data: bytes) -> None:
        """Account for the next chunk; raises RequestError (413 or 400) past a bound."""
        chunk = self._carry + data
        stripped = chunk.rstrip(b"\\")
        self._carry = chunk[len(stripped) :]
        chunk = stripped.replace(b"\\\\", b"").replace(b'\\"', b"")
        if self._in_string:
            end = chunk.find(b'"')
            if end < 0:
                return
            chunk = chunk[end + 1 :]
            self._in_string = False
        outside = _STRING.sub(b"", chunk)
        opened = outside.find(b'"')  # at most one quote is left: a string that goes on
        if opened >= 0:
            outside = outside[:opened]
            self._in_string = True
        self.values += outside.count(b",") + outside.count(b"[") + outside.count(b"{")
        if self.values > self.max_values:
            raise RequestError(
                413,
                f"the body holds more than {self.max_values} JSON values, more than a full batch "
                "can need; send smaller batches",
                kind="too_large",
            )
        brackets = _NOT_BRACKET.sub(b"", outside).translate(_DEPTH_STEP)
        if brackets:
            depths = list(accumulate(memoryview(brackets).cast("b"), initial=self.depth))
            self.depth = depths[-1]
            if max(depths) > self.max_depth:
                raise RequestError(
                    400, f"the body nests JSON deeper than {self.max_depth} levels", kind="malformed"
                )


class BodyBudget:
    """Bytes of request bodies that may be read and parsed at once, handed out in the
    order asked for (a large body is not starved by a stream of small ones)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.free = total
        self._waiting: deque[tuple[int, asyncio.Future[None]]] = deque()

    async def acquire(self, size: int) -> int:
        """Reserve `size` bytes (at most the whole budget); returns what was reserved."""
        size = min(size, self.total)
        if not self._waiting and self.free >= size:
            self.free -= size
            return size
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((size, granted))
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self.release(size)  # granted just as its request was cancelled
            else:
                self._grant()  # it may have been first in line
            raise
        return size

    def release(self, size: int) -> None:
        self.free += size
        self._grant()

    def _grant(self) -> None:
        while self._waiting:
            size, granted = self._waiting[0]
            if granted.done():  # its request was cancelled while it waited
                self._waiting.popleft()
            elif size <= self.free:
                self._waiting.popleft()
                self.free -= size
                granted.set_result(None)
            else:
                return


def body_too_large(size: int | str, cap: int) -> RequestError:
    return RequestError(413, f"the body is {size} bytes; the limit is {cap}", kind="too_large")


def load_json(raw: bytearray) -> dict[str, Any]:
    """The JSON object in `raw` (UTF-8); empties `raw` once it is decoded, so the bytes
    and the text are never held together with the parsed objects."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RequestError(400, f"the body is not UTF-8 ({exc.reason})", kind="malformed") from None
    finally:
        raw.clear()
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RequestError(400, f"the body is not valid JSON ({exc})", kind="malformed") from None
    except RecursionError:  # JsonShape bounds the depth first; this is the parser's own bound
        raise RequestError(400, "the body nests JSON too deeply", kind="malformed") from None
    if not isinstance(body, dict):
        raise RequestError(400, "the body must be a JSON object", kind="malformed")
    return body


class BodyReader:
    """Reads, measures and parses request bodies under one cap and one budget."""

    def __init__(self, cap: int, max_values: int, budget: int) -> None:
        self.cap = cap
        self.max_values = max_values
        self.budget = BodyBudget(budget)
        self._parsing = asyncio.Semaphore(1)

    async def parse(
        self,
        declared: str | None,
        stream: AsyncIterator[bytes],
        build: Callable[[dict[str, Any]], T],
    ) -> T:
        """`build(body)` for the JSON object streamed by `stream`, whose Content-Length
        header is `declared` (None: chunked). Refusals are RequestErrors."""
        if declared is not None and declared.isdigit() and int(declared) > self.cap:
            raise body_too_large(declared, self.cap)
        reserved = await self.budget.acquire(int(declared) if declared and declared.isdigit() else self.cap)
        try:
            raw = bytearray()
            shape = JsonShape(self.max_values)
            async for chunk in stream:
                if len(raw) + len(chunk) > self.cap:
                    raise body_too_large(f"over {self.cap}", self.cap)
                shape.feed(chunk)
                raw += chunk
            async with self._parsing:
                return await run_in_threadpool(_parse_and_build, raw, build)
        finally:
            self.budget.release(reserved)


def _parse_and_build(raw: bytearray, build: Callable[[dict[str, Any]], T]) -> T:
    try:
        return build(load_json(raw))
    except InputError as exc:
        # A refusal: its traceback's frames hold the parsed body; drop them so that the
        # body is freed before the budget it held is handed to the next one.
        raise exc.with_traceback(None) from None
