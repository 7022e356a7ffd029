"""The request-head limit uvicorn's httptools protocol lacks: 431 once the request target and header
lines pass MAX_HEAD_BYTES, or the header count passes MAX_HEADERS, decided while the head arrives
(never after buffering it whole); then the connection is closed.

`todo-app serve` passes LimitedHttpToolsProtocol to uvicorn as its `http` protocol class."""

import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

# Browsers and proxies accept 8-64 KiB of headers; this service's own clients send a bearer token and
# a handful of headers (no cookies), well under 4 KiB.
MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 100
TOO_LARGE = f"Request header fields too large (limit: {MAX_HEAD_BYTES // 1024} KiB)"


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """Two lower bounds on the size of the head being read, each checked against MAX_HEAD_BYTES:

    - exact, from the parser's callbacks: the request target and every complete header line;
    - streamed: whole reads that arrived while the head was still unfinished. httptools keeps a header
      it has not finished in memory of its own, which only this count sees growing.

    A read that finishes one message and starts the next head is not counted, so at most about two
    reads (some 256 KB each) past the limit are ever held."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._header_count = 0
        self._streamed = 0
        self._awaiting_head = True  # between messages, or inside a head
        self._heads_done = 0
        self._refusal: str | None = None
        self._refusal_sent = False

    def data_received(self, data: bytes) -> None:
        if self._refusal is not None:
            return  # the head was refused: discard whatever else arrives until the connection closes
        in_head, heads_done = self._awaiting_head, self._heads_done
        super().data_received(data)
        if self._refusal is None and in_head and self._awaiting_head and heads_done == self._heads_done:
            self._streamed += len(data)
            if self._streamed > MAX_HEAD_BYTES:
                self._refuse(TOO_LARGE)
        if self._refusal is not None:
            self._send_refusal()

    # Parser callbacks: count, and ignore everything once the head is refused.
    def on_message_begin(self) -> None:
        if self._refusal is None:
            super().on_message_begin()
            self._head_bytes = self._header_count = 0

    def on_url(self, url: bytes) -> None:
        if self._refusal is None:
            self._head_bytes += len(url)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse(TOO_LARGE)
            else:
                super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._refusal is None:
            self._head_bytes += len(name) + len(value) + 4  # "name: value\r\n"
            self._header_count += 1
            if self._header_count > MAX_HEADERS:
                self._refuse(f"Too many request header fields (limit: {MAX_HEADERS})")
            elif self._head_bytes > MAX_HEAD_BYTES:
                self._refuse(TOO_LARGE)
            else:
                super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._refusal is None:
            self._awaiting_head = False
            self._heads_done += 1
            self._streamed = 0
            super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if self._refusal is None:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._refusal is None:
            self._awaiting_head = True
            super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        # Once a head is refused, what follows may not parse; the client gets the 431 all the same.
        if self._refusal is None:
            super().send_400_response(msg)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._refusal is not None:
            self._send_refusal()  # the refused head was pipelined behind the response just finished

    def _refuse(self, detail: str) -> None:
        self._refusal = detail
        self.url = b""  # freed now; and with no headers left, an Upgrade in the refused head is ignored
        if self.headers is not None:
            self.headers.clear()

    def _send_refusal(self) -> None:
        """431 and close, once every response already owed on this connection has been written."""
        if self._refusal_sent or self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # on_response_complete comes back here
        self._refusal_sent = True
        body = json.dumps({"detail": self._refusal}).encode()
        headers = [
            *self.server_state.default_headers,
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"cache-control", b"no-store"),
            (b"connection", b"close"),
        ]
        head = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        self.transport.write(STATUS_LINE[431] + head + b"\r\n" + body)
        self.transport.close()
