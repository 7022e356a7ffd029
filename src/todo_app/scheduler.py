"""Background work of one process, started and stopped with the app (main.create_app's lifespan).

Each job runs every so often on a pooled connection. A job that fails is logged and runs again at
its next turn; it never stops the others or the process. Work that must happen once across several
processes claims it in the database (see each job), so any number of processes can run the same
jobs."""

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from todo_app.db import Connection, Database, DatabaseUnavailable

log = logging.getLogger(__name__)
START_SECONDS = 1.0  # the first turn of an at_start job: once the app has started, jittered


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[Connection], Awaitable[Any]]
    # Also a turn soon after the scheduler starts (START_SECONDS): work that came due while no process
    # ran goes out without waiting a whole interval.
    at_start: bool = False


class Scheduler:
    def __init__(self, database: Database, jobs: Sequence[Job]) -> None:
        self._database = database
        self._jobs = tuple(jobs)
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def jobs(self) -> tuple[Job, ...]:
        return self._jobs

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop(job), name=f"job {job.name}") for job in self._jobs]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def run_once(self, job: Job) -> Any:
        """One turn of the job; None when it failed (it is logged)."""
        try:
            async with self._database.connection() as db:
                return await job.run(db)
        except DatabaseUnavailable as exc:
            log.warning(
                "job %s: database unavailable (%s); next turn in %ss", job.name, exc, job.every_seconds
            )
        except Exception:
            log.exception("job %s failed; next turn in %ss", job.name, job.every_seconds)
        return None

    async def _loop(self, job: Job) -> None:
        if job.at_start:
            await asyncio.sleep(min(START_SECONDS, job.every_seconds) * random.uniform(0.5, 1.0))  # noqa: S311
            await self._turn(job)
        while True:
            # (jittered, so that processes started together do not all query at the same moment)
            await asyncio.sleep(job.every_seconds * random.uniform(0.8, 1.0))  # noqa: S311 (not a secret)
            await self._turn(job)

    async def _turn(self, job: Job) -> None:
        await self.run_once(job)
        # A stop() during the turn can be lost on the way: Python 3.11's asyncio.wait_for, which
        # psycopg_pool waits for a connection with, swallows a cancellation that comes as the
        # connection does. The task still says it is being cancelled: end it here, or stop() would
        # wait for it for ever.
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise asyncio.CancelledError
