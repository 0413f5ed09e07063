"""The child side of a run: what a forked child does between receiving its job and
running user code, and how it behaves like ``python3 main.py`` afterwards.

The setup channel: the child receives its job on a socket only the zygote and this child
hold. Before any user code runs it reports there — ``started``, or ``syntax`` with the
compiler's message — and closes it. Whatever the program does later (exit with any
status, print any text, raise MemoryError) cannot reach that channel, so it cannot claim a
compile error or the sandbox's own failure. A child that dies before reporting is the
sandbox's fault (IE), never the program's.

Standard library only (imported by the zygote).
"""

import atexit
import builtins
import errno
import io
import linecache
import os
import socket
import sys
import traceback
import types

import protocol
import remote
import values

# Uncaught exceptions exit with this status (as Python does); a checker program asks for
# another one, so that a crashing checker is not read as "wrong answer".
UNCAUGHT = 1


def read_fd(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    return os.pread(fd, size, 0)


STARTED = protocol.encode({"setup": protocol.SETUP_STARTED, "message": ""})


def report_setup(chan: socket.socket, state: str, message: str = "") -> None:
    if state == protocol.SETUP_STARTED and not message:
        chan.send(STARTED)
    else:
        chan.send(protocol.encode({"setup": state, "message": message[-4000:]}))
    chan.close()


def child_streams() -> None:
    """stdin, stdout and stderr as ``python3 main.py`` makes them on Linux under a UTF-8
    locale: UTF-8, strict errors, lines split at "\\n" only (a "\\r" is data), stdout
    block-buffered (a pipe), stderr line-buffered with backslashreplace."""
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(
        io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8", newline="\n"
    )
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8", newline="\n"
    )
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
        encoding="utf-8",
        errors="backslashreplace",
        newline="\n",
        line_buffering=True,
    )


def finish_and_exit(status: int) -> None:
    """What the interpreter does at the end of `python main.py`, then exit."""
    threading = sys.modules.get("threading")
    if threading is not None:  # as the interpreter does: only when the program imported it
        try:
            threading._shutdown()  # wait for non-daemon threads
        except BaseException:
            pass
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            if status == 0:
                status = 120  # what CPython does when flushing stdout fails at exit
    os._exit(status)


def exit_status_of(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except BaseException:
        pass
    return 1


def compile_source(chan: socket.socket, source: bytes, filename: str):
    """Compile the program, or report the syntax error on the setup channel and exit."""
    try:
        return compile(source, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError) as exc:
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        report_setup(chan, protocol.SETUP_SYNTAX, text)
        os._exit(protocol.EXIT_SETUP)


def keep_source(source: bytes, filename: str) -> None:
    """The program as a file in its working directory, as `python3 main.py` has it:
    `open(__file__)`, tracebacks and `inspect.getsource` find it (linecache reads it
    from there when a traceback needs it)."""
    try:
        fd = os.open(filename, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            view = memoryview(source)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError:  # a full scratch: tracebacks read the source from linecache instead
        lines = source.decode("utf-8", "replace").splitlines(True)
        linecache.cache[filename] = (len(source), None, lines, filename)


def run_script(chan: socket.socket, source: bytes, argv: list, uncaught_status: int = UNCAUGHT) -> None:
    # As `python3 main.py` since 3.9: __file__ and the code's file name are absolute, argv[0] is not.
    path = os.path.join(os.getcwd(), argv[0])
    code = compile_source(chan, source, path)
    keep_source(source, path)
    module = types.ModuleType("__main__")
    module.__dict__.update({"__file__": path, "__builtins__": builtins, "__cached__": None})
    sys.modules["__main__"] = module
    sys.argv = list(argv)
    sys.path[0:0] = [os.getcwd()]
    report_setup(chan, protocol.SETUP_STARTED)
    status = 0
    try:
        exec(code, module.__dict__)
    except SystemExit as exc:
        status = exit_status_of(exc)
    except BaseException:
        exc_type, exc, tb = sys.exc_info()
        try:
            if tb is not None and exc is not None:
                exc.__traceback__ = tb.tb_next  # the traceback starts in the program, not here
            sys.excepthook(exc_type, exc, exc.__traceback__ if exc is not None else None)
        except BaseException:
            pass
        status = uncaught_status
    finish_and_exit(status)


# -- the solution process of function and assert problems ------------------------------------
def resolve(namespace: dict, name: str):
    if "." in name:
        cls_name, method = name.split(".", 1)
        cls = namespace[cls_name]
        return getattr(cls(), method)  # a fresh instance per call, as LeetCode does
    return namespace[name]


def run_session(chan: socket.socket, sock: socket.socket, source: bytes, entry: str) -> None:
    """Load the solution once, then answer calls (typed-JSON arguments in a memfd,
    typed-JSON result into another). What it sends on `sock` is program-controlled."""
    path = os.path.join(os.getcwd(), "solution.py")
    code = compile_source(chan, source, path)
    keep_source(source, path)
    module = types.ModuleType("solution")
    module.__dict__.update({"__file__": path, "__builtins__": builtins})
    sys.modules["solution"] = module
    report_setup(chan, protocol.SETUP_STARTED)
    try:
        exec(code, module.__dict__)
        resolve_name = entry.split(".", 1)[0]
        if resolve_name not in module.__dict__:
            raise NameError(f"entry point {entry!r} is not defined")
        reply = {"status": "ready"}
    except SystemExit:
        reply = {"status": "error", "kind": "RE", "message": "the program exited while loading"}
    except BaseException as exc:
        reply = {"status": "error", "kind": "RE", "message": describe(exc)}
    flush_quietly()
    sock.send(protocol.encode(reply))
    if reply["status"] != "ready":
        os._exit(1)
    namespace = module.__dict__
    endpoint = remote.SolutionEndpoint(sock, namespace, lambda name: resolve(namespace, name))
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 65536, 4)
        except OSError:
            os._exit(0)
        if not msg:
            os._exit(0)
        request = protocol.decode(msg)
        if "op" in request or "re" in request or "big" in request:
            serve_test(endpoint, request, fds)  # an assert test's harness
            continue
        reply = call_once(namespace, request.get("name") or entry, fds[0], fds[1])
        reply["seq"] = request.get("seq")  # the caller matches replies to calls by it
        os.close(fds[0])
        os.close(fds[1])
        flush_quietly()
        sock.send(protocol.encode(reply))


def serve_test(endpoint, request: dict, fds: list) -> None:
    """One request of an assert test's harness (remote.py), answered on the same socket."""
    if "big" in request:
        data = remote.read_big(fds[0]) if fds else None
        request = protocol.decode(data) if data is not None else {}
    for fd in fds:
        os.close(fd)
    try:
        endpoint.serve(request)
    except remote.Gone:
        pass  # the harness is gone: the sandbox ends this test
    flush_quietly()


def describe(exc: BaseException) -> str:
    try:
        return f"{type(exc).__name__}: {exc}"[:2000]
    except BaseException:
        return type(exc).__name__


def call_once(namespace: dict, name: str, args_fd: int, result_fd: int) -> dict:
    try:
        request = values.loads(read_fd(args_fd))
        args, kwargs = request.get("args", []), request.get("kwargs", {})
    except Exception as exc:
        # The judge sends well-formed arguments; failing to read them means the program
        # broke its own process (patched json, say): its fault.
        return {"status": "error", "kind": "RE", "message": f"could not read the arguments: {describe(exc)}"}
    try:
        fn = resolve(namespace, name)
        result = fn(*args, **kwargs)
    except SystemExit as exc:
        return {"status": "error", "kind": "RE", "message": f"SystemExit({exc.code!r}) during the call"}
    except BaseException as exc:
        return {"status": "error", "kind": "RE", "message": describe(exc)}
    try:
        data = values.dumps(result).encode()
    except (values.UnsupportedValue, ValueError, RecursionError) as exc:
        return {"status": "error", "kind": "WA", "message": str(exc)[:2000]}
    try:
        os.ftruncate(result_fd, 0)
        os.pwrite(result_fd, data, 0)
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            return {"status": "error", "kind": "OLE", "message": "returned value exceeds the output limit"}
        raise
    return {"status": "ok", "bytes": len(data)}


def flush_quietly() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


def add_site_builtins() -> None:
    """`exit`, `quit` and the other names `site` adds to builtins (the sandbox's interpreter
    runs with -S): `print(ans); exit()` works as under `python3 main.py`."""
    import _sitebuiltins

    builtins.exit = _sitebuiltins.Quitter("exit", "Ctrl-D (i.e. EOF)")
    builtins.quit = _sitebuiltins.Quitter("quit", "Ctrl-D (i.e. EOF)")
    builtins.help = _sitebuiltins._Helper()
    builtins.copyright = _sitebuiltins._Printer("copyright", sys.copyright)
    builtins.credits = _sitebuiltins._Printer(
        "credits", "Thanks to CWI, CNRI, BeOpen, Zope Corporation and others."
    )
    builtins.license = _sitebuiltins._Printer("license", "See https://www.python.org/psf/license/")
