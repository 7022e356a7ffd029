// The tasks on the page and the two counters, kept in step with the API. Every change shows at once
// and is rolled back if the API refuses it; a load never overwrites a change still on its way.
// The page listens: onChange() after every change of state, onRekey(from, to) when a task shown
// under a temporary id gets the server's, onError(error, prefix) on a failure, onError(null) when
// an action starts (the last failure no longer applies).

import { request, total } from "./api.js";
import { deleteAllCompleted, setAllCompleted } from "./bulk.js";

const PAGE_SIZE = 50;
const QUERY = { all: "", active: "&completed=false", completed: "&completed=true" };

export class TaskStore {
  constructor({ filter, onChange, onRekey, onError }) {
    Object.assign(this, { filter, onChange, onRekey, onError });
    Object.assign(this, { items: [], active: 0, completed: 0 });
    this.loads = 0;
    this.temporary = 0;
    this.writes = { started: 0, pending: 0, reloadWhenIdle: false, running: new Set(), lastBulk: Promise.resolve() };
  }

  // Changes are on their way to the server.
  get saving() {
    return this.writes.pending > 0;
  }

  // How many tasks the current filter matches, from the two counters the API keeps exact.
  get total() {
    if (this.filter === "active") return this.active;
    if (this.filter === "completed") return this.completed;
    return this.active + this.completed;
  }

  find(id) {
    return this.items.find((t) => t.id === id);
  }

  async load() {
    const ticket = ++this.loads; // a later load (another filter) wins over this one
    if (this.writes.pending > 0) {
      // The server may answer before it has applied a change on its way: load once they are all in.
      this.writes.reloadWhenIdle = true;
      return;
    }
    const writes = this.writes.started;
    try {
      const [page, active, completed] = await Promise.all([
        request("GET", `/tasks?limit=${PAGE_SIZE}${QUERY[this.filter]}`),
        request("GET", "/tasks?limit=1&completed=false"),
        request("GET", "/tasks?limit=1&completed=true"),
      ]);
      if (ticket !== this.loads) return;
      if (writes !== this.writes.started) {
        // A change went out while this was loading: this answer may predate it. Ask again later.
        this.writes.reloadWhenIdle = true;
        if (this.writes.pending === 0) this.load();
        return;
      }
      this.items = page.data;
      this.active = total(active.headers);
      this.completed = total(completed.headers);
      this.onChange();
    } catch (error) {
      this.onError(error, "Could not load your tasks");
    }
  }

  setFilter(filter) {
    if (filter === this.filter) return;
    Object.assign(this, { filter, items: [] });
    this.onChange();
    this.load();
  }

  // Fetches the next page; returns the first task it adds to the list, if any.
  async loadMore() {
    try {
      const offset = this.items.filter((t) => !t.pending).length;
      const { data } = await request("GET", `/tasks?limit=${PAGE_SIZE}&offset=${offset}${QUERY[this.filter]}`);
      const known = new Set(this.items.map((t) => t.id));
      this.items.push(...data.filter((t) => !known.has(t.id)));
      this.onChange();
      return data[0] ?? null;
    } catch (error) {
      this.onError(error, "Could not load more tasks");
      return null;
    }
  }

  // Every change to the server goes through here, so a reload never overwrites one in flight. A bulk
  // change runs alone: after the changes made before it and before those made after it, so they
  // reach the server in the order the person made them.
  async write(work, { bulk = false } = {}) {
    const writes = this.writes;
    writes.started += 1;
    if (++writes.pending === 1) this.onChange(); // saving
    const turn = Promise.all(bulk ? [writes.lastBulk, ...writes.running] : [writes.lastBulk]);
    const result = turn.then(work);
    const settled = result.then(
      () => {},
      () => {},
    );
    writes.running.add(settled);
    if (bulk) writes.lastBulk = settled;
    try {
      return await result;
    } finally {
      writes.running.delete(settled);
      writes.pending -= 1;
      if (writes.pending === 0) {
        this.onChange(); // saved
        if (writes.reloadWhenIdle) {
          writes.reloadWhenIdle = false;
          this.load();
        }
      }
    }
  }

  async add(title) {
    this.onError(null);
    const temp = { id: `new-${++this.temporary}`, title, description: null, completed: false, pending: true };
    if (this.filter !== "completed") this.items.unshift(temp);
    this.active += 1;
    this.onChange();
    await this.write(async () => {
      try {
        const { data } = await request("POST", "/tasks", { body: { title } });
        const at = this.items.indexOf(temp);
        if (at >= 0) {
          this.items[at] = data;
          this.onRekey(temp.id, data.id); // the same list item, from now on the saved task's
        }
        this.onChange();
      } catch (error) {
        const at = this.items.indexOf(temp);
        if (at >= 0) this.items.splice(at, 1);
        this.active -= 1;
        this.onChange();
        this.onError(error, "Could not add the task");
      }
    });
  }

  async update(task, changes, failure) {
    if (task.pending) return;
    this.onError(null);
    const index = this.items.indexOf(task);
    const before = { title: task.title, description: task.description, completed: task.completed };
    this.setLocal(task, changes, index);
    await this.write(async () => {
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

  // Apply values to a task shown (or hidden by the filter), keeping the counters right.
  setLocal(task, values, index) {
    if ("completed" in values && values.completed !== task.completed) {
      this.active += values.completed ? -1 : 1;
      this.completed += values.completed ? 1 : -1;
    }
    Object.assign(task, values);
    const visible = this.filter === "all" || (this.filter === "active") === !task.completed;
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
    await this.write(async () => {
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

  // Bulk actions show at once and reach the server in turn (see write); a failure reloads the
  // server's truth.
  async bulk(show, send, failure) {
    this.onError(null);
    show();
    this.onChange();
    await this.write(
      async () => {
        try {
          await send();
        } catch (error) {
          this.writes.reloadWhenIdle = true;
          this.onError(error, failure);
        }
      },
      { bulk: true },
    );
  }
}
