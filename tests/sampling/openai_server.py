"""An OpenAI-protocol server on loopback that answers from a per-test script.

A script is a function `(request, index) -> Reply`, where `request` is the JSON body
of a chat (or raw) completion request and `index` counts requests from 0. Replies:
`answer(text)`, `tool_calls(...)`, `status(code, ...)` (an error response) and `hang()`
(no answer until the server stops: the client's timeout is what ends it).

It is a real HTTP/1.1 server (http.server, a thread per connection, keep-alive), so the
`openai` client talks to it exactly as to vLLM. Run as a script it serves a fixed answer
for the throughput benchmark: `python tests/sampling/openai_server.py` prints its URL.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "loopback-model"


@dataclass
class Reply:
    status: int = 200
    text: str | None = ""
    calls: list[tuple[str, str]] = field(default_factory=list)  # (name, raw JSON arguments)
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    hang: bool = False
    finish_reason: str | None = None


def answer(text: str, finish_reason: str = "stop") -> Reply:
    return Reply(text=text, finish_reason=finish_reason)


def tool_calls(*calls: tuple[str, str], text: str | None = None) -> Reply:
    return Reply(text=text, calls=list(calls))


def status(code: int, message: str = "", headers: dict[str, str] | None = None) -> Reply:
    body = {"error": {"message": message or f"status {code}", "type": "test", "code": code}}
    return Reply(status=code, headers=headers or {}, body=body)


def hang() -> Reply:
    return Reply(hang=True)


Script = Callable[[dict[str, Any], int], Reply]


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # many clients connect at once (the default backlog of 5 resets them)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that gave up is normal here
            super().handle_error(request, client_address)


class LoopbackServer:
    """Serves `script` on 127.0.0.1 (a free port) until `close()`."""

    def __init__(self, script: Script, models: tuple[str, ...] = (MODEL,)) -> None:
        self.script = script
        self.models = models
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.httpd = _Server(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self) -> None:
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _respond(
        self, path: str, request: dict[str, Any]
    ) -> tuple[int, dict[str, str], dict[str, Any] | None]:
        with self._lock:
            index = len(self.requests)
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            reply = self.script(request, index)
        finally:
            with self._lock:
                self.in_flight -= 1
        if reply.hang:
            self._release.wait(60)
            return 503, {}, None
        if reply.status != 200:
            return reply.status, reply.headers, reply.body
        if path.endswith("/chat/completions"):
            return 200, reply.headers, _chat_body(request, reply)
        return 200, reply.headers, _completion_body(request, reply)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, code: int, headers: dict[str, str], body: dict[str, Any] | None) -> None:
                data = json.dumps(body if body is not None else {}).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.path.rstrip("/").endswith("/models"):
                    data = [
                        {"id": m, "object": "model", "created": 0, "owned_by": "test"} for m in server.models
                    ]
                    self._send(200, {}, {"object": "list", "data": data})
                else:
                    self._send(404, {}, {"error": {"message": "not found"}})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                if request.get("model") not in server.models:
                    self._send(
                        404, {}, {"error": {"message": f"model {request.get('model')!r} does not exist"}}
                    )
                    return
                self._send(*server._respond(self.path, request))

        return Handler


def _usage(request: dict[str, Any], texts: list[str]) -> dict[str, int]:
    prompt = json.dumps(request.get("messages", request.get("prompt", "")))
    completion = sum(len(t) for t in texts)
    return {
        "prompt_tokens": len(prompt) // 4 + 1,
        "completion_tokens": completion // 4 + 1,
        "total_tokens": len(prompt) // 4 + completion // 4 + 2,
    }


def _chat_body(request: dict[str, Any], reply: Reply) -> dict[str, Any]:
    n = int(request.get("n") or 1)
    message: dict[str, Any] = {"role": "assistant", "content": reply.text}
    if reply.calls:
        message["tool_calls"] = [
            {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": arguments}}
            for i, (name, arguments) in enumerate(reply.calls)
        ]
    finish = reply.finish_reason or ("tool_calls" if reply.calls else "stop")
    return {
        "id": "chatcmpl-loopback",
        "object": "chat.completion",
        "created": 0,
        "model": request["model"],
        "choices": [{"index": i, "message": message, "finish_reason": finish} for i in range(n)],
        "usage": _usage(request, [reply.text or ""] * n),
    }


def _completion_body(request: dict[str, Any], reply: Reply) -> dict[str, Any]:
    n = int(request.get("n") or 1)
    return {
        "id": "cmpl-loopback",
        "object": "text_completion",
        "created": 0,
        "model": request["model"],
        "choices": [
            {
                "index": i,
                "text": reply.text or "",
                "finish_reason": reply.finish_reason or "stop",
                "logprobs": None,
            }
            for i in range(n)
        ],
        "usage": _usage(request, [reply.text or ""] * n),
    }


if __name__ == "__main__":  # the benchmark's server, in its own process
    fixed = answer("```python\nprint(sum(map(int, input().split())))\n```")
    with LoopbackServer(lambda request, index: fixed) as served:
        print(served.url, flush=True)
        sys.stdin.read()  # serve until the parent closes our stdin
