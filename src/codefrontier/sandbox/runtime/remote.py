"""Objects across the boundary of an assert test.

An assert test's code (trusted dataset code) runs in a harness process; the solution
runs in its own process. They share one socket, and each side can call into the other:

* **by value** — the plain types of `values.py` and the standard library's value types
  (`values.encode_stdlib`) cross as typed JSON and are rebuilt from scratch as the
  receiver's own objects. A call's arguments of a mutable type (`values.MUTABLE`) are
  sent back after the call when the callee changed them, and the caller updates its own
  objects in place (`values.update_in_place`): a test that checks a list the solution
  sorted in place sees the sort.
* **by name** — modules, classes and functions of the standard library cross as
  ``module:qualname`` and are looked up (imported if need be) by the receiver: a test
  that uses the `sys` the solution imported gets the harness's own `sys`, and `len`
  passed as a key function is the solution's own `len`. From the solution only modules
  and classes are taken by name; its functions (even one it took from the standard
  library) stay by reference and run in its process, so it cannot hand the test a
  function of the harness the test did not name.
* **by reference** — everything else stays in the process that made it. The other side
  holds a handle: in the harness a `Remote`, whose attribute reads and writes, calls,
  operators, iteration, ``len``, ``bool``, ``hash``, ``repr``... run in the solution
  process; in the solution a `TestCallable`, which can only be called (the call runs in
  the harness: a lambda the test passes as a key function).

Trust rules. The harness is trusted; everything the solution process sends is parsed
defensively (`protocol.parse_untrusted`, decoding errors caught) and can only make the
test fail (`Violation`, `Gone`), never pass and never choose a measured verdict. A
comparison or arithmetic operator between a `Remote` and anything that is not a `Remote`
is refused (``==`` is False, ``!=`` True, the rest TypeError): what the candidate returned
is compared with what the test supplies by the harness's own builtins, so an object whose
``__eq__`` always says True compares equal to nothing the test wrote. Two `Remote`s compare
with the solution's own operators (its classes' ``__eq__``, as in MBPP's harness). A
`TestCallable` offers the solution nothing but a call: no attribute of a test object, so
no path to the harness's globals.

Messages are JSON objects: requests ``{"op", "seq", "gen", "target", ...}`` and replies
``{"re": seq, "gen", "ok": value, "back": {...}}`` or ``{"re": seq, "gen", "raised": {...}}``;
one larger than `INLINE_MAX` bytes travels in a memfd sent beside ``{"big": true}``. Each
side serves the other's requests while it waits for its own reply, so calls nest.

Standard library only (imported by the zygote; both processes are its children).
"""

import errno
import importlib
import json
import math
import operator
import os
import socket
import stat
import sys
import types

import protocol
import values

INLINE_MAX = 60000  # larger messages travel in a memfd
RECV_MAX = 65536
BIG_MAX = 1 << 30  # a memfd message larger than this is refused (the harness has a memory limit too)
NO_IMPORT = frozenset({"antigravity", "this"})  # standard modules whose import does something
NAMED_KINDS = (
    types.ModuleType,
    type,
    types.BuiltinFunctionType,
    types.FunctionType,
    types.MethodDescriptorType,  # str.lower
    types.ClassMethodDescriptorType,  # dict.fromkeys
)
MODULES_AND_CLASSES = (types.ModuleType, type)
BINARY = [
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "add",
    "sub",
    "mul",
    "truediv",
    "floordiv",
    "mod",
    "pow",
    "matmul",
    "and_",
    "or_",
    "xor",
    "lshift",
    "rshift",
]


class Gone(BaseException):
    """The other process ended, or its socket failed."""


class Violation(BaseException):
    """The other process broke the protocol."""


class Unsendable(Exception):
    """A value that cannot be encoded (nested too deeply, a cycle)."""


# -- names ---------------------------------------------------------------------------------
def is_stdlib(module) -> bool:
    return isinstance(module, str) and (
        module == "builtins" or module.split(".")[0] in sys.stdlib_module_names
    )


_TYPES_BY_ID: dict = {}  # builtin classes only the `types` module names (NoneType, FunctionType...)


def name_of(value, kinds=NAMED_KINDS):
    """``module:qualname`` for a module, class or function (of `kinds`) that the standard
    library holds under that name (checked by looking it up), else None."""
    if not isinstance(value, kinds):
        return None
    if isinstance(value, types.ModuleType):
        name = getattr(value, "__name__", None)
        if is_stdlib(name) and sys.modules.get(name) is value:
            return name + ":"
        return None
    owner = getattr(value, "__objclass__", None)  # a method of a builtin class
    module = getattr(owner if owner is not None else value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if not is_stdlib(module) or not isinstance(qualname, str) or "<" in qualname:
        return None
    found = sys.modules.get(module)
    for part in qualname.split("."):
        found = getattr(found, part, None)
    if found is value:
        return f"{module}:{qualname}"
    if module == "builtins" and isinstance(value, type):
        if not _TYPES_BY_ID:
            _TYPES_BY_ID.update({id(v): f"types:{k}" for k, v in vars(types).items() if isinstance(v, type)})
        return _TYPES_BY_ID.get(id(value))
    return None


def lookup_name(text, kinds=NAMED_KINDS):
    """The module, class or function a ``module:qualname`` names, looked up (and imported
    if need be) here; ValueError for anything else, or for an object not of `kinds`."""
    if not isinstance(text, str):
        raise ValueError("a name must be text")
    module, sep, qualname = text.partition(":")
    if not sep or not is_stdlib(module) or module.split(".")[0] in NO_IMPORT:
        raise ValueError(f"not a name of the standard library: {text[:100]!r}")
    found = sys.modules.get(module)
    if found is None:
        try:
            found = importlib.import_module(module)
        except Exception as exc:
            raise ValueError(f"cannot import {module!r}: {exc}") from None
    for part in qualname.split(".") if qualname else ():
        if not part or part.startswith("__"):
            raise ValueError(f"not a plain name: {text[:100]!r}")
        found = getattr(found, part)
    if not isinstance(found, kinds):
        raise ValueError(f"{text[:100]!r} names no {' or '.join(k.__name__ for k in kinds)}")
    return found


# -- the endpoint shared by both sides -------------------------------------------------------
class Endpoint:
    """One side of the socket: its objects the other side holds (`exports`), its handles
    on the other side's objects (`proxies`), the codec between them, and the loop that
    waits for a reply while serving the other side's requests."""

    proxy_class = None  # the handle type for the other side's objects
    send_named = NAMED_KINDS  # what this side sends by name (the rest by reference)
    take_named = NAMED_KINDS  # what a name from the other side may stand for

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.seq = 0
        self.gen = 0  # the harness's run: replies of an earlier harness are not ours
        self.exports: dict = {}
        self.export_ids: dict = {}
        self.proxies: dict = {}

    # -- codec --------------------------------------------------------------------------
    def encode(self, value):
        try:
            return values.encode(value, self._extend)
        except (values.UnsupportedValue, RecursionError, ValueError) as exc:
            raise Unsendable(str(exc)) from None

    def decode(self, data):
        return values.decode(data, self._resolve)

    def _extend(self, value, depth):
        data = values.encode_stdlib(value, self._extend, depth)
        if data is not None:
            return data
        if isinstance(value, values.PLAIN):
            return None  # a subclass of a plain type: sent as that type (its overrides stay here)
        if type(value) is self.proxy_class and value._cf_ep is self:
            return {"__yours__": value._cf_id}
        name = name_of(value, self.send_named)
        if name is not None:
            return {"__named__": name}
        return {"__obj__": [self.export(value), type(value).__name__]}

    def _resolve(self, key, inner, depth):
        if key == "__obj__":
            if not (isinstance(inner, list) and len(inner) == 2 and type(inner[0]) is int):
                raise ValueError("a reference must be [id, type name]")
            return self.proxy(inner[0], inner[1])
        if key == "__yours__":
            if type(inner) is not int or inner not in self.exports:
                raise ValueError("a reference to no object")
            return self.exports[inner]
        if key == "__named__":
            return lookup_name(inner, self.take_named)
        return values.decode_stdlib(key, inner, self._resolve, depth)

    def export(self, value) -> int:
        ident = self.export_ids.get(id(value))
        if ident is None:
            ident = len(self.exports) + 1
            self.exports[ident] = value  # kept alive: its id() must not be reused
            self.export_ids[id(value)] = ident
        return ident

    def proxy(self, ident: int, type_name):
        handle = self.proxies.get(ident)
        if handle is None:
            handle = self.proxy_class(self, ident, str(type_name)[:100])
            self.proxies[ident] = handle
        return handle

    def reset(self, gen) -> None:
        self.gen = gen
        self.exports, self.export_ids, self.proxies = {}, {}, {}

    # -- transport ------------------------------------------------------------------------
    def send(self, message: dict) -> None:
        data = json.dumps(message, separators=(",", ":"), allow_nan=False).encode()
        try:
            if len(data) <= INLINE_MAX:
                self.sock.send(data)
                return
            fd = os.memfd_create("message", os.MFD_CLOEXEC)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                socket.send_fds(self.sock, [b'{"big":true}'], [fd])
            finally:
                os.close(fd)
        except OSError as exc:
            if exc.errno == errno.EFBIG:
                raise  # the sender's output limit: the caller reports it
            raise Gone(f"the other process is gone ({exc.strerror})") from None

    def receive(self):
        """The next message as a dict, or None when it is not one."""
        try:
            raw, fds, flags, _ = socket.recv_fds(self.sock, RECV_MAX, 1)
        except OSError as exc:
            raise Gone(f"the other process is gone ({exc.strerror})") from None
        if not raw and not fds:
            raise Gone("the other process ended")
        if flags & socket.MSG_TRUNC:
            for fd in fds:
                os.close(fd)
            return None
        if fds:
            try:
                raw = read_big(fds[0])
            finally:
                for fd in fds:
                    os.close(fd)
            if raw is None:
                return None
        return protocol.parse_untrusted(raw)

    # -- requests ---------------------------------------------------------------------------
    def request(self, op: str, target, **fields) -> dict:
        """Send one request and serve the other side's requests until its reply comes."""
        self.seq += 1
        seq = self.seq
        self.send({"op": op, "seq": seq, "gen": self.gen, "target": target, **fields})
        while True:
            msg = self.receive()
            if msg is None:
                self.violation("a message that is not a JSON object")
            if "re" in msg:
                if msg.get("gen") != self.gen:
                    continue  # a reply meant for an earlier harness
                if msg["re"] != seq:
                    self.violation("a reply to no request")
                return msg
            self.serve(msg)

    def call(self, target, args: tuple, kwargs: dict):
        """Call `target` on the other side; arguments of a mutable type that the callee
        changed are updated here in place."""
        reply = self.request(
            "call",
            target,
            args=[self.encode(a) for a in args],
            kwargs={k: self.encode(v) for k, v in kwargs.items()},
        )
        result = self.outcome(reply)
        back = reply.get("back")
        if back:
            self.write_back(back, args, kwargs)
        return result

    def write_back(self, back, args, kwargs) -> None:
        if not isinstance(back, dict):
            self.violation("arguments sent back are not an object")
        for key, data in back.items():
            try:
                if key.startswith("k:"):
                    target = kwargs[key[2:]]
                else:
                    target = args[int(key)]
                if not isinstance(target, values.MUTABLE):
                    raise ValueError("an argument of an immutable type sent back")
                values.update_in_place(target, self.decode(data))
            except (Gone, Violation):
                raise
            except Exception as exc:
                self.violation(f"an argument sent back cannot be read ({type(exc).__name__}: {exc})")

    def outcome(self, reply: dict):
        """The value a reply carries, or the exception it reports, raised."""
        if "ok" in reply:
            try:
                return self.decode(reply["ok"])
            except (Gone, Violation):
                raise
            except Exception as exc:
                self.violation(f"a value that cannot be read ({type(exc).__name__}: {exc})")
        raise self.raised(reply.get("raised"))

    def serve_call(self, msg: dict, fn) -> dict:
        """Run one call of `fn` for the other side; the reply, with mutated arguments."""
        args_data, kwargs_data = msg.get("args"), msg.get("kwargs")
        if not isinstance(args_data, list) or not isinstance(kwargs_data, dict):
            raise TypeError("a call needs a list of arguments and an object of keyword arguments")
        args = [self.decode(a) for a in args_data]
        kwargs = {str(k): self.decode(v) for k, v in kwargs_data.items()}
        result = fn(*args, **kwargs)
        reply = {"ok": self.encode(result)}
        back = {}
        for i, arg in enumerate(args):
            if isinstance(arg, values.MUTABLE):
                now = self.encode(arg)
                if now != args_data[i]:
                    back[str(i)] = now
        for name, arg in kwargs.items():
            if isinstance(arg, values.MUTABLE):
                now = self.encode(arg)
                if now != kwargs_data[name]:
                    back["k:" + name] = now
        if back:
            reply["back"] = back
        return reply

    def reply(self, msg: dict, body: dict) -> None:
        body["re"] = msg.get("seq")
        body["gen"] = msg.get("gen")
        try:
            self.send(body)
        except OSError as exc:  # EFBIG: over the output limit
            self.send({"re": body["re"], "gen": body["gen"], "raised": {"ole": True, "text": str(exc)}})

    # -- per side ---------------------------------------------------------------------------
    def serve(self, msg: dict) -> None:
        raise NotImplementedError

    def violation(self, message: str):
        raise Violation(message)

    def raised(self, info):
        raise NotImplementedError


def read_big(fd: int):
    """A message that came as a memfd (None when it is not a regular file or too large)."""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > BIG_MAX:
            return None
        return os.pread(fd, info.st_size, 0)
    except OSError:
        return None


def describe_exception(endpoint: Endpoint, exc: BaseException) -> dict:
    """An exception as a reply: its class by name (when the standard library has it), its
    arguments by value, and its text."""
    try:
        text = f"{type(exc).__name__}: {exc}"
    except BaseException:
        text = type(exc).__name__
    info = {"type": name_of(type(exc), (type,)), "text": text[:2000]}
    if not isinstance(exc, Exception):
        info["exit"] = True  # SystemExit, KeyboardInterrupt, GeneratorExit: no test may swallow it
    try:
        info["args"] = endpoint.encode(tuple(exc.args))
    except BaseException:
        pass
    return info


# -- the solution's side ------------------------------------------------------------------------
class TestCallable:
    """In the solution process: a callable object of the test (a lambda, a key function),
    called in the harness. It offers nothing but the call."""

    __slots__ = ("_cf_ep", "_cf_id", "_cf_type")

    def __init__(self, endpoint, ident, type_name):
        self._cf_ep, self._cf_id, self._cf_type = endpoint, ident, type_name

    def __call__(self, *args, **kwargs):
        return self._cf_ep.call(self._cf_id, args, kwargs)

    def __repr__(self):
        return f"<{self._cf_type} of the test>"


class SolutionEndpoint(Endpoint):
    """The solution process's side: serves the harness's requests on its objects."""

    proxy_class = TestCallable
    send_named = MODULES_AND_CLASSES  # its functions stay here, by reference

    def __init__(self, sock, namespace: dict, resolve_entry):
        super().__init__(sock)
        self.namespace = namespace
        self.resolve_entry = resolve_entry  # name -> the function (a fresh instance for Class.method)

    def serve(self, msg: dict) -> None:
        if "re" in msg:
            return  # a reply to nothing of ours (an earlier harness): nothing to do
        gen = msg.get("gen")
        if gen != self.gen:
            self.reset(gen)  # a new test: objects of the last one are released
        try:
            body = self.perform(msg)
        except (SystemExit, KeyboardInterrupt, GeneratorExit) as exc:
            body = {"raised": describe_exception(self, exc)}
        except Unsendable as exc:
            body = {"raised": {"unsendable": True, "text": f"cannot send the value: {exc}"[:2000]}}
        except BaseException as exc:
            body = {"raised": describe_exception(self, exc)}
        self.reply(msg, body)

    def perform(self, msg: dict) -> dict:
        op = msg.get("op")
        if op == "call":
            return self.serve_call(msg, self.target(msg))
        if op == "global":
            name = msg.get("target")
            if not isinstance(name, str) or name not in self.namespace:
                raise NameError(f"name {name!r} is not defined")
            return {"ok": self.encode(self.namespace[name])}
        obj = self.target(msg)
        if op == "getattr":
            return {"ok": self.encode(getattr(obj, str(msg.get("name"))))}
        if op == "setattr":
            setattr(obj, str(msg.get("name")), self.decode(msg.get("value")))
            return {"ok": None}
        if op == "delattr":
            delattr(obj, str(msg.get("name")))
            return {"ok": None}
        if op == "unary":
            fn = UNARY[str(msg.get("fn"))]
            extra = [self.decode(x) for x in msg.get("extra", [])]
            return {"ok": self.encode(fn(obj, *extra))}
        if op == "binary":
            fn = BINARY_FUNCTIONS[str(msg.get("fn"))]
            extra = [self.decode(x) for x in msg.get("extra", [])]
            return {"ok": self.encode(fn(obj, *extra))}
        raise TypeError(f"unknown request {op!r}")

    def target(self, msg: dict):
        target = msg.get("target")
        if isinstance(target, str):
            return self.resolve_entry(target)
        if type(target) is int and target in self.exports:
            return self.exports[target]
        raise TypeError("a request for no object")

    def raised(self, info):
        """An exception the harness's callable raised, rebuilt here (the harness is trusted)."""
        if not isinstance(info, dict):
            return RuntimeError("the test failed while the solution called it")
        kind = None
        try:
            kind = lookup_name(info.get("type")) if info.get("type") else None
        except Exception:
            pass
        args = ()
        try:
            args = tuple(self.decode(info["args"])) if "args" in info else ()
        except Exception:
            pass
        if isinstance(kind, type) and issubclass(kind, Exception):
            try:
                return kind(*args)
            except Exception:
                pass
        return RuntimeError(str(info.get("text", "the test's callable failed")))


UNARY = {
    "len": len,
    "bool": bool,
    "iter": iter,
    "next": next,
    "hash": hash,
    "repr": repr,
    "str": str,
    "int": int,
    "float": float,
    "complex": complex,
    "index": operator.index,
    "abs": abs,
    "neg": operator.neg,
    "pos": operator.pos,
    "invert": operator.invert,
    "round": round,
    "trunc": math.trunc,
    "floor": math.floor,
    "ceil": math.ceil,
    "reversed": reversed,
    "format": format,
    "copy": lambda obj: __import__("copy").copy(obj),
    "deepcopy": lambda obj: __import__("copy").deepcopy(obj),
}
BINARY_FUNCTIONS = {name: getattr(operator, name) for name in BINARY}
BINARY_FUNCTIONS.update(
    {
        "divmod": divmod,
        "getitem": operator.getitem,
        "setitem": operator.setitem,
        "delitem": operator.delitem,
        "contains": operator.contains,
        "instancecheck": lambda cls, obj: isinstance(obj, cls),
    }
)
