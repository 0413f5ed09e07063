"""The harness of assert problems: trusted dataset test code, run in a process of its own
that calls the solution across a process boundary.

The harness gets the test code, a socket to the solution process and a report pipe that
the solution cannot reach. Names the test does not define and builtins do not have resolve
to the solution's functions, called through proxies. Values cross as typed JSON and are
compared here, with Python's own builtins: an object whose ``__eq__`` always says True,
or a patched builtin, stays in the solution's process.

Standard library only (imported by the zygote).
"""

import builtins
import json
import os
import socket

import protocol
import values


class CandidateGone(Exception):
    """The solution process died or stopped answering."""


class CandidateRaised(Exception):
    """The solution raised while handling a call: the test fails as a runtime error."""


PROXY_SEQ = [0]  # call numbers of the harness's proxies


def make_proxy(sock: socket.socket, name: str):
    def proxy(*args, **kwargs):
        args_fd = os.memfd_create("args", os.MFD_CLOEXEC)
        result_fd = os.memfd_create("result", os.MFD_CLOEXEC)
        try:
            os.write(args_fd, values.dumps({"args": list(args), "kwargs": kwargs}).encode())
            PROXY_SEQ[0] += 1
            seq = PROXY_SEQ[0]
            try:
                socket.send_fds(sock, [protocol.encode({"name": name, "seq": seq})], [args_fd, result_fd])
                while True:  # skip stale or unsolicited messages
                    raw = sock.recv(65536)
                    if not raw:
                        raise CandidateGone("the solution process ended")
                    reply = protocol.parse_untrusted(raw)
                    if reply is not None and reply.get("seq") == seq:
                        break
            except OSError as exc:
                raise CandidateGone(str(exc)) from None
            if reply.get("status") != "ok":
                raise CandidateRaised(reply)
            size = os.fstat(result_fd).st_size
            return values.loads(os.pread(result_fd, size, 0))
        finally:
            os.close(args_fd)
            os.close(result_fd)

    proxy.__name__ = name
    return proxy


class TestNamespace(dict):
    """Globals for assert-test code: names the test does not define and builtins do not
    have resolve to the solution's functions, called across the process boundary."""

    def __init__(self, sock: socket.socket, entry: str):
        super().__init__({"__name__": "__test__", "__builtins__": builtins})
        self.sock = sock
        proxy = make_proxy(sock, entry)
        self["candidate"] = proxy
        self[entry.split(".")[-1]] = proxy

    def __missing__(self, key):
        if hasattr(builtins, key):
            return getattr(builtins, key)
        if key.startswith("__"):
            raise KeyError(key)
        proxy = make_proxy(self.sock, key)
        self[key] = proxy
        return proxy


def run_harness(sock: socket.socket, test_fd: int, report_fd: int, entry: str) -> None:
    """Run one assert test against the solution process; the verdict goes to the zygote
    through `report_fd`."""
    report = {"passed": False, "kind": "WA", "message": ""}
    try:
        size = os.fstat(test_fd).st_size
        test_code = os.pread(test_fd, size, 0)
        namespace = TestNamespace(sock, entry)
        exec(compile(test_code, "test.py", "exec", dont_inherit=True), namespace)
        report = {"passed": True}
    except CandidateGone as exc:
        report = {"passed": False, "kind": "gone", "message": str(exc)}
    except CandidateRaised as exc:
        info = exc.args[0]
        report = {
            "passed": False,
            "kind": info.get("kind", "RE"),
            "message": protocol.clean_text(info.get("message", "")),
        }
    except AssertionError as exc:
        report = {"passed": False, "kind": "WA", "message": protocol.clean_text(f"assertion failed: {exc}")}
    except BaseException as exc:
        report = {
            "passed": False,
            "kind": "WA",
            "message": protocol.clean_text(f"{type(exc).__name__}: {exc}"),
        }
    os.write(report_fd, json.dumps(report).encode())
    os._exit(0)
