"""Running the service: uvicorn, with the timeouts and the shutdown docs/rewards.md promises.

uvicorn's HTTP/1.1 protocol (h11) is extended in two places (`ServiceProtocol`):

- **Header-read timeout.** uvicorn times out an idle keep-alive connection, but not a
  client that opens a connection and sends its headers slowly, or never: each such
  client holds a connection for good. Here a request's headers must arrive within
  `header_timeout` seconds of the connection opening (or of the request's first byte
  on a kept-alive connection); otherwise a client that sent part of them is answered
  408 and the connection closed, and one that sent nothing is closed.
- **Idle connections at shutdown.** On SIGTERM uvicorn closes idle keep-alive connections
  at once, so a client that sends on one just then gets a reset. Here they stay open
  while accepted requests finish: a request on one is answered 503 (`shutting_down`,
  the service is draining) with `Connection: close`. Once no request is in progress
  anywhere, the idle connections are closed and the server exits.

On SIGTERM/SIGINT the service stops listening, answers new requests 503, gives queued
samples `drain_timeout` seconds, answers what is left as IE, and exits after every
accepted request has its response.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from codefrontier.errors import CodefrontierError
from codefrontier.rewards.service import JudgeService, create_app
from codefrontier.rewards.wire import error_body

KEEP_ALIVE_S = 30  # an idle keep-alive connection is closed after this long


class ServiceProtocol(H11Protocol):
    """h11 with a header-read timeout, and idle connections kept open at shutdown."""

    header_timeout = 10.0  # set per server by `_protocol`

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._lingering = False  # idle when the server shut down: open until the others finish

    # -- header-read timeout -----------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and self._header_timer is None:
            self._arm_header_timer()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm_header_timer()  # the headers are in
        if self._lingering and self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False  # answered (503: the service is draining), then closed

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        partial, _ = self.conn.trailing_data
        if partial:
            message = f"the request's headers did not arrive within {self.header_timeout:g} s"
            body = json.dumps(error_body("timeout", message)).encode()
            self.transport.write(
                b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body)
            )
        self.transport.close()

    # -- shutdown ------------------------------------------------------------------------------
    @property
    def idle(self) -> bool:
        """No request in progress and none begun."""
        in_progress = self.cycle is not None and not self.cycle.response_complete
        return not in_progress and self.conn.their_state is h11.IDLE and not self.conn.trailing_data[0]

    def shutdown(self) -> None:
        if self.idle:
            self._lingering = True  # see the module docstring; `DrainingServer` closes it
        else:
            super().shutdown()

    def close_idle(self) -> None:
        if not self.transport.is_closing():
            self.conn.send(h11.ConnectionClosed())
            self.transport.close()


def _protocol(header_timeout: float) -> type[ServiceProtocol]:
    return type("ServiceProtocol", (ServiceProtocol,), {"header_timeout": header_timeout})


class DrainingServer(uvicorn.Server):
    """uvicorn's server that drains the service on SIGTERM/SIGINT and keeps idle
    connections answering until no request is in progress."""

    def __init__(self, config: uvicorn.Config, service: JudgeService) -> None:
        super().__init__(config)
        self.service = service
        self.ready = threading.Event()

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        self.ready.set()

    def handle_exit(self, sig: int, frame: Any) -> None:
        self.service.begin_drain()
        super().handle_exit(sig, frame)

    async def shutdown(self, sockets: Any = None) -> None:
        closer = asyncio.create_task(self._close_idle_when_done())
        try:
            await super().shutdown(sockets)
        finally:
            closer.cancel()

    async def _close_idle_when_done(self) -> None:
        while True:
            connections = list(self.server_state.connections)
            if all(getattr(c, "idle", True) for c in connections):
                for connection in connections:
                    connection.close_idle()
                return
            await asyncio.sleep(0.05)


def make_server(service: JudgeService, host: str, port: int, log_level: str) -> DrainingServer:
    config = uvicorn.Config(
        create_app(service),
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        http=_protocol(service.settings.header_timeout),
        timeout_graceful_shutdown=None,  # wait for every accepted request (the drain bounds it)
        timeout_keep_alive=KEEP_ALIVE_S,
    )
    return DrainingServer(config, service)


def serve(service: JudgeService, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    """Run the service until SIGTERM/SIGINT, then drain and return."""
    make_server(service, host, port, log_level).run()


@dataclass
class Running:
    """A service running on a background thread."""

    url: str
    server: DrainingServer

    def terminate(self) -> None:
        """What SIGTERM does, without the signal: drain, stop listening, exit when done."""
        self.server.handle_exit(signal.SIGTERM, None)


@contextlib.contextmanager
def started(service: JudgeService, host: str = "127.0.0.1", port: int = 0) -> Iterator[Running]:
    """Run the service on a background thread (port 0: any free port). On exit the
    service drains and closes like on SIGTERM, and the thread is joined."""
    server = make_server(service, host, port, "warning")
    thread = threading.Thread(target=server.run, name="cf-serve", daemon=True)
    thread.start()
    while not server.ready.wait(0.1):
        if not thread.is_alive():
            raise CodefrontierError(f"the service could not start on {host}:{port}")
    bound = server.servers[0].sockets[0].getsockname()
    try:
        yield Running(f"http://{bound[0]}:{bound[1]}", server)
    finally:
        server.handle_exit(signal.SIGTERM, None)
        thread.join()


@contextlib.contextmanager
def running(service: JudgeService, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """`started`, yielding the base URL."""
    with started(service, host, port) as run:
        yield run.url
