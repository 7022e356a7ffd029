"""Scale report for issue 9 ("Performance and scale"): cursor pages, filters, query plans and a bulk
PATCH, measured through the real app, at 100 and at 100,000 tasks, on PostgreSQL and on SQLite.

How to run (from the repository root, with the project's venv; PostgreSQL 15+ reachable with the
pg_trgm and btree_gin extensions available, as the migrations need):

    .venv/bin/python scripts/scale_report.py                        # full run (~7 min on 2 CPUs)
    .venv/bin/python scripts/scale_report.py --out /tmp/other.md --runs 30 --notes findings.md
    .venv/bin/python scripts/scale_report.py --skip-sqlite          # PostgreSQL only
    .venv/bin/python scripts/scale_report.py --big 3000 --others 1000 --bulk-open 500 \
        --deep-page 100 --runs 5                                    # quick smoke run

Options: --pg-url (server URL, default postgresql://postgres@127.0.0.1:5432), --pg-db (default
todo_scale: dropped if it exists, created, migrated, and left in place afterwards for inspection),
--out (default /tmp/scale_report.md), --sqlite-dir (keep the SQLite file there instead of in a
temporary directory removed at the end), --notes (a Markdown file appended to the report, e.g.
findings written by hand), --background-users/--background-tasks (default 2,000 users with 5 tasks
and 5 tags each, so the user and tag tables are not trivially small). Progress goes to stderr, the
Markdown report to --out. Nothing else is touched. Take timings on an otherwise idle machine: the
report records the load average.

What it does, per backend:
  1. A fresh database migrated with todo_app.migrate.upgrade; users signed up and logged in through
     the app (in-process: create_app + httpx2.ASGITransport, bcrypt_rounds=4, no rate limits);
     then tasks bulk-loaded with SQL (PostgreSQL: COPY with the row triggers off, counters and
     change_seq set exactly afterwards, VACUUM ANALYZE; SQLite: executemany with the triggers on,
     so the FTS5 table and the counters are kept by them). Users: "big" with --big tasks (100,000),
     four "other" users with --others tasks each (50,000), "small" with 100, and three "bulk"
     users with exactly --bulk-open open tasks (10,000) plus a fifth as many completed. Tasks of all
     users are interleaved in id/creation order, as on a shared server. Titles and descriptions
     come from a fixed vocabulary (seeded), ~30% completed, ~65% with a due date within +-60 days of
     today (a third of them with a time), priorities 0-4, five tags per user with a skewed spread.
  2. Timings through HTTP (authenticated GET /tasks, limit=20): for every sort, page 1 against the
     --deep-page'th page (5,000) reached by walking the Link headers once (the walk also checks no
     task comes twice); then the median of --runs runs (after --warmup) of each. First pages of
     tag=, q= (one word, two words, a rare word), overdue=true and completed=false, and GET /tags,
     for the big and the small user.
  3. PostgreSQL: EXPLAIN (ANALYZE, BUFFERS) of the statements the app runs (todo_app.tasks.listing
     compiled by todo_app.db.statements.compile_statement with the app's dialect, bound with the
     values the app would bind, the deep page's values decoded from its cursor), both as a custom
     plan and as the generic plan PostgreSQL may switch to once psycopg prepares the statement.
     Each plan is classified: which indexes, whether every read of `task` is restricted to the
     owner, rows read and thrown away, sorts. SQLite: EXPLAIN QUERY PLAN of the same statements.
  4. PATCH /tasks?completed=false {"completed": true} for each bulk user: the time, then
     X-Total-Count (completed=true/false, with and without a tag) and GET /tags checked against
     the loaded data, and the owner's counters against count(*).
"""

# SQL here is assembled from this file's constants (S608); random only makes test data (S311).
# ruff: noqa: S311, S608

import argparse
import asyncio
import hashlib
import inspect
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
import psycopg
from psycopg import sql as pgsql
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import make_url

from todo_app import migrate
from todo_app.config import Settings
from todo_app.db.statements import compile_statement
from todo_app.main import create_app
from todo_app.tasks import cursor as cursors
from todo_app.tasks import listing
from todo_app.tasks.listing import Filters
from todo_app.zones import local_now

JWT_SECRET = "scale-report-secret-0123456789-abcdefghijklmnop"  # noqa: S105 (a throwaway database)
PASSWORD = "scale report password 7"  # noqa: S105
CURSOR_SECRET = hashlib.sha256(b"todo-app listing cursor\0" + JWT_SECRET.encode()).digest()
LIMIT = 20
SORT_ORDER = [
    "created",
    "-created",
    "due",
    "-due",
    "priority",
    "-priority",
    "title",
    "-title",
    "updated",
    "-updated",
]
RATIO_BAR = 1.5
LINK_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
WINDOW_DAYS = 730  # tasks were created over the last two years
TAGS = [("Work", 0.35), ("Home", 0.20), ("Errands", 0.10), ("Reading", 0.05), ("Someday", 0.02)]
PRIORITY_WEIGHTS = [50, 15, 15, 12, 8]  # none, low, medium, high, urgent
VERBS = [
    "Call", "Email", "Buy", "Fix", "Review", "Write", "Plan", "Book", "Pay", "Clean", "Prepare",
    "Update", "Schedule", "Read", "Send", "Order", "Check", "Organise", "Cancel", "Renew", "Draft",
    "Sort out", "Follow up on", "Return", "Pick up",
]  # fmt: skip
OBJECTS = [
    "the dentist", "landlord about the boiler", "quarterly report", "invoice", "groceries",
    "car insurance", "birthday present for Sam", "budget spreadsheet", "team meeting notes",
    "passport application", "kitchen sink", "garden fence", "blog post", "tax return",
    "flight tickets", "gym membership", "project proposal", "client presentation", "library books",
    "bike tyres", "expense report", "vet appointment", "wedding RSVP", "conference talk",
    "server backups", "pull request", "onboarding checklist", "electricity bill", "school forms",
    "holiday photos", "recipe ideas", "marketing plan", "hiring pipeline", "annual review",
    "phone contract", "moving boxes", "bank statement", "newsletter", "website copy",
    "travel itinerary",
]  # fmt: skip
SUFFIXES = [
    "", "", "", "", " today", " before Friday", " for the team", " (again)", " with Alex", " for Q3",
    " next week", " asap", " #2", " after lunch",
]  # fmt: skip
WORDS_TEXT = (
    "the a to and of for with on at by about after before remember check ask send make sure that "
    "this next last week month call email note draft final version copy numbers figures budget "
    "meeting notes agenda slides deck receipt invoice payment account bank card login password "
    "delivery parcel address phone number appointment doctor school teacher kids dinner lunch "
    "coffee train ticket hotel flight visa form signature contract lawyer plumber electrician "
    "garden paint shelf lamp cable charger laptop printer backup server deploy release ticket "
    "review feedback report quarterly sales client customer supplier order stock warehouse "
    "holiday trip photos album gift card party cake friends family mum dad sister brother weekend"
)
WORDS = WORDS_TEXT.split()
RARE_WORD = "Zanzibar"  # in about one description in 2,000
SEARCHES = [("q=invoice", "invoice"), ("q=quarterly report", "quarterly report"), ("q=zanzibar", "zanzibar")]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class UserSpec:
    name: str
    tasks: int
    completed: int | None = None  # exactly this many completed; None: about 30%
    signed_up: bool = True  # through the app; False: a background user inserted with the tasks


@dataclass
class Dataset:
    users: list[tuple[int, str, str, datetime]]  # background users: id, email, password hash, created
    tags: list[tuple[int, int, str, str]]  # id, user_id, name, name_key
    tasks: list[tuple[Any, ...]]  # TASK_COLUMNS
    links: list[tuple[int, int]]  # task_id, tag_id
    per_user: dict[int, dict[str, Any]] = field(default_factory=dict)  # counts, for the checks


TASK_COLUMNS = (
    "id", "user_id", "title", "description", "completed", "completed_at", "created_at", "updated_at",
    "due_date", "due_time", "due_key", "priority", "version",
)  # fmt: skip


def build_dataset(
    specs: list[UserSpec], ids: dict[str, int], password_hash: str, now: datetime, seed: int
) -> Dataset:
    """Every user's tasks, merged into one creation order (ids ascend with created_at). Background
    users get the ids after the signed-up ones."""
    today = now.date()
    ids = dict(ids)
    users = []
    for spec in specs:
        if not spec.signed_up:
            ids[spec.name] = max(ids.values()) + 1
            users.append((ids[spec.name], f"{spec.name}@scale.example.com", password_hash, now))
    tags: list[tuple[int, int, str, str]] = []
    tag_ids: dict[int, list[tuple[int, str, float]]] = {}
    for spec in specs:
        uid = ids[spec.name]
        tag_ids[uid] = []
        for name, share in TAGS:
            tags.append((len(tags) + 1, uid, name, name.casefold()))
            tag_ids[uid].append((len(tags), name, share))
    protos: list[tuple[datetime, int, list[Any], list[tuple[int, str]]]] = []
    for spec in specs:
        uid = ids[spec.name]
        rng = random.Random(f"{seed}:{spec.name}")
        done = set(rng.sample(range(spec.tasks), spec.completed)) if spec.completed is not None else None
        offsets = sorted(rng.random() for _ in range(spec.tasks))
        for i, offset in enumerate(offsets):
            created = now - timedelta(days=WINDOW_DAYS * (1 - offset), microseconds=rng.randrange(10**6))
            updated = created
            if rng.random() < 0.4:
                room = max((now - created).total_seconds() - 60, 0)
                updated = created + timedelta(seconds=rng.uniform(0, min(room, 30 * 86400)))
            completed = (i in done) if done is not None else rng.random() < 0.3
            due_date = due_time = due_key = None
            if rng.random() < 0.65:
                due_date = today + timedelta(days=rng.randint(-60, 60))
                if rng.random() < 0.33:
                    due_time = dtime(rng.randrange(7, 21), rng.choice((0, 15, 30, 45)))
                due_key = listing.due_key(due_date, due_time.strftime("%H:%M") if due_time else None)
            title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(SUFFIXES)}"
            description = None
            if rng.random() < 0.6:
                description = " ".join(rng.choices(WORDS, k=rng.randint(5, 18))).capitalize() + "."
                if rng.random() < 0.0005:
                    description += f" Ask about {RARE_WORD}."
            row = [
                None, uid, title, description, completed, updated if completed else None, created,
                updated, due_date, due_time, due_key, rng.choices(range(5), PRIORITY_WEIGHTS)[0], None,
            ]  # fmt: skip
            links = [(tag_id, name) for tag_id, name, share in tag_ids[uid] if rng.random() < share]
            protos.append((created, uid, row, links))
    protos.sort(key=lambda p: p[0])
    data = Dataset(users=users, tags=tags, tasks=[], links=[])
    for spec in specs:
        data.per_user[ids[spec.name]] = {
            "tasks": 0,
            "completed": 0,
            "change_seq": 0,
            "tags": {name: [0, 0] for name, _ in TAGS},
        }
    for task_id, (_, uid, row, links) in enumerate(protos, start=1):
        counts = data.per_user[uid]
        counts["tasks"] += 1
        counts["completed"] += row[4]
        counts["change_seq"] += 1
        row[0], row[12] = task_id, counts["change_seq"]
        data.tasks.append(tuple(row))
        for tag_id, name in links:
            data.links.append((task_id, tag_id))
            counts["tags"][name][0] += 1
            counts["tags"][name][1] += not row[4]
    return data


# ------------------------------------------------------------------------------------ loading


def pg_conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_pg_database(server_url: str, name: str) -> str:
    with psycopg.connect(pg_conninfo(server_url), autocommit=True) as conn:
        conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


# Each task's stored tag names, as the service writes them with the links (migration 0006).
TAG_NAMES = (
    "UPDATE task SET tag_names = (SELECT {aggregate} FROM task_tag JOIN tag ON tag.id = task_tag.tag_id "
    "WHERE task_tag.task_id = task.id)"
)


def load_pg(url: str, data: Dataset) -> None:
    """COPY with the row triggers off (session_replication_role=replica: the counter trigger would
    update the owner's row once per task), then the counters, change_seq and sequences set exactly."""
    with psycopg.connect(pg_conninfo(url)) as conn:
        conn.execute("SET session_replication_role = replica")
        with conn.cursor() as cur:
            with cur.copy("COPY app_user (id, email, hashed_password, created_at) FROM STDIN") as copy:
                for row in data.users:
                    copy.write_row(row)
            with cur.copy("COPY tag (id, user_id, name, name_key) FROM STDIN") as copy:
                for row in data.tags:
                    copy.write_row(row)
            with cur.copy(f"COPY task ({', '.join(TASK_COLUMNS)}) FROM STDIN") as copy:
                for row in data.tasks:
                    copy.write_row(row)
            with cur.copy("COPY task_tag (task_id, tag_id) FROM STDIN") as copy:
                for row in data.links:
                    copy.write_row(row)
            cur.execute(TAG_NAMES.format(aggregate="string_agg(tag.name, chr(31))"))
            cur.execute("SET session_replication_role = DEFAULT")
            for uid, counts in data.per_user.items():
                cur.execute(
                    "UPDATE app_user SET task_count = %s, completed_count = %s, change_seq = %s WHERE id = %s",
                    (counts["tasks"], counts["completed"], counts["change_seq"], uid),
                )
            for table in ("app_user", "task", "tag"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        conn.commit()
    with psycopg.connect(pg_conninfo(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def sqlite_value(value: Any) -> Any:
    """As SQLAlchemy's SQLite types store them (see the UTCDateTime, Date and Time columns)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dtime):
        return value.strftime("%H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def load_sqlite(path: str, data: Dataset) -> None:
    """executemany with every trigger on: the FTS5 search table and the counters are kept by them."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO app_user (id, email, hashed_password, created_at) VALUES (?, ?, ?, ?)",
            ([sqlite_value(v) for v in row] for row in data.users),
        )
        conn.executemany("INSERT INTO tag (id, user_id, name, name_key) VALUES (?, ?, ?, ?)", data.tags)
        marks = ", ".join("?" * len(TASK_COLUMNS))
        conn.executemany(
            f"INSERT INTO task ({', '.join(TASK_COLUMNS)}) VALUES ({marks})",
            ([sqlite_value(v) for v in row] for row in data.tasks),
        )
        conn.executemany("INSERT INTO task_tag (task_id, tag_id) VALUES (?, ?)", data.links)
        conn.execute(TAG_NAMES.format(aggregate="group_concat(tag.name, char(31))"))
        for uid, counts in data.per_user.items():
            conn.execute(
                "UPDATE app_user SET task_count = ?, completed_count = ?, change_seq = ? WHERE id = ?",
                (counts["tasks"], counts["completed"], counts["change_seq"], uid),
            )
        conn.execute("COMMIT")
    finally:
        conn.close()


def check_counters(run: "Run") -> list[str]:
    """The owners' counters against count(*), straight from the database."""
    query = (
        "SELECT u.id, u.task_count, u.completed_count, "
        "(SELECT count(*) FROM task t WHERE t.user_id = u.id), "
        "(SELECT count(*) FROM task t WHERE t.user_id = u.id AND t.completed) FROM app_user u ORDER BY u.id"
    )
    problems = []
    for uid, tasks, completed, real_tasks, real_completed in run.sql(query):
        if (tasks, completed) != (real_tasks, real_completed):
            problems.append(f"user {uid}: counters {tasks}/{completed}, rows {real_tasks}/{real_completed}")
    return problems


# ------------------------------------------------------------------------------------ timing


@dataclass(frozen=True)
class Stats:
    median: float
    p90: float
    minimum: float
    runs: int

    @classmethod
    def of(cls, samples: list[float]) -> "Stats":
        ordered = sorted(samples)
        return cls(
            statistics.median(ordered), ordered[int(0.9 * (len(ordered) - 1))], ordered[0], len(ordered)
        )


@dataclass
class Run:
    """One backend's app, client, users and database handle."""

    backend: str
    url: str
    settings: Settings
    app: Any
    client: httpx2.AsyncClient
    users: dict[str, int]
    headers: dict[str, dict[str, str]]
    data: Dataset | None = None

    def sql(self, query: str, params: Any = ()) -> list[tuple[Any, ...]]:
        if self.backend == "postgresql":
            with psycopg.connect(pg_conninfo(self.url), autocommit=True) as conn:
                return conn.execute(query.replace("?", "%s"), params).fetchall()
        conn = sqlite3.connect(make_url(self.url).database)
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.close()


async def get(run: Run, user: str, url: str) -> tuple[float, httpx2.Response]:
    start = time.perf_counter()
    response = await run.client.get(url, headers=run.headers[user])
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} -> {response.status_code} {response.text[:300]}")
    return elapsed, response


def tasks_url(params: dict[str, Any]) -> str:
    return "/tasks?" + urlencode({**params, "limit": LIMIT})


async def walk(run: Run, user: str, params: dict[str, Any], page: int) -> tuple[str, int, int, float]:
    """Follow Link rel=next from page 1 to `page` (or the last page): that page's URL, its number,
    how many tasks came before it, and the seconds the walk took. No task may come twice."""
    url, seen, number = tasks_url(params), set(), 1
    start = time.perf_counter()
    while number < page:
        _, response = await get(run, user, url)
        ids = [task["id"] for task in response.json()]
        if seen.intersection(ids):
            raise RuntimeError(f"{params}: a task came twice on page {number}")
        seen.update(ids)
        match = LINK_NEXT.search(response.headers.get("link", ""))
        if match is None:
            return url, number, len(seen) - len(ids), time.perf_counter() - start
        url, number = match.group(1), number + 1
    return url, number, len(seen), time.perf_counter() - start


async def measure(run: Run, user: str, urls: list[str], runs: int, warmup: int) -> list[Stats]:
    """Median per URL; the URLs take turns, so drift hits them alike."""
    for _ in range(warmup):
        for url in urls:
            await get(run, user, url)
    samples: list[list[float]] = [[] for _ in urls]
    for _ in range(runs):
        for i, url in enumerate(urls):
            samples[i].append((await get(run, user, url))[0])
    return [Stats.of(s) for s in samples]


def filter_cases() -> list[tuple[str, dict[str, Any], Filters]]:
    cases: list[tuple[str, dict[str, Any], Filters]] = [
        ("tag=work (35% of tasks)", {"tag": "Work"}, Filters(tags=("work",))),
        ("tag=someday (2%)", {"tag": "someday"}, Filters(tags=("someday",))),
    ]
    for label, q in SEARCHES:
        words = tuple(sorted({w.casefold() for w in q.split()}))
        cases.append((label, {"q": q}, Filters(words=words)))
    cases += [
        ("overdue=true", {"overdue": "true"}, Filters(overdue=True)),
        ("completed=false", {"completed": "false"}, Filters(completed=False)),
    ]
    return cases


# ------------------------------------------------------------------------------------- plans


def tag_ids(run: Run, owner: int, filters: Filters) -> tuple[int, ...]:
    """The ids of the filter's tags, as tags.service.ids_of looks them up."""
    ids = []
    for key in filters.tags:
        rows = run.sql("SELECT id FROM tag WHERE user_id = ? AND name_key = ?", (owner, key))
        ids.append(rows[0][0] if rows else 0)
    return tuple(ids)


def statement_values(
    run: Run, owner: int, filters: Filters, position: cursors.Position | None
) -> dict[str, Any]:
    """The values tasks.service.list_page binds for this listing."""
    now_key = listing.now_key(local_now("UTC"))
    values: dict[str, Any] = {
        "owner": owner,
        "limit": LIMIT + 1,
        "offset": 0,
        **listing.filter_params(filters, run.backend, now_key=now_key, tag_ids=tag_ids(run, owner, filters)),
    }
    if position is not None:
        values.update(
            after_key=position.key,
            after_id=position.task_id,
            after_neg_id=-position.task_id,
            snapshot=position.snapshot,
        )
    return values


def position_of(run: Run, owner: int, url: str, filters: Filters, sort: str) -> cursors.Position:
    token = parse_qs(urlsplit(url).query)["cursor"][0]
    # The key the app signs cursors with (tasks/routes.py keeps it on app.state once derived).
    secret = getattr(run.app.state, "cursor_secret", None) or CURSOR_SECRET
    return cursors.decode(token, secret=secret, owner=owner, listing=cursors.listing_digest(filters, sort))


def plan_nodes(node: dict[str, Any], depth: int = 0) -> Iterator[tuple[dict[str, Any], int]]:
    yield node, depth
    for child in node.get("Plans", []):
        yield from plan_nodes(child, depth + 1)


@dataclass
class PlanCheck:
    text: str
    execution_ms: float
    buffers: int  # shared blocks hit + read, whole statement
    indexes: list[str]
    problems: list[str]  # reads not restricted to the owner, full scans
    notes: list[str]  # sorts, rows thrown away: work that grows with the owner's tasks
    shape: tuple[tuple[str, str], ...]  # (node type, index) of every node: to compare plans


def check_pg_plan(text: str, plan: list[dict[str, Any]]) -> PlanCheck:
    root = plan[0]["Plan"]
    indexes, problems, notes, shape = [], [], [], []
    for node, _ in plan_nodes(root):
        kind, index = node["Node Type"], node.get("Index Name", "")
        relation = node.get("Relation Name", "")
        shape.append((kind, index))
        cond = node.get("Index Cond", "") or ""
        rows = node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
        removed = node.get("Rows Removed by Filter", 0) * node.get("Actual Loops", 1)
        if index:
            indexes.append(index)
        on_task = relation == "task" or index.startswith(("ix_task_", "pk_task"))
        if kind == "Seq Scan" and relation in ("task", "task_tag", "tag"):
            problems.append(f"Seq Scan on {relation} ({rows} rows, {removed} removed by filter)")
        scans = ("Index Scan", "Index Only Scan", "Bitmap Index Scan")
        if on_task and kind in scans and "user_id =" not in cond and "id =" not in cond:
            problems.append(f"{kind} {index} not restricted to the owner (cond: {cond or 'none'})")
        if removed and "user_id" in node.get("Filter", ""):
            problems.append(f"{kind} {index or relation}: {removed} rows of other users read and dropped")
        elif removed > 1000:
            notes.append(
                f"{kind} {index or relation}: {removed} of the owner's rows read and dropped by filter"
            )
        if node.get("Rows Removed by Index Recheck"):
            notes.append(
                f"{kind} {relation}: {node['Rows Removed by Index Recheck']} rows removed by recheck"
            )
        if kind == "Sort":
            input_rows = sum(
                c.get("Actual Rows", 0) * c.get("Actual Loops", 1) for c in node.get("Plans", [])
            )
            notes.append(
                f"Sort ({node.get('Sort Method', '?')}) of {input_rows} rows: not read in index order"
            )
        if kind in ("Aggregate",) and node.get("Plans") and rows == 1:
            child = node["Plans"][0]
            counted = child.get("Actual Rows", 0) * child.get("Actual Loops", 1)
            if counted > 1000:
                notes.append(f"count(*) for X-Total-Count reads {counted} rows")
    buffers = root.get("Shared Hit Blocks", 0) + root.get("Shared Read Blocks", 0)
    # The faster of the two analysed executions (text and JSON): one run of a sub-millisecond
    # statement on a shared machine is noisy.
    text_ms = re.search(r"Execution Time: ([0-9.]+) ms", text)
    execution_ms = min(plan[0]["Execution Time"], float(text_ms.group(1)) if text_ms else float("inf"))
    return PlanCheck(text, execution_ms, buffers, sorted(set(indexes)), problems, notes, tuple(shape))


def dollar_sql(sql: str, params: dict[str, Any]) -> tuple[str, list[Any]]:
    """pyformat SQL -> $n placeholders for PREPARE, with the values in order."""
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    out = re.sub(r"%\((\w+)\)s", number, sql).replace("%%", "%")
    return out, [params[name] for name in order]


def explain_pg(run: Run, stmt: Any, values: dict[str, Any]) -> tuple[PlanCheck, PlanCheck]:
    """(custom plan, generic plan) of the statement, each EXPLAIN (ANALYZE, BUFFERS)ed after one
    warm-up execution. The custom plan is what an unprepared execution gets; psycopg prepares a
    statement on its 5th use on a connection, after which PostgreSQL may switch to the generic one."""
    compiled = compile_statement(stmt, PGDialect_psycopg())
    params = compiled.params(values)
    with psycopg.connect(pg_conninfo(run.url), autocommit=True) as conn:
        results = []
        conn.execute(compiled.sql, params).fetchall()
        text = "\n".join(r[0] for r in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + compiled.sql, params))
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + compiled.sql, params).fetchone()[0]
        results.append(check_pg_plan(text, plan))
        prepared, args = dollar_sql(compiled.sql, params)
        conn.execute("PREPARE scale_stmt AS " + prepared)
        conn.execute("SET plan_cache_mode = force_generic_plan")
        literal_args = pgsql.SQL(", ").join(pgsql.Literal(a) for a in args).as_string(conn)
        execute = f"EXECUTE scale_stmt({literal_args})"
        conn.execute(execute).fetchall()
        text = "\n".join(r[0] for r in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + execute))
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + execute).fetchone()[0]
        results.append(check_pg_plan(text, plan))
        conn.execute("DEALLOCATE scale_stmt")
    return results[0], results[1]


@dataclass
class SqlitePlan:
    text: str
    problems: list[str]
    notes: list[str]
    elapsed_ms: float


def explain_sqlite(run: Run, stmt: Any, values: dict[str, Any]) -> SqlitePlan:
    compiled = compile_statement(stmt, SQLiteDialect_pysqlite(paramstyle="named"))
    params = compiled.params(values)
    conn = sqlite3.connect(make_url(run.url).database)
    try:
        rows = conn.execute("EXPLAIN QUERY PLAN " + compiled.sql, params).fetchall()
        conn.execute(compiled.sql, params).fetchall()
        start = time.perf_counter()
        conn.execute(compiled.sql, params).fetchall()
        elapsed = (time.perf_counter() - start) * 1000
    finally:
        conn.close()
    depth: dict[int, int] = {0: -1}
    lines, problems, notes = [], [], []
    for node_id, parent, _, detail in rows:
        depth[node_id] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node_id] + detail)
        if re.match(r"SCAN (task|task_tag|tag)\b", detail):
            problems.append(f"{detail}: reads every row of the table (all users)")
        if detail.startswith("SEARCH task ") and "user_id=?" not in detail and "rowid=?" not in detail:
            problems.append(f"{detail}: not restricted to the owner")
        if "VIRTUAL TABLE" in detail:
            problems.append(f"{detail}: FTS5 matches of every user's tasks are read (no owner in the index)")
        if "TEMP B-TREE" in detail:
            notes.append(f"{detail}: rows sorted, not read in index order")
    return SqlitePlan("\n".join(lines), problems, notes, elapsed)


# ------------------------------------------------------------------------------------ report


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.flags: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def table(self, header: list[str], rows: list[list[Any]]) -> None:
        self.add("| " + " | ".join(header) + " |", "|" + "---|" * len(header))
        self.add(*("| " + " | ".join(str(c) for c in row) + " |" for row in rows))
        self.add("")

    def flag(self, message: str) -> None:
        self.flags.append(message)


def ms(stats: Stats | None) -> str:
    return "-" if stats is None else f"{stats.median:.2f}"


# ------------------------------------------------------------------------------------- phases


def make_settings(url: str, data_dir: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        jwt_secret=JWT_SECRET,  # type: ignore[arg-type]
        bcrypt_rounds=4,
        data_dir=data_dir,
        redis_url=None,
        rate_limit_login_failures=0,
        rate_limit_auth_per_minute=0,
    )


async def sign_up(
    client: httpx2.AsyncClient, names: list[str]
) -> tuple[dict[str, int], dict[str, dict[str, str]]]:
    ids, headers = {}, {}
    for name in names:
        email = f"{name}@scale.example.com"
        response = await client.post("/auth/signup", json={"email": email, "password": PASSWORD})
        if response.status_code != 201:
            raise RuntimeError(f"signup {name}: {response.status_code} {response.text}")
        ids[name] = response.json()["id"]
        response = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
        headers[name] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return ids, headers


async def sort_timings(run: Run, args: argparse.Namespace, report: Report) -> dict[str, str]:
    """Page 1 against the deep page for every sort; returns each sort's deep-page URL."""
    rows, deep_urls = [], {}
    for sort in SORT_ORDER:
        deep_url, number, before, seconds = await walk(run, "big", {"sort": sort}, args.deep_page)
        _, deep = await get(run, "big", deep_url)
        log(
            f"{run.backend} {sort}: walked to page {number} in {seconds:.1f} s ({len(deep.json())} tasks there)"
        )
        if before + len(deep.json()) != min(args.big, args.deep_page * LIMIT):
            raise RuntimeError(f"{sort}: the walk saw {before} + {len(deep.json())} tasks")
        deep_urls[sort] = deep_url
        first = tasks_url({"sort": sort})
        small_last, small_number, _, _ = await walk(run, "small", {"sort": sort}, 10**6)
        p1, pn = await measure(run, "big", [first, deep_url], args.runs, args.warmup)
        s1, sn = await measure(run, "small", [first, small_last], args.runs, args.warmup)
        ratio = pn.median / p1.median
        ok = ratio <= RATIO_BAR
        if not ok:
            report.flag(f"{run.backend}: sort={sort} page {number}/page 1 = {ratio:.2f} (> {RATIO_BAR})")
        rows.append(
            [
                f"`{sort}`",
                ms(s1),
                f"{ms(sn)} (p{small_number})",
                ms(p1),
                ms(pn),
                f"{ratio:.2f}",
                "yes" if ok else "**NO**",
            ]
        )
        log(f"{run.backend} {sort}: p1 {p1.median:.2f} ms, p{number} {pn.median:.2f} ms, ratio {ratio:.2f}")
    report.add(
        f"Median ms of {args.runs} runs after {args.warmup} warm-up runs, `GET /tasks?sort=...&limit={LIMIT}` "
        f"through the app (auth, query, JSON). Big user: {args.big:,} tasks; small user: 100 tasks "
        f"(its last page reached by cursor in brackets). Bar: page {args.deep_page:,} / page 1 <= {RATIO_BAR}.",
        "",
    )
    report.table(
        [
            "sort",
            "100 tasks p1",
            "100 tasks last",
            f"{args.big:,} p1",
            f"{args.big:,} p{args.deep_page}",
            "ratio",
            "<= 1.5",
        ],
        rows,
    )
    return deep_urls


async def filter_timings(run: Run, args: argparse.Namespace, report: Report) -> None:
    rows = []
    for label, params, _ in filter_cases():
        url = tasks_url(params)
        big_stats = await measure(run, "big", [url], args.runs, args.warmup)
        small_stats = await measure(run, "small", [url], args.runs, args.warmup)
        (_, big_response), (_, small_response) = await get(run, "big", url), await get(run, "small", url)
        rows.append(
            [
                f"`{label}`",
                small_response.headers["x-total-count"],
                ms(small_stats[0]),
                big_response.headers["x-total-count"],
                ms(big_stats[0]),
                f"{big_stats[0].p90:.2f}",
            ]
        )
        log(
            f"{run.backend} {label}: 100 -> {small_stats[0].median:.2f} ms, big -> {big_stats[0].median:.2f} ms"
        )
    big_stats = await measure(run, "big", ["/tags"], args.runs, args.warmup)
    small_stats = await measure(run, "small", ["/tags"], args.runs, args.warmup)
    (_, big_tags), (_, small_tags) = await get(run, "big", "/tags"), await get(run, "small", "/tags")
    links = [sum(t["tasks"] for t in r.json()) for r in (small_tags, big_tags)]
    rows.append(
        [
            "`GET /tags` (not a filter)",
            f"{links[0]} links",
            ms(small_stats[0]),
            f"{links[1]} links",
            ms(big_stats[0]),
            f"{big_stats[0].p90:.2f}",
        ]
    )
    report.add(
        f"First page (`limit={LIMIT}`, default sort `-created`), median ms of {args.runs} runs; "
        "`matches` is X-Total-Count. The last row is `GET /tags` (counts every tag link of the owner).",
        "",
    )
    report.table(
        ["filter", "matches (100)", "100 tasks", f"matches ({args.big:,})", f"{args.big:,} tasks", "p90"],
        rows,
    )


def plan_summary(check: PlanCheck) -> str:
    parts = [
        f"{check.execution_ms:.2f} ms, {check.buffers} buffers",
        "indexes: " + (", ".join(check.indexes) or "none"),
    ]
    parts += check.problems + check.notes
    return "; ".join(parts)


def page_statements(shape: listing.Shape, sort: str, backend: str, *, deep: bool) -> list[tuple[str, Any]]:
    """The page statement(s) tasks.service.list_page runs, labelled. `listing.page(after=...)` was a
    bool at commit 21f8e2b; later it names the part ("all"; on SQLite "ties", then "beyond")."""
    annotation = inspect.signature(listing.page).parameters["after"].annotation
    if annotation in (bool, "bool"):
        return [("", listing.page(shape, sort, after=deep))]
    if not deep:
        return [("", listing.page(shape, sort, after=None))]
    if backend == "postgresql":
        return [("", listing.page(shape, sort, after="all"))]
    return [(f" [{part}]", listing.page(shape, sort, after=part)) for part in ("ties", "beyond")]


def plan_cases(run: Run, deep_urls: dict[str, str]) -> list[tuple[str, Any, dict[str, Any]]]:
    """(label, statement, values) of every statement to explain, for the big user."""
    owner = run.users["big"]
    cases: list[tuple[str, Any, dict[str, Any]]] = []
    for sort in SORT_ORDER:
        filters = Filters()
        shape = listing.shape_of(filters, run.backend)
        position = position_of(run, owner, deep_urls[sort], filters, sort)
        for part, stmt in page_statements(shape, sort, run.backend, deep=True):
            cases.append(
                (f"sort={sort}, deep page{part}", stmt, statement_values(run, owner, filters, position))
            )
        for part, stmt in page_statements(shape, sort, run.backend, deep=False):
            cases.append((f"sort={sort}, page 1{part}", stmt, statement_values(run, owner, filters, None)))
    for label, _, filters in filter_cases():
        shape = listing.shape_of(filters, run.backend)
        for part, stmt in page_statements(shape, listing.DEFAULT_SORT, run.backend, deep=False):
            cases.append((f"{label}{part}", stmt, statement_values(run, owner, filters, None)))
    return cases


def pg_plans(run: Run, deep_urls: dict[str, str], report: Report) -> None:
    cases = plan_cases(run, deep_urls)
    rows, details = [], []
    for label, stmt, values in cases:
        custom, generic = explain_pg(run, stmt, values)
        owner_only = not custom.problems and not generic.problems
        same = custom.shape == generic.shape
        if not owner_only:
            found = [f"custom plan: {p}" for p in custom.problems] + [
                f"generic plan: {p}" for p in generic.problems
            ]
            report.flag(f"postgresql {label}: " + "; ".join(dict.fromkeys(found)))
        rows.append(
            [
                label,
                f"{custom.execution_ms:.2f}",
                f"{generic.execution_ms:.2f}",
                "yes" if owner_only else "**NO**",
                "same" if same else "**differs**",
                "; ".join(custom.notes) or "-",
            ]
        )
        details.append(f"#### {label}")
        details.append("")
        details.append(f"Custom plan: {plan_summary(custom)}")
        details.append("")
        details.append("```")
        details.append(custom.text)
        details.append("```")
        if not same:
            details.append(f"Generic plan (other nodes): {plan_summary(generic)}")
            details.append("")
            details.append("```")
            details.append(generic.text)
            details.append("```")
        else:
            details.append(f"Generic plan: same nodes; {plan_summary(generic)}")
        details.append("")
        log(f"postgresql plan {label}: {plan_summary(custom)}")
    report.add(
        "EXPLAIN (ANALYZE, BUFFERS) of the statement the app runs for the big user (custom plan, and generic "
        "plan as used once psycopg has prepared the statement). `owner only`: every index read of task is "
        "bounded by `user_id = owner` (or by primary key from the owner's tag links); no Seq Scan, no rows of "
        "other users read and dropped.",
        "",
    )
    report.table(
        [
            "statement",
            "custom ms",
            "generic ms",
            "owner only, from indexes",
            "generic plan",
            "work that grows",
        ],
        rows,
    )
    report.add("<details><summary>Plans</summary>", "", *details, "</details>", "")


def sqlite_plans(run: Run, deep_urls: dict[str, str], report: Report) -> None:
    rows, details = [], []
    cases = plan_cases(run, deep_urls)
    for label, stmt, values in cases:
        plan = explain_sqlite(run, stmt, values)
        if plan.problems:
            report.flag(f"sqlite {label}: " + "; ".join(dict.fromkeys(plan.problems)))
        rows.append(
            [
                label,
                f"{plan.elapsed_ms:.2f}",
                "yes" if not plan.problems else "**NO**",
                "; ".join(plan.notes) or "-",
            ]
        )
        details += [f"#### {label}", "", "```", plan.text, "```", ""]
        log(f"sqlite plan {label}: {plan.problems + plan.notes}")
    report.add(
        "EXPLAIN QUERY PLAN of the statement the app runs for the big user; `ms` is one execution with "
        "sqlite3 directly (no HTTP). `owner only`: no SCAN of task/task_tag/tag and every SEARCH of task "
        "bounded by user_id or rowid, and no FTS5 match over every user's tasks.",
        "",
    )
    report.table(["statement", "ms (sqlite3)", "owner only, from indexes", "notes"], rows)
    report.add("<details><summary>Plans</summary>", "", *details, "</details>", "")


async def bulk_patch(run: Run, args: argparse.Namespace, report: Report) -> None:
    assert run.data is not None
    # Warm up the PATCH path on the small user (its measurements are done).
    response = await run.client.patch(
        "/tasks?completed=false", json={"completed": True}, headers=run.headers["small"]
    )
    assert response.status_code == 200, response.text
    rows, problems = [], []
    for name in ("bulk1", "bulk2", "bulk3"):
        uid = run.users[name]
        expected = run.data.per_user[uid]
        _, before = await get(run, name, "/tasks?completed=false&limit=1")
        if int(before.headers["x-total-count"]) != args.bulk_open:
            raise RuntimeError(f"{name}: {before.headers['x-total-count']} open before the PATCH")
        start = time.perf_counter()
        response = await run.client.patch(
            "/tasks?completed=false", json={"completed": True}, headers=run.headers[name]
        )
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"PATCH {name}: {response.status_code} {response.text}")
        updated = response.json()["updated"]
        checks = {
            "completed=true": (f"/tasks?completed=true&limit={LIMIT}", expected["tasks"]),
            "completed=false": (f"/tasks?completed=false&limit={LIMIT}", 0),
            "all": (f"/tasks?limit={LIMIT}", expected["tasks"]),
            "tag=work&completed=true": (
                f"/tasks?tag=work&completed=true&limit={LIMIT}",
                expected["tags"]["Work"][0],
            ),
            "tag=work&completed=false": (f"/tasks?tag=work&completed=false&limit={LIMIT}", 0),
        }
        seen = {}
        for label, (url, want) in checks.items():
            _, response = await get(run, name, url)
            seen[label] = int(response.headers["x-total-count"])
            if seen[label] != want:
                problems.append(f"{name} {label}: X-Total-Count {seen[label]}, expected {want}")
        _, tags = await get(run, name, "/tags")
        listed = {t["name"]: (t["tasks"], t["open"]) for t in tags.json()}
        want_tags = {n: (tasks, 0) for n, (tasks, _) in expected["tags"].items() if tasks}
        if listed != want_tags:
            problems.append(f"{name} /tags: {listed}, expected {want_tags}")
        if updated != args.bulk_open:
            problems.append(f"{name}: updated {updated}, expected {args.bulk_open}")
        rows.append(
            [
                name,
                f"{updated:,}",
                f"{elapsed:.0f}",
                seen["completed=true"],
                seen["completed=false"],
                seen["tag=work&completed=true"],
                "exact" if listed == want_tags else "**WRONG**",
            ]
        )
        log(f"{run.backend} PATCH {name}: {updated} in {elapsed:.0f} ms")
    problems += check_counters(run)
    median = statistics.median(float(r[2]) for r in rows)
    report.add(
        f'`PATCH /tasks?completed=false` `{{"completed": true}}` for three users with exactly '
        f"{args.bulk_open:,} open and {args.bulk_open // 5:,} completed tasks each (one request, one "
        f"transaction), then X-Total-Count and `GET /tags` checked against the loaded data. Median: "
        f"**{median:.0f} ms**.",
        "",
    )
    report.table(
        [
            "user",
            "updated",
            "ms",
            "X-Total completed=true",
            "completed=false",
            "tag=work&completed=true",
            "GET /tags",
        ],
        rows,
    )
    if problems:
        report.add("Problems:", "", *(f"- {p}" for p in problems), "")
        for p in problems:
            report.flag(f"{run.backend} PATCH: {p}")
    else:
        report.add(
            "All counts exact right after (X-Total-Count, `GET /tags`, and every owner's counters = count(*)).",
            "",
        )


def specs_for(args: argparse.Namespace) -> list[UserSpec]:
    specs = [UserSpec("big", args.big)]
    specs += [UserSpec(f"other{i}", args.others) for i in range(1, 5)]
    specs.append(UserSpec("small", 100))
    specs += [
        UserSpec(f"bulk{i}", args.bulk_open + args.bulk_open // 5, args.bulk_open // 5) for i in (1, 2, 3)
    ]
    specs += [
        UserSpec(f"bg{i:05d}", args.background_tasks, signed_up=False) for i in range(args.background_users)
    ]
    return specs


async def run_backend(
    backend: str, url: str, data_dir: Path, args: argparse.Namespace, report: Report
) -> None:
    settings = make_settings(url, data_dir)
    log(f"{backend}: migrating {url}")
    migrate.upgrade(settings)
    app = create_app(settings)
    specs = specs_for(args)
    async with app.router.lifespan_context(app):
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(
            transport=transport, base_url="http://testserver", timeout=600
        ) as client:
            ids, headers = await sign_up(client, [s.name for s in specs if s.signed_up])
            run = Run(backend, url, settings, app, client, ids, headers)
            log(f"{backend}: building the data set")
            password_hash = run.sql("SELECT hashed_password FROM app_user WHERE id = ?", (ids["big"],))[0][0]
            run.data = build_dataset(specs, ids, password_hash, datetime.now(UTC), args.seed)
            log(f"{backend}: loading {len(run.data.tasks):,} tasks, {len(run.data.links):,} tag links")
            start = time.perf_counter()
            if backend == "postgresql":
                load_pg(url, run.data)
            else:
                load_sqlite(make_url(url).database, run.data)
            load_seconds = time.perf_counter() - start
            problems = check_counters(run)
            if problems:
                raise RuntimeError(f"counters after loading: {problems}")
            log(f"{backend}: loaded in {load_seconds:.0f} s")
            title = "PostgreSQL" if backend == "postgresql" else "SQLite"
            version = run.sql("SELECT version()" if backend == "postgresql" else "SELECT sqlite_version()")[
                0
            ][0]
            report.add(
                f"## {title}",
                "",
                f"{version.split(' on ')[0]}. {len(run.data.tasks):,} tasks and {len(run.data.links):,} tag "
                f"links loaded in {load_seconds:.0f} s "
                + (
                    "(COPY, then VACUUM ANALYZE)."
                    if backend == "postgresql"
                    else "(executemany; triggers on; no ANALYZE, as the app leaves a database)."
                ),
                "",
                f"### Sorts: page 1 against page {args.deep_page:,} by cursor",
                "",
            )
            load_before = os.getloadavg()
            deep_urls = await sort_timings(run, args, report)
            report.add("### Filters: first page", "")
            await filter_timings(run, args, report)
            report.add(
                f"(Machine load average while timing: {load_before[0]:.1f} before, "
                f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs: other work shared the machine.)",
                "",
            )
            report.add("### Plans", "")
            if backend == "postgresql":
                pg_plans(run, deep_urls, report)
            else:
                sqlite_plans(run, deep_urls, report)
            report.add(f"### Bulk PATCH: completing {args.bulk_open:,} tasks", "")
            await bulk_patch(run, args, report)


def git_revision() -> str:
    """The checked-out commit (and whether src/ has changes), read from .git without running git."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = (root / ".git" / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            path = root / ".git" / ref
            if path.exists():
                return path.read_text().strip()[:10]
            for line in (root / ".git" / "packed-refs").read_text().splitlines():
                if line.endswith(" " + ref):
                    return line[:10]
        return head[:10]
    except OSError:
        return "unknown"


def empty_sqlite_dir(name: str) -> Path:
    path = Path(name).resolve()
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("scale.db*"):
        old.unlink()
    return path


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="todo_scale")
    parser.add_argument("--out", default="/tmp/scale_report.md")  # noqa: S108
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--others", type=int, default=50_000)
    parser.add_argument("--bulk-open", type=int, default=10_000)
    parser.add_argument("--deep-page", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--background-users", type=int, default=2000)
    parser.add_argument("--background-tasks", type=int, default=5)
    parser.add_argument(
        "--sqlite-dir", help="keep the SQLite database in this directory (default: a temporary one)"
    )
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--notes", help="a Markdown file appended to the report (e.g. findings written by hand)"
    )
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    return parser.parse_args()


async def measure_all(args: argparse.Namespace) -> Report:
    report = Report()
    started = datetime.now(UTC)
    report.add(
        "# Scale report (issue 9, Performance and scale)",
        "",
        f"Generated {started:%Y-%m-%d %H:%M} UTC by `scripts/scale_report.py` (seed {args.seed}) at commit "
        f"`{git_revision()}` (plus any uncommitted changes); Python "
        f"{sys.version.split()[0]}; all requests in-process through `create_app` + `httpx2.ASGITransport`.",
        "",
        f"Data per backend: big user {args.big:,} tasks; four other users {args.others:,} each; small user "
        f"100; three bulk users {args.bulk_open:,} open + {args.bulk_open // 5:,} completed. Tasks of all "
        "users interleaved by creation time; ~30% completed; ~65% due within +-60 days (a third with a "
        "time); priorities 0-4 (50/15/15/12/8%); tags Work 35%, Home 20%, Errands 10%, Reading 5%, "
        "Someday 2% (independently per task); ~60% with a description. Plus "
        f"{args.background_users:,} background users with {args.background_tasks} tasks and 5 tags each "
        "(inserted with the tasks), so the tag and user tables are not trivially small.",
        "",
    )
    if not args.skip_pg:
        url = create_pg_database(args.pg_url, args.pg_db)
        with tempfile.TemporaryDirectory() as tmp:
            await run_backend("postgresql", url, Path(tmp), args, report)
    if not args.skip_sqlite and args.sqlite_dir:
        path = empty_sqlite_dir(args.sqlite_dir)
        await run_backend("sqlite", f"sqlite:///{path}/scale.db", path, args, report)
    elif not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            await run_backend("sqlite", f"sqlite:///{tmp}/scale.db", Path(tmp), args, report)
    report.add("## Automatic checks", "")
    if report.flags:
        report.add(*(f"- {flag}" for flag in report.flags), "")
    else:
        report.add("- Every ratio <= 1.5 and every plan served from indexes restricted to the owner.", "")
    minutes = (datetime.now(UTC) - started).total_seconds() / 60
    report.add(f"(Run took {minutes:.1f} minutes.)", "")
    return report


def main() -> None:
    args = parse_args()
    report = asyncio.run(measure_all(args))
    if args.notes:
        report.add("", Path(args.notes).read_text())
    Path(args.out).write_text("\n".join(report.lines))
    log(f"report written to {args.out}")


if __name__ == "__main__":
    main()
