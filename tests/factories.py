"""Plain helpers that make users and tasks through the public API."""

import itertools

import httpx2

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def make_user(client: httpx2.AsyncClient, email: str | None = None, password: str = PASSWORD) -> dict:
    """Sign up and log in; returns the public user plus its `token` and `headers`."""
    email = email or f"user{next(_seq)}@example.com"
    r = await client.post("/auth/signup", json={"email": email, "password": password})
    assert r.status_code == 201, r.text
    user = r.json()
    r = await client.post("/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    return {**user, "token": token, "headers": auth(token)}


async def make_task(client: httpx2.AsyncClient, user: dict, **fields: object) -> dict:
    body = {"title": f"task {next(_seq)}", **fields}
    r = await client.post("/tasks", json=body, headers=user["headers"])
    assert r.status_code == 201, r.text
    return r.json()


async def every_task_route(client: httpx2.AsyncClient, task_id: object, user: dict) -> list[httpx2.Response]:
    """One call to each route that names a task (read, replace, patch, toggle, delete, in that order)."""
    url, h = f"/tasks/{task_id}", user["headers"]
    return [
        await client.get(url, headers=h),
        await client.put(url, json={"title": "changed", "description": None, "completed": True}, headers=h),
        await client.patch(url, json={"title": "changed"}, headers=h),
        await client.patch(f"{url}/complete", headers=h),
        await client.post(f"{url}/skip", headers=h),
        await client.get(f"{url}/completions", headers=h),
        await client.delete(url, headers=h),
    ]
