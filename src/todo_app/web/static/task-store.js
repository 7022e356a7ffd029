// The tasks on the page and the two counters, kept in step with the API. Every change shows at once
// and is rolled back if the API refuses it; a load never overwrites a change still on its way.
// The page listens: onChange() after every change of state, onRekey(from, to) when a task shown
// under a temporary id gets the server's, onError(error, prefix) on a failure, onError(null) when
// an action starts (the last failure no longer applies), onSettled() when every change is answered.

import { request, total } from "./api.js";
import { deleteAllCompleted, setAllCompleted } from "./bulk.js";
import { listPath, matches, sameQuery } from "./task-query.js";
import { WriteQueue } from "./write-queue.js";

const PAGE_SIZE = 50;
const BLANK = { description: null, completed: false, completed_at: null, due_date: null, due_time: null, priority: "none", tags: [] };

// The next page's address from `Link: <...>; rel="next"`, as a path on this origin.
function nextPage(headers) {
  const link = /<([^>]*)>\s*;\s*rel="?next"?/.exec(headers.get("Link") ?? "");
  if (!link) return null;
  const url = new URL(link[1], location.href);
  return url.pathname + url.search;
}

export class TaskStore {
  // query: see task-query.js; clock(): the day and time now in the person's zone (dates.js).
  constructor({ query, clock, onChange, onRekey, onError, onSettled }) {
    Object.assign(this, { query, clock, onChange, onRekey, onError, onSettled });
    Object.assign(this, { items: [], next: null, loading: true, active: 0, completed: 0 });
    this.loads = 0;
    this.temporary = 0;
    this.reloadWhenIdle = false;
    this.writes = new WriteQueue({ onBusy: () => this.onChange(), onIdle: () => this.idle() });
  }

  // Changes are on their way to the server.
  get saving() {
    return this.writes.busy;
  }

  find(id) {
    return this.items.find((t) => t.id === id);
  }

  matches(task) {
    return matches(task, this.query, this.clock());
  }

  idle() {
    if (this.reloadWhenIdle) {
      this.reloadWhenIdle = false;
      this.load();
    }
    this.onChange(); // saved
    this.onSettled();
  }

  async load() {
    const ticket = ++this.loads; // a later load (another query) wins over this one
    if (this.writes.busy) {
      // The server may answer before it has applied a change on its way: load once they are all in.
      this.reloadWhenIdle = true;
      return;
    }
    const started = this.writes.started;
    this.loading = true;
    try {
      const [page, active, completed] = await Promise.all([
        request("GET", listPath(this.query, this.clock(), PAGE_SIZE)),
        request("GET", "/tasks?limit=1&completed=false"),
        request("GET", "/tasks?limit=1&completed=true"),
      ]);
      if (ticket !== this.loads) return;
      if (started !== this.writes.started) {
        // A change went out while this was loading: this answer may predate it. Ask again later.
        if (this.writes.busy) this.reloadWhenIdle = true;
        else this.load();
        return;
      }
      Object.assign(this, { items: page.data, next: nextPage(page.headers) });
      this.active = total(active.headers);
      this.completed = total(completed.headers);
    } catch (error) {
      if (ticket === this.loads) this.onError(error, "Could not load your tasks");
    } finally {
      if (ticket === this.loads) {
        this.loading = false;
        this.onChange();
      }
    }
  }

  // What is already known to belong to the new query stays (in place) until the server's answer.
  setQuery(query) {
    const same = sameQuery(query, this.query);
    this.query = query;
    if (same) return;
    Object.assign(this, { items: this.items.filter((t) => this.matches(t)), next: null, loading: true });
    this.onChange();
    this.load();
  }

  // Fetches the next page; returns the first task it adds to the list, if any.
  async loadMore() {
    const ticket = this.loads;
    if (!this.next) return null;
    try {
      const { data, headers } = await request("GET", this.next);
      if (ticket !== this.loads) return null;
      const known = new Set(this.items.map((t) => t.id));
      const fresh = data.filter((t) => !known.has(t.id));
      this.items.push(...fresh);
      this.next = nextPage(headers);
      this.onChange();
      return fresh[0] ?? null;
    } catch (error) {
      this.onError(error, "Could not load more tasks");
      return null;
    }
  }

  // Adds a task from quick-add text; `preview` (the server's parse of that text, if known) shows it
  // meanwhile. Resolves to the saved task; a refusal rejects with the API's error.
  async add(text, preview) {
    this.onError(null);
    const parsed = preview ? { ...preview, priority: preview.priority ?? "none" } : {};
    const temp = { ...BLANK, ...parsed, id: `new-${++this.temporary}`, title: parsed.title || text, pending: true };
    if (this.matches(temp)) this.items.unshift(temp);
    this.active += 1;
    this.onChange();
    return this.writes.run(async () => {
      try {
        const { data } = await request("POST", "/tasks", { body: { text } });
        const at = this.items.indexOf(temp);
        if (!this.matches(data)) {
          if (at >= 0) this.items.splice(at, 1);
        } else if (at >= 0) {
          this.items[at] = data;
          this.onRekey(temp.id, data.id); // the same list item, from now on the saved task's
        } else this.items.unshift(data);
        this.onChange();
        return data;
      } catch (error) {
        const at = this.items.indexOf(temp);
        if (at >= 0) this.items.splice(at, 1);
        this.active -= 1;
        this.onChange();
        throw error;
      }
    });
  }

  async update(task, changes, failure) {
    if (task.pending) return;
    this.onError(null);
    const index = this.items.indexOf(task);
    const local = changes.due_date === null ? { ...changes, due_time: null } : changes; // as the server does
    const before = Object.fromEntries(Object.keys(local).map((key) => [key, task[key]]));
    this.setLocal(task, local, index);
    await this.writes.run(async () => {
      try {
        const { data } = await request("PATCH", `/tasks/${task.id}`, { body: changes });
        Object.assign(task, data);
        this.onChange();
      } catch (error) {
        this.setLocal(task, before, index);
        this.onError(error, failure);
      }
    });
  }

  // Apply values to a task shown (or hidden by the query), keeping the counters right.
  setLocal(task, values, index) {
    if ("completed" in values && values.completed !== task.completed) {
      this.active += values.completed ? -1 : 1;
      this.completed += values.completed ? 1 : -1;
    }
    Object.assign(task, values);
    const visible = this.matches(task);
    const at = this.items.indexOf(task);
    if (!visible && at >= 0) this.items.splice(at, 1);
    else if (visible && at < 0) this.items.splice(Math.min(Math.max(index, 0), this.items.length), 0, task);
    this.onChange();
  }

  async remove(task) {
    if (task.pending) return;
    this.onError(null);
    const index = this.items.indexOf(task);
    this.items.splice(index, 1);
    this.adjustCounts(task, -1);
    this.onChange();
    await this.writes.run(async () => {
      try {
        await request("DELETE", `/tasks/${task.id}`);
      } catch (error) {
        if (error.status === 404) return; // already gone
        this.items.splice(Math.min(index, this.items.length), 0, task);
        this.adjustCounts(task, 1);
        this.onChange();
        this.onError(error, "Could not delete the task");
      }
    });
  }

  adjustCounts(task, delta) {
    if (task.completed) this.completed += delta;
    else this.active += delta;
  }

  async markAll(completed) {
    const show = () => {
      for (const task of [...this.items]) if (!task.pending && task.completed !== completed) this.setLocal(task, { completed }, 0);
      const all = this.active + this.completed;
      [this.active, this.completed] = completed ? [0, all] : [all, 0]; // tasks not loaded yet too
    };
    await this.bulk(show, () => setAllCompleted(completed), "Could not update every task");
  }

  async clearCompleted() {
    const show = () => {
      this.items = this.items.filter((t) => !t.completed);
      this.completed = 0;
    };
    await this.bulk(show, deleteAllCompleted, "Could not clear every completed task");
  }

  // Bulk actions show at once and reach the server in turn (see WriteQueue); then the server's truth
  // is loaded either way: tasks not on the page changed too, and a refusal changed nothing.
  async bulk(show, send, failure) {
    this.onError(null);
    show();
    this.onChange();
    await this.writes.run(
      async () => {
        try {
          await send();
        } catch (error) {
          this.onError(error, failure);
        } finally {
          this.reloadWhenIdle = true;
        }
      },
      { bulk: true },
    );
  }
}
