"""A throw-away PostgreSQL server of a test's own, for tests that stop and start it: the shared
server on 127.0.0.1:5432 serves everyone else's tests and must never be restarted.

It listens on 127.0.0.1 and a Unix socket in its own directory, trusts local connections and is
deleted with that directory. PostgreSQL refuses to run as root, so as root (CI) every server
command runs as the `postgres` user, which owns the directory."""

import asyncio
import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

START_SECONDS = 60


def server_bin() -> Path | None:
    """The newest installed server's bin directory (Debian's layout), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class Cluster:
    def __init__(self, port: int) -> None:
        bindir = server_bin()
        assert bindir is not None
        self.bindir = bindir
        self.port = port
        # Not under pytest's tmp_path: as root that lies in a 0700 directory `postgres` cannot enter.
        self.root = Path(tempfile.mkdtemp(prefix="todo-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = START_SECONDS) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise AssertionError(f"{args[0]} failed: {done.stdout}{done.stderr}\n{self.server_log()}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        """Start and wait (pg_ctl -w) until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        wait = ("-w", "-t", str(START_SECONDS))
        self._run("pg_ctl", "start", *wait, "-D", str(self.data), "-l", str(self.log), "-o", options)

    def stop(self) -> None:
        """A fast shutdown: sessions are ended (57P01), transactions in flight rolled back."""
        self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))

    async def start_again(self) -> float:
        """Start it; the monotonic time it first accepted a connection, watched from before the
        start (pg_ctl returns a little after that moment)."""
        starting = asyncio.create_task(asyncio.to_thread(self.start))
        async with asyncio.timeout(START_SECONDS):
            while not await asyncio.to_thread(self.accepting):
                if starting.done():
                    starting.result()  # raises why it did not start
                await asyncio.sleep(0.02)
        back = time.monotonic()
        await starting
        return back

    def accepting(self) -> bool:
        try:
            with psycopg.connect(self.url, connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def server_log(self) -> str:
        return self.log.read_text() if self.log.exists() else "(no server log)"

    def destroy(self) -> None:
        """Stop it (immediately) if it runs, and delete everything it wrote."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                self._run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", str(self.data), timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)
