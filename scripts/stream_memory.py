"""Memory of idle event streams: opens N streams (GET /events) against a running server and prints
the server process's resident memory before and after.

    BCRYPT_ROUNDS=4 RATE_LIMIT_AUTH_PER_MINUTE=0 todo-app serve --port 8000 &
    .venv/bin/python scripts/stream_memory.py --pid $! [-n 1000] [--url http://127.0.0.1:8000]

A user may hold 10 streams, so it signs up N/10 users (through the API: the server's bcrypt cost
and auth rate limit apply; hence the settings above). Each stream counts as open once its first
message (`retry`, `id`) arrived, which the server sends after its first read of the change feed.
Streams are opened 50 at a time and closed at the end. Standard library only (the server's pid is
read from /proc, so Linux only).
"""

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from urllib.parse import urlsplit

STREAMS_PER_USER = 10
PASSWORD = "idle streams measured"  # noqa: S105 (the throw-away accounts')
SETTLE_SECONDS = 2.0


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


async def request(host: str, port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    reader, writer = await asyncio.open_connection(host, port)
    data = json.dumps(body).encode() if body is not None else b""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + data)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    status = int(raw.split(b" ", 2)[1])
    payload = raw.split(b"\r\n\r\n", 1)[1]
    return status, json.loads(payload) if payload.strip().startswith(b"{") else {}


async def token_for(host: str, port: int, email: str) -> str:
    credentials = {"email": email, "password": PASSWORD}
    status, _ = await request(host, port, "POST", "/auth/signup", credentials)
    if status != 201:
        raise RuntimeError(f"signup answered {status} (run the server with RATE_LIMIT_AUTH_PER_MINUTE=0)")
    status, body = await request(host, port, "POST", "/auth/login", credentials)
    if status != 200:
        raise RuntimeError(f"login answered {status}")
    return body["access_token"]


async def open_stream(host: str, port: int, token: str) -> asyncio.StreamWriter:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        f"GET /events HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"GET /events answered {head.splitlines()[0].decode()}")
    await reader.readuntil(b"\n\n")  # the first message
    return writer


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pid", type=int, required=True, help="the server process")
    parser.add_argument("-n", type=int, default=1000, help="streams to open (default 1000)")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    url = urlsplit(args.url)
    host, port = url.hostname or "127.0.0.1", url.port or 80

    users = -(-args.n // STREAMS_PER_USER)
    run = uuid.uuid4().hex[:8]
    print(f"signing up {users} users ...", file=sys.stderr)
    gate = asyncio.Semaphore(8)

    async def user(i: int) -> str:
        async with gate:
            return await token_for(host, port, f"stream{run}-{i}@example.com")

    tokens = await asyncio.gather(*(user(i) for i in range(users)))
    await asyncio.sleep(SETTLE_SECONDS)
    before = rss_kib(args.pid)

    print(f"opening {args.n} streams ...", file=sys.stderr)
    gate = asyncio.Semaphore(50)
    started = time.monotonic()

    async def stream(i: int) -> asyncio.StreamWriter:
        async with gate:
            return await open_stream(host, port, tokens[i // STREAMS_PER_USER])

    writers = await asyncio.gather(*(stream(i) for i in range(args.n)))
    opened_in = time.monotonic() - started
    await asyncio.sleep(SETTLE_SECONDS)
    after = rss_kib(args.pid)

    for writer in writers:
        writer.close()
    print(f"server pid {args.pid}: {args.n} idle streams opened in {opened_in:.1f} s")
    print(f"RSS before: {before / 1024:.1f} MiB")
    print(f"RSS after:  {after / 1024:.1f} MiB")
    print(f"difference: {(after - before) / 1024:.1f} MiB, {(after - before) / args.n:.1f} KiB per stream")


if __name__ == "__main__":
    if not os.path.exists("/proc/self/status"):
        sys.exit("Linux only (/proc)")
    asyncio.run(main())
