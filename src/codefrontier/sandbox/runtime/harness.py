"""The harness of assert problems: trusted dataset test code, run in a process of its own
that calls the solution across a process boundary (`remote.py`).

The harness gets the test code (the problem's prelude, then the test), a socket to the
solution process and a report pipe that the solution cannot reach. Names resolve, in
this order, to: what the test code and the prelude define (HumanEval's helpers such as
`poly` or `encode_cyclic` are the dataset's, never the solution's); the harness's own
builtins; `candidate` and the entry point's name (the solution's function); and last, a
name the solution's module defines (MBPP's tests build the solution's `Pair` and `Node`
objects and use the modules it imported), fetched once. Values are compared here with
Python's own builtins: an object whose ``__eq__`` always says True, or a patched builtin,
stays in the solution's process.

Verdict of a test: passed when the code runs to its end and nothing the solution did
broke the protocol; otherwise a failure whose kind is one of `protocol.PROGRAM_KINDS`:
RE when the solution raised (and the test did not catch it), ended its process or exited;
OLE when a value it sent passed its output limit; WA for a failed assertion, any other
error of the test code, and a garbled or unreadable message. The process ending,
exiting and protocol failures count even when the test code catches what they raise.

Standard library only (imported by the zygote).
"""

import builtins
import json
import os
import socket

import protocol
import remote
from remote import Gone, Violation


class CandidateError(Exception):
    """An exception the solution raised, rebuilt in the harness (as a subclass of the
    same standard exception class when there is one, so a test can catch it)."""


class CandidateExited(BaseException):
    """The solution exited (SystemExit) or raised a BaseException during a request."""


_RAISED_CLASSES: dict = {}


def raised_class(kind):
    """A subclass of `kind` (a standard exception class) and CandidateError."""
    made = _RAISED_CLASSES.get(kind)
    if made is None:
        try:
            made = type(kind.__name__, (kind, CandidateError), {"__module__": kind.__module__})
        except TypeError:
            made = CandidateError
        _RAISED_CLASSES[kind] = made
    return made


LOCAL_ONLY = frozenset(
    {"__reduce__", "__reduce_ex__", "__getstate__", "__setstate__", "__getnewargs__", "__getnewargs_ex__"}
)


class Remote:
    """A handle on an object of the solution process (see remote.py for the rules)."""

    __slots__ = ("_cf_ep", "_cf_id", "_cf_type")

    def __init__(self, endpoint, ident, type_name):
        object.__setattr__(self, "_cf_ep", endpoint)
        object.__setattr__(self, "_cf_id", ident)
        object.__setattr__(self, "_cf_type", type_name)

    def _cf(self, op, **fields):
        return self._cf_ep.outcome(self._cf_ep.request(op, self._cf_id, **fields))

    def _cf_unary(self, fn, *extra):
        return self._cf("unary", fn=fn, extra=[self._cf_ep.encode(x) for x in extra])

    def _cf_binary(self, fn, other):
        return self._cf("binary", fn=fn, extra=[self._cf_ep.encode(other)])

    def __getattr__(self, name):
        if name in LOCAL_ONLY:
            raise AttributeError(name)  # the copy and pickle protocols probe these: not the solution's
        return self._cf("getattr", name=name)

    def __setattr__(self, name, value):
        self._cf("setattr", name=name, value=self._cf_ep.encode(value))

    def __delattr__(self, name):
        self._cf("delattr", name=name)

    def __call__(self, *args, **kwargs):
        return self._cf_ep.call(self._cf_id, args, kwargs)

    def __len__(self):
        return self._cf_unary("len")

    def __bool__(self):
        return self._cf_unary("bool")

    def __iter__(self):
        return self._cf_unary("iter")

    def __next__(self):
        return self._cf_unary("next")

    def __reversed__(self):
        return self._cf_unary("reversed")

    def __hash__(self):
        return self._cf_unary("hash")

    def __repr__(self):
        try:
            text = self._cf_unary("repr")
        except BaseException:
            text = None
        return text if isinstance(text, str) else f"<{self._cf_type} object of the solution>"

    def __str__(self):
        return self._cf_unary("str")

    def __format__(self, spec):
        return self._cf_unary("format", spec)

    def __int__(self):
        return self._cf_unary("int")

    def __float__(self):
        return self._cf_unary("float")

    def __complex__(self):
        return self._cf_unary("complex")

    def __index__(self):
        return self._cf_unary("index")

    def __abs__(self):
        return self._cf_unary("abs")

    def __neg__(self):
        return self._cf_unary("neg")

    def __pos__(self):
        return self._cf_unary("pos")

    def __invert__(self):
        return self._cf_unary("invert")

    def __round__(self, *ndigits):
        return self._cf_unary("round", *ndigits)

    def __trunc__(self):
        return self._cf_unary("trunc")

    def __floor__(self):
        return self._cf_unary("floor")

    def __ceil__(self):
        return self._cf_unary("ceil")

    def __copy__(self):
        return self._cf_unary("copy")

    def __deepcopy__(self, memo):
        return self._cf_unary("deepcopy")

    def __reduce_ex__(self, protocol):
        raise TypeError("an object of the solution cannot be pickled in the test")

    def __getitem__(self, key):
        return self._cf_binary("getitem", key)

    def __setitem__(self, key, value):
        self._cf("binary", fn="setitem", extra=[self._cf_ep.encode(key), self._cf_ep.encode(value)])

    def __delitem__(self, key):
        self._cf_binary("delitem", key)

    def __contains__(self, item):
        if self._cf_same(item):
            return bool(self._cf_binary("contains", item))
        # Membership of a test value: compared here, element by element.
        return any(item is element or item == element for element in iter(self))

    def __instancecheck__(self, obj):
        return self._cf_same(obj) and bool(self._cf_binary("instancecheck", obj))

    def __divmod__(self, other):
        return self._cf_binary("divmod", other) if self._cf_same(other) else NotImplemented

    def _cf_same(self, other):
        return type(other) is Remote and other._cf_ep is self._cf_ep


def _operator(fn):
    def method(self, other):
        # Only between two objects of the solution: a test's value never meets the
        # solution's operators (an always-equal object equals nothing the test wrote).
        if type(other) is Remote and other._cf_ep is self._cf_ep:
            return self._cf_binary(fn, other)
        return NotImplemented

    method.__name__ = f"__{fn.rstrip('_')}__"
    return method


for _fn in remote.BINARY:
    setattr(Remote, f"__{_fn.rstrip('_')}__", _operator(_fn))


class HarnessEndpoint(remote.Endpoint):
    """The harness's side: calls into the solution; serves only calls of the test's own
    objects; records the first failure no test code may swallow."""

    proxy_class = Remote
    take_named = remote.MODULES_AND_CLASSES

    def __init__(self, sock):
        super().__init__(sock)
        self.gen = int.from_bytes(os.urandom(6), "big")
        self.failure = None  # (kind, message) of the first failure that decides the test

    def fail(self, kind, message):
        if self.failure is None:
            self.failure = (kind, protocol.clean_text(message))

    def request(self, op, target, **fields):
        try:
            return super().request(op, target, **fields)
        except Gone as exc:
            self.fail("RE", f"the solution process ended ({exc})")
            raise

    def violation(self, message):
        self.fail("WA", f"garbled message from the solution process: {message}")
        raise Violation(message)

    def raised(self, info):
        if not isinstance(info, dict):
            self.violation("a failure without a description")
        text = protocol.clean_text(info.get("text", ""))
        if info.get("ole"):
            self.fail("OLE", "a value the solution sent exceeds the output limit")
            return CandidateExited(text)
        if info.get("unsendable"):
            self.fail("WA", text)
            return CandidateExited(text)
        if info.get("exit"):
            self.fail("RE", f"{text} during a call")
            return CandidateExited(text)
        kind = None
        try:
            kind = remote.lookup_name(info.get("type"), (type,)) if info.get("type") else None
        except Exception:
            pass
        if not (isinstance(kind, type) and issubclass(kind, Exception)):
            kind = None
        made = raised_class(kind) if kind is not None else CandidateError
        args = ()
        if "args" in info:
            try:
                decoded = self.decode(info["args"])
                args = tuple(decoded) if isinstance(decoded, tuple) else ()
            except (Gone, Violation):
                raise
            except Exception:
                pass
        try:
            exc = made(*args)
        except Exception:
            exc = made.__new__(made)
            exc.args = args
        exc.candidate_text = text
        return exc

    def serve(self, msg):
        """A request of the solution: only a call of an object the test gave it."""
        if msg.get("op") != "call" or type(msg.get("target")) is not int or msg["target"] not in self.exports:
            self.violation("a request the test does not serve")
        try:
            body = self.serve_call(msg, self.exports[msg["target"]])
        except (Gone, Violation, CandidateExited):
            raise
        except remote.Unsendable as exc:
            body = {"raised": {"text": f"ValueError: {exc}", "type": "builtins:ValueError"}}
        except Exception as exc:
            body = {"raised": remote.describe_exception(self, exc)}
        self.reply(msg, body)


class TestNamespace(dict):
    """Globals for assert-test code (see the module's docstring for how names resolve)."""

    def __init__(self, endpoint: HarnessEndpoint, entry: str):
        super().__init__({"__name__": "__test__", "__builtins__": builtins})
        self.endpoint = endpoint
        candidate = Remote(endpoint, entry, entry)
        self["candidate"] = candidate
        self[entry.split(".")[-1]] = candidate

    def __missing__(self, key):
        if hasattr(builtins, key):
            return getattr(builtins, key)
        if key.startswith("__"):
            raise KeyError(key)
        value = self.endpoint.outcome(self.endpoint.request("global", key))
        self[key] = value
        return value


def verdict_of(endpoint: HarnessEndpoint, exc) -> dict:
    """The report of a test that ended with `exc` (None: it ran to its end)."""
    if endpoint.failure is not None:
        kind, message = endpoint.failure
        # The solution process may be left inside a request of this test: not reused.
        return {"passed": False, "kind": kind, "message": message, "restart": True}
    if exc is None:
        return {"passed": True}
    if isinstance(exc, CandidateError):
        text = getattr(exc, "candidate_text", "") or f"{type(exc).__name__}: {exc}"
        return {"passed": False, "kind": "RE", "message": protocol.clean_text(text)}
    if isinstance(exc, AssertionError):
        return {"passed": False, "kind": "WA", "message": protocol.clean_text(f"assertion failed: {exc}")}
    return {"passed": False, "kind": "WA", "message": protocol.clean_text(f"{type(exc).__name__}: {exc}")}


def run_harness(sock: socket.socket, test_fd: int, report_fd: int, entry: str) -> None:
    """Run one assert test against the solution process; the verdict goes to the zygote
    through `report_fd`."""
    report = {"passed": False, "kind": "WA", "message": "the test did not run"}
    endpoint = HarnessEndpoint(sock)
    try:
        size = os.fstat(test_fd).st_size
        test_code = os.pread(test_fd, size, 0)
        code = compile(test_code, "test.py", "exec", dont_inherit=True)
        try:
            exec(code, TestNamespace(endpoint, entry))
            outcome = None
        except BaseException as exc:
            outcome = exc
        report = verdict_of(endpoint, outcome)
    except BaseException as exc:  # the harness itself (a test that does not compile)
        report = {
            "passed": False,
            "kind": "WA",
            "message": protocol.clean_text(f"{type(exc).__name__}: {exc}"),
        }
    os.write(report_fd, json.dumps(report).encode())
    os._exit(0)
