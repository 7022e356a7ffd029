"""A real `todo-app serve`, spoken to over raw sockets: heads past the size or count limit get a 431
and a closed connection, decided while the head arrives, with the server's memory left alone."""

import contextlib
import json
import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from todo_app.http_limits import MAX_HEAD_BYTES, MAX_HEADERS

KiB, MiB = 1024, 1024 * 1024


@dataclass
class Server:
    port: int
    pid: int


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class Client:
    """One raw connection: bytes out, whole responses in (keeping any bytes that follow them)."""

    def __init__(self, server: Server, *, send_buffer: int | None = 64 * KiB) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        if send_buffer:  # keeps what the kernel holds on the way small
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        self.buffer = b""

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        """Send what the server will read; it may close (and reset) before taking the rest."""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.sock.sendall(data)

    def _receive(self, what: str) -> None:
        chunk = self.sock.recv(64 * KiB)
        assert chunk, f"connection closed inside {what}: {self.buffer[:200]!r}"
        self.buffer += chunk

    def response(self) -> Response:
        while b"\r\n\r\n" not in self.buffer:
            self._receive("a response head")
        raw_head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = raw_head.decode("latin-1").split("\r\n")
        headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in lines)}
        length = int(headers.get("content-length", 0))
        while len(self.buffer) < length:
            self._receive("a response body")
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return Response(int(status_line.split()[1]), headers, body)

    def closed(self) -> bool:
        if self.buffer:
            return False
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True


def start_server(tmp_path: Path, *args: str) -> tuple[subprocess.Popen, Server]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JWT_SECRET", "REDIS_URL")}
    env |= {"XDG_DATA_HOME": str(tmp_path), "BCRYPT_ROUNDS": "4", "RATE_LIMIT_AUTH_PER_MINUTE": "0"}
    cmd = [sys.executable, "-m", "todo_app.cli", "serve", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen([*cmd, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(port=port, pid=proc.pid)
    deadline = time.monotonic() + 30
    while True:  # waiting for another process to listen: nothing to synchronise on but the port
        assert proc.poll() is None, "server exited"
        try:
            with Client(server) as client:
                client.send(head(b"Connection: close"))
                if client.response().status == 200:
                    return proc, server
        except OSError:
            pass
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    proc, running = start_server(tmp_path_factory.mktemp("http_limits"))
    yield running
    stop_server(proc)


def head(*headers: bytes, target: bytes = b"/health", method: bytes = b"GET") -> bytes:
    lines = [method + b" " + target + b" HTTP/1.1", b"Host: testserver", *headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def assert_refused(response: Response, detail: str) -> None:
    assert response.status == 431
    assert response.headers["content-type"] == "application/json"
    assert response.headers["connection"] == "close"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert detail in json.loads(response.body)["detail"]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_normal_requests_are_served_on_a_kept_alive_connection(server):
    body = json.dumps({"email": "ann@example.com", "password": "long enough"}).encode()
    signup = head(
        b"Content-Type: application/json",
        b"Content-Length: %d" % len(body),
        method=b"POST",
        target=b"/auth/signup",
    )
    with Client(server) as client:
        client.send(signup + body)
        assert client.response().status == 201
        client.send(head())
        response = client.response()
    assert response.status == 200
    assert json.loads(response.body)["status"] == "ok"


def test_one_oversized_header_is_refused_and_the_connection_closed(server):
    with Client(server) as client:
        client.send(head(b"X-Big: " + b"a" * (128 * KiB)))
        assert_refused(client.response(), "too large")
        assert client.closed()


def test_too_many_headers_are_refused(server):
    with Client(server) as client:
        client.send(head(*(b"X-%d: 1" % i for i in range(10_000))))
        assert_refused(client.response(), f"limit: {MAX_HEADERS}")
        assert client.closed()


def test_a_refused_websocket_upgrade_is_refused_like_any_other(server):
    upgrade = (b"Connection: Upgrade", b"Upgrade: websocket", b"Sec-WebSocket-Version: 13")
    with Client(server) as client:
        client.send(head(b"X-Big: " + b"a" * (128 * KiB), *upgrade, b"Sec-WebSocket-Key: dGhlIHNhbXBsZQ=="))
        assert_refused(client.response(), "too large")
        assert client.closed()


def test_a_long_request_target_is_refused(server):
    with Client(server) as client:
        client.send(head(target=b"/health?q=" + b"a" * (MAX_HEAD_BYTES + 1)))
        assert_refused(client.response(), "too large")
        assert client.closed()


def filler_headers(count: int, total: int) -> list[bytes]:
    """`count` headers whose lines ("name: value\\r\\n") add up to `total` bytes."""
    names = [b"X-Filler-%03d" % i for i in range(count)]
    room = total - sum(len(name) + 4 for name in names)
    sizes = [room // count + (1 if i < room % count else 0) for i in range(count)]
    return [name + b": " + b"v" * size for name, size in zip(names, sizes, strict=True)]


def test_a_head_just_under_both_limits_is_served(server):
    request = head(*filler_headers(MAX_HEADERS - 1, MAX_HEAD_BYTES - 1 * KiB))
    assert MAX_HEAD_BYTES - 2 * KiB < len(request) < MAX_HEAD_BYTES
    with Client(server) as client:
        client.send(request)
        assert client.response().status == 200


def test_a_head_just_over_the_size_limit_is_refused(server):
    with Client(server) as client:
        client.send(head(*filler_headers(MAX_HEADERS - 1, MAX_HEAD_BYTES + 1 * KiB)))
        assert_refused(client.response(), "too large")


def test_a_streamed_header_is_refused_long_before_it_ends_and_memory_stays_flat(server):
    def stream_header(total: int) -> tuple[int, Response]:
        """Send an endless header in 64 KiB pieces until the server answers or hangs up."""
        chunk = b"a" * (64 * KiB)
        sent = 0
        deadline = time.monotonic() + 60
        with Client(server) as client:
            client.send(b"GET /health HTTP/1.1\r\nHost: testserver\r\nX-Endless: ")
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                while sent < total and not select.select([client.sock], [], [], 0)[0]:
                    assert time.monotonic() < deadline
                    client.sock.sendall(chunk)
                    sent += len(chunk)
            return sent, client.response()

    stream_header(1 * MiB)  # the refusal path, warmed up
    before = rss_kib(server.pid)
    sent, response = stream_header(64 * MiB)
    grown = rss_kib(server.pid) - before
    assert_refused(response, "too large")
    # What was sent before the answer came is mostly the two kernels' socket buffers.
    assert sent < 16 * MiB, f"the server read {sent // MiB} MiB of one header"
    assert grown < 4 * 1024, f"the server grew by {grown} KiB"


def test_a_refused_head_pipelined_behind_a_request_waits_for_its_response(server):
    # In one write, so the refusal nearly always comes while the first request is still being served.
    with Client(server, send_buffer=None) as client:
        client.send(head() + head(b"X-Big: " + b"a" * (MAX_HEAD_BYTES + KiB)))
        first = client.response()
        assert first.status == 200
        assert json.loads(first.body)["status"] == "ok"
        assert_refused(client.response(), "too large")
        assert client.closed()


def test_every_worker_limits_heads(tmp_path):
    proc, server = start_server(tmp_path, "--workers", "2")
    try:
        for _ in range(6):  # the two workers take connections as they come
            with Client(server) as client:
                client.send(head(*(b"X-%d: 1" % i for i in range(MAX_HEADERS + 1))))
                assert_refused(client.response(), f"limit: {MAX_HEADERS}")
    finally:
        stop_server(proc)
