"""The HTTP side of the stand-in: a threaded HTTP/1.1 server in front of `DeelApi`.

Like Deel's edge it keeps connections alive, frames every answer with Content-Length, and
answers in JSON even when the request itself is malformed. Access logging goes to the
``logging`` module at DEBUG (request line only: never the Authorization header).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import selectors
import socket
import socketserver
import threading
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from deel_intake.standin._api import DeelApi, LoggedRequest, Reply, Request, container
from deel_intake.standin.config import StandInConfig
from deel_intake.standin.faults import Fault

__all__ = ["StandIn"]

_log = logging.getLogger(__name__)

_MAX_BODY = 1024 * 1024
_MAX_LINE = 65536
_IDLE_TIMEOUT = 60.0  # seconds a kept-alive connection may sit idle
_JOIN_TIMEOUT = 5.0


class _BadRequestError(Exception):
    """The request body cannot be read (bad framing, or too large)."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DeelStandIn/1.0"
    sys_version = ""
    timeout = _IDLE_TIMEOUT
    wbufsize = -1  # buffer the status line, headers and body, and send them in one go

    def setup(self) -> None:
        super().setup()
        # Answers are small: do not let Nagle's algorithm hold them back.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _api(self) -> DeelApi:
        assert isinstance(self.server, _Server)
        return self.server.api

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except _BadRequestError as error:
            self.send_error(error.status, error.message)
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self._api().handle(Request(self.command, self.path, headers, body))
        if reply.drop:
            _log.debug("dropping the connection instead of answering %s", self.requestline)
            self.close_connection = True
            return
        self._send(reply)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        raw = self.headers.get("Content-Length")
        if raw is None:
            return b""
        if not (raw.strip().isascii() and raw.strip().isdigit()):
            raise _BadRequestError(HTTPStatus.BAD_REQUEST, "Invalid Content-Length")
        length = int(raw)
        if length > _MAX_BODY:
            raise _BadRequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request body too large")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(_MAX_LINE)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BadRequestError(HTTPStatus.BAD_REQUEST, "Invalid chunked body") from None
            if size == 0:
                while self.rfile.readline(_MAX_LINE) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > _MAX_BODY:
                raise _BadRequestError(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request body too large"
                )
            chunks.append(self.rfile.read(size))
            self.rfile.readline(_MAX_LINE)  # the CRLF after the chunk

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed requests get JSON too (the base class would answer in HTML)."""
        del explain
        self.close_connection = True
        text = message or HTTPStatus(code).phrase
        method = getattr(self, "command", None) or ""
        url = getattr(self, "path", None) or ""
        self._send(container(method, url, code, "http", [{"message": text}]))

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("%s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    """Serves each connection on its own daemon thread, and can end them all on stop()."""

    daemon_threads = True

    def __init__(self, host: str, port: int, api: DeelApi) -> None:
        self.api = api
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._connections: dict[threading.Thread, socket.socket] = {}
        self._connections_lock = threading.Lock()
        self._numbers = itertools.count(1)
        # serve() waits on the listening socket and on this pair, so wake() ends it at once
        # (serve_forever would only notice a shutdown at its next poll).
        self._wake_reader, self._wake_writer = socket.socketpair()
        super().__init__((host, port), _Handler)
        self.socket.setblocking(False)

    def serve(self) -> None:
        """Accept connections until `wake` is called."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while True:
                ready = {key.fileobj for key, _ in selector.select()}
                if self._wake_reader in ready:
                    return
                try:
                    request, client_address = self.get_request()
                except OSError:  # the client gave up before we accepted
                    continue
                self.process_request(request, client_address)

    def wake(self) -> None:
        """Make `serve` return."""
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")

    def server_close(self) -> None:
        super().server_close()
        self._wake_reader.close()
        self._wake_writer.close()

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look the host name up (socket.getfqdn), which can be slow.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name=f"deel-standin-connection-{next(self._numbers)}",
            daemon=True,
        )
        with self._connections_lock:
            self._connections[thread] = request
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        _log.debug("connection from %s ended with an error", client_address, exc_info=True)

    def end_connections(self) -> None:
        """Shut every open connection down and wait for its thread to finish."""
        with self._connections_lock:
            connections = list(self._connections.items())
        for _, connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread, _ in connections:
            thread.join(_JOIN_TIMEOUT)


class StandIn:
    """A local stand-in for Deel's ATS REST API, served on a background thread.

    >>> with StandIn() as deel:  # doctest: +SKIP
    ...     httpx.get(f"{deel.base_url}/ats/candidates", headers={"Authorization": "Bearer t"})
    """

    def __init__(
        self, config: StandInConfig | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._api = DeelApi(config if config is not None else StandInConfig())
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Listen and serve on a background thread (port 0 picks a free port)."""
        if self._server is not None:
            raise RuntimeError("the stand-in is already running")
        self._api.resume()
        server = _Server(self._host, self._port, self._api)
        thread = threading.Thread(
            target=server.serve,
            name="deel-standin-server",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        _log.debug("Deel stand-in serving at %s", self.base_url)

    def stop(self) -> None:
        """Stop serving, end open connections and join every thread the stand-in started."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        self._api.interrupt()  # cut latency and slow faults short
        server.wake()
        thread.join()
        server.end_connections()
        server.server_close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        """The port being served (the real one when constructed with port 0)."""
        if self._server is None:
            raise RuntimeError("the stand-in is not running")
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT``"""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/rest/v2``, the base URL a Deel client is configured with."""
        return f"{self.root_url}/rest/v2"

    # ------------------------------------------------------------------ configuration

    @property
    def config(self) -> StandInConfig:
        """The live configuration: changes apply from the next request."""
        return self._api.config

    @config.setter
    def config(self, config: StandInConfig) -> None:
        self._api.config = config

    def set_tokens(self, tokens: Mapping[str, Iterable[str]]) -> None:
        """Replace the accepted tokens (e.g. to simulate a revoked token mid-run)."""
        self._api.set_tokens(tokens)

    def inject(self, *faults: Fault) -> None:
        """Queue one-shot faults; each is consumed by the next request it matches, in order."""
        self._api.inject(faults)

    def pending_faults(self) -> list[Fault]:
        """The injected faults no request has consumed yet."""
        return self._api.pending_faults()

    def reset(self) -> None:
        """Forget candidates, the request log, faults, idempotency keys and the rate window."""
        self._api.reset()

    # ------------------------------------------------------------------ inspection

    def candidates_snapshot(self) -> list[dict[str, Any]]:
        """Copies of the stored candidates, oldest first."""
        return self._api.candidates()

    @property
    def candidates(self) -> list[dict[str, Any]]:
        """Same as `candidates_snapshot()`."""
        return self._api.candidates()

    def request_log(self) -> list[LoggedRequest]:
        """Every request received so far, in the order they were answered."""
        return self._api.log()

    @property
    def requests(self) -> list[LoggedRequest]:
        """Same as `request_log()`."""
        return self._api.log()

    def max_requests_in_window(self) -> int:
        """The most accepted (non-429) requests seen within any one rolling rate window."""
        return self._api.max_in_window()

    def count(self, status: int) -> int:
        """How many responses had this status."""
        return self._api.count(status)
