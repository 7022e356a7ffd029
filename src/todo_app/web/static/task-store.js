// The tasks on the page and the two counters, kept in step with the API. Every change shows at once
// and is rolled back if the API refuses it; a load never overwrites a change still on its way. Each
// change of one task is sent with the version it was made on, after any change of the same task
// still on its way (task-turns.js); events from other devices are applied by remote-changes.js.
// The page listens: onChange() after every change of state, onRekey(from, to) when a task shown
// under a temporary id gets the server's, onError(error, prefix) on a failure, onError(null) when
// an action starts (the last failure no longer applies), onSettled() when every change is answered,
// onConflict(task, kind) when a change was not made because the task had changed elsewhere.

import { ApiError, Changed, SessionExpired, request, total } from "./api.js";
import { deleteAllCompleted, setAllCompleted } from "./bulk.js";
import { SHOWN_FIELDS, serverFields } from "./conflict.js";
import { RemoteChanges } from "./remote-changes.js";
import { listPath, matches, sameQuery } from "./task-query.js";
import { TaskTurns } from "./task-turns.js";
import { restoreFromTrash } from "./trash.js";
import { WriteQueue } from "./write-queue.js";

const PAGE_SIZE = 50;
const MAX_PAGE = 500; // the API's largest page: a background refresh keeps what was loaded, up to this
const BLANK = { description: null, completed: false, completed_at: null, due_date: null, due_time: null, priority: "none", tags: [], recurrence: null, reminders: [] };
const STEP_FIELDS = ["completed", "due_date", "due_time", "recurrence"]; // what completing or skipping depends on

// The next page's address from `Link: <...>; rel="next"`, as a path on this origin.
function nextPage(headers) {
  const link = /<([^>]*)>\s*;\s*rel="?next"?/.exec(headers.get("Link") ?? "");
  if (!link) return null;
  const url = new URL(link[1], location.href);
  return url.pathname + url.search;
}

// A failure the person can act on where they made the change (not an ended session).
const refusal = (error) => error instanceof ApiError && !(error instanceof SessionExpired);

export class TaskStore {
  // query: see task-query.js; clock(): the day and time now in the person's zone (dates.js).
  constructor({ query, clock, onChange, onRekey, onError, onSettled, onConflict, onRemote }) {
    Object.assign(this, { query, clock, onChange, onRekey, onError, onSettled, onConflict });
    Object.assign(this, { items: [], next: null, loading: true, active: 0, completed: 0 });
    this.loads = 0; // every load: only the latest one's answer is shown
    this.queries = 0; // loads that are not in the background: "Load more" continues the last one
    this.pages = 0; // pages added by "Load more"
    this.temporary = 0;
    this.reloadWhenIdle = false;
    this.whenSettled = []; // settled() promises waiting for the changes on their way
    this.writes = new WriteQueue({ onBusy: () => this.onChange(), onIdle: () => this.idle() });
    this.turns = new TaskTurns(this.writes);
    this.remote = new RemoteChanges(this, { onRemote });
  }

  // The page has gone (signed out): nothing more is loaded.
  close() {
    this.closed = true;
    this.remote.close();
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
      const quiet = this.reloadWhenIdle === "quiet";
      this.reloadWhenIdle = false;
      this.load({ quiet });
    }
    this.remote.flush(); // events that waited for this page's own changes to be answered
    this.onChange(); // saved
    this.onSettled();
    for (const resolve of this.whenSettled.splice(0)) resolve();
  }

  // Resolves once every change on its way has been answered (or after `ms`, whichever is first).
  settled(ms = 5000) {
    if (!this.writes.busy) return Promise.resolve();
    return new Promise((resolve) => {
      this.whenSettled.push(resolve);
      setTimeout(resolve, ms);
    });
  }

  // quiet: in the background (a change made elsewhere), keeping as many tasks as are shown, without
  // showing the list as loading, or a failure.
  async load({ quiet = false } = {}) {
    if (this.closed) return;
    const ticket = ++this.loads; // a later load (another query) wins over this one
    if (!quiet) this.queries += 1;
    const pages = this.pages;
    if (this.writes.busy) {
      // The server may answer before it has applied a change on its way: load once they are all in.
      this.loadWhenIdle(quiet);
      return;
    }
    const started = this.writes.started;
    if (!quiet) this.loading = true;
    const limit = quiet ? Math.min(Math.max(this.items.length, PAGE_SIZE), MAX_PAGE) : PAGE_SIZE;
    this.remote.loadStarted();
    try {
      const get = (path) => request("GET", path, { background: quiet });
      const [page, active, completed] = await Promise.all([
        get(listPath(this.query, this.clock(), limit)),
        get("/tasks?limit=1&completed=false"),
        get("/tasks?limit=1&completed=true"),
      ]);
      if (ticket !== this.loads) return;
      if (quiet && pages !== this.pages) return this.remote.refresh(); // keep the page just added
      if (started !== this.writes.started) {
        // A change went out while this was loading: this answer may predate it. Ask again later.
        if (this.writes.busy) this.loadWhenIdle(quiet);
        else this.load({ quiet });
        return;
      }
      Object.assign(this, { items: page.data, next: nextPage(page.headers) });
      this.active = total(active.headers);
      this.completed = total(completed.headers);
      this.remote.loaded(); // events that came while this was on its way are newer, or the same
    } catch (error) {
      // In the background, a failure (even of the session) waits for the person's next action to show.
      if (ticket === this.loads) {
        this.remote.loadFailed();
        if (!quiet) this.onError(error, "Could not load your tasks");
      }
    } finally {
      if (ticket === this.loads) {
        this.loading = false;
        this.onChange();
      }
    }
  }

  loadWhenIdle(quiet) {
    this.reloadWhenIdle = quiet && this.reloadWhenIdle !== true ? "quiet" : true;
  }

  // What is already known to belong to the new query stays (in place) until the server's answer.
  setQuery(query) {
    const same = sameQuery(query, this.query);
    this.query = query;
    if (same) return;
    Object.assign(this, { items: this.items.filter((t) => this.matches(t)), next: null, loading: true });
    this.onChange();
    return this.load();
  }

  // Fetches the next page; returns the first task it adds to the list, if any.
  async loadMore() {
    const ticket = this.queries;
    if (!this.next) return null;
    try {
      const { data, headers } = await request("GET", this.next);
      if (ticket !== this.queries) return null;
      this.pages += 1;
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
        this.remote.saw(data);
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

  // base: the task as the person saw it when they made the change (an editor keeps the one it
  // opened on), sent as If-Match so that what changed elsewhere since is never overwritten. A toggle
  // has none: it sets one field to what the person chose, and whatever happened to that field
  // elsewhere, the merge of the two is that value (a precondition would only cost a 412 and a resend).
  // onRefused(error): the API refused the change (a 422, say): the caller shows why, not the page.
  // Resolves to whether the change was saved.
  async update(task, changes, failure, base = null, { onRefused = null } = {}) {
    if (task.pending) return false;
    this.onError(null);
    const index = this.items.indexOf(task);
    const local = changes.due_date === null ? { ...changes, due_time: null } : changes; // as the server does
    const before = Object.fromEntries(Object.keys(local).map((key) => [key, task[key]]));
    this.setLocal(task, local, index);
    return this.turns.run(task.id, async () => {
      try {
        const send = (version) => request("PATCH", `/tasks/${task.id}`, { body: changes, ifMatch: version });
        const { data } = base ? await this.turns.sendOn(base, Object.keys(local), send) : await send(undefined);
        this.remote.saw(data);
        // A later change of this task is on its way: until it is answered, its values stay shown.
        if (this.turns.more(task.id)) task.version = data.version;
        else this.setLocal(task, serverFields(data), index);
        return true;
      } catch (error) {
        if (error instanceof Changed) this.overruled(task, error.task, index, "changed");
        else {
          this.setLocal(task, before, index);
          if (onRefused && refusal(error)) onRefused(error);
          else this.onError(error, failure);
        }
        return false;
      }
    });
  }

  // A step in a repeating task's series: "complete" (done this time) or "skip" (not this time). The
  // server decides the next date, so the task moves when it answers (task.stepping says which step is
  // on its way meanwhile), to its next occurrence, or completed when the series has ended. Sent with
  // the version the task has when its turn comes, so a step already taken elsewhere is not taken
  // twice. Resolves to the task as the server has it; null if not taken (onRefused(error), if given,
  // hears why the API refused it).
  async step(task, kind, failure, { onRefused = null } = {}) {
    if (task.pending || task.stepping) return null;
    this.onError(null);
    task.stepping = kind;
    this.onChange();
    return this.turns.run(task.id, async () => {
      const base = { ...task };
      const path = `/tasks/${task.id}`;
      const send = (version) =>
        kind === "skip"
          ? request("POST", `${path}/skip`, { ifMatch: version })
          : request("PATCH", path, { body: { completed: true }, ifMatch: version });
      try {
        const { data } = await this.turns.sendOn(base, STEP_FIELDS, send);
        this.remote.saw(data);
        delete task.stepping;
        // A later change of this task is on its way: its values stay shown, the step's own are applied.
        const moved = ["version", "completed_at", ...STEP_FIELDS].map((key) => [key, data[key]]);
        this.setLocal(task, this.turns.more(task.id) ? Object.fromEntries(moved) : serverFields(data), this.items.indexOf(task));
        return data;
      } catch (error) {
        delete task.stepping;
        if (error instanceof Changed) this.overruled(task, error.task, this.items.indexOf(task), "changed");
        else if (onRefused && refusal(error)) onRefused(error);
        else this.onError(error, failure);
        this.onChange();
        return null;
      }
    });
  }

  // The change was not made: the task as the server has it, and a word to the person.
  overruled(task, current, index, kind) {
    this.remote.saw(current);
    this.setLocal(task, serverFields(current), index);
    this.onConflict(task, kind);
  }

  // Apply values to a task shown (or hidden by the query), keeping the counters right.
  setLocal(task, values, index, render = true) {
    if ("completed" in values && values.completed !== task.completed) {
      this.active += values.completed ? -1 : 1;
      this.completed += values.completed ? 1 : -1;
    }
    Object.assign(task, values);
    const visible = this.matches(task);
    const at = this.items.indexOf(task);
    if (!visible && at >= 0) this.items.splice(at, 1);
    else if (visible && at < 0) this.items.splice(Math.min(Math.max(index, 0), this.items.length), 0, task);
    if (render) this.onChange();
  }

  // Moves the task to the trash. Resolves to whether it went (a refusal puts it back where it was).
  async remove(task) {
    if (task.pending) return false;
    this.onError(null);
    const base = { ...task };
    const index = this.items.indexOf(task);
    this.items.splice(index, 1);
    this.adjustCounts(task, -1);
    this.onChange();
    return this.turns.run(task.id, async () => {
      let version = base.version; // the one the delete was made on, in the end
      const send = (on) => {
        version = on;
        return request("DELETE", `/tasks/${task.id}`, { ifMatch: on });
      };
      try {
        await this.turns.sendOn(base, SHOWN_FIELDS, send);
        this.remote.sawDeleted(task.id, version); // what events older than the delete say is past
        return true;
      } catch (error) {
        if (error.status === 404) return true; // already gone
        this.items.splice(Math.min(index, this.items.length), 0, task);
        this.adjustCounts(task, 1);
        if (error instanceof Changed) this.overruled(task, error.task, index, "deleted");
        else {
          this.onChange();
          this.onError(error, "Could not delete the task");
        }
        return false;
      }
    });
  }

  // Takes tasks out of the trash. `places` (id -> index) puts each back where it was shown; a
  // bulk restore then reloads, as tasks not on the page came back too. Resolves to the tasks
  // restored, and the first error other than "not in the trash" (which changes nothing).
  async restore(ids, { places = new Map(), bulk = false } = {}) {
    this.onError(null);
    if (bulk && ids.length) this.reloadWhenIdle = true; // once every one is answered
    const one = (id) =>
      this.turns.run(id, async () => {
        const { data } = await restoreFromTrash(id);
        this.remote.saw(data);
        this.adjustCounts(data, 1);
        const index = places.get(id);
        const shown = this.find(id);
        if (shown) this.setLocal(shown, serverFields(data), this.items.indexOf(shown));
        if (shown || !this.matches(data)) return data;
        if (index !== undefined) this.items.splice(Math.min(index, this.items.length), 0, data);
        else if (!this.remote.placedExactly() || !this.remote.place(data)) this.remote.refresh();
        this.onChange();
        return data;
      });
    const results = await Promise.allSettled(ids.map(one));
    const failed = results.find((r) => r.status === "rejected" && r.reason.status !== 404);
    return { restored: results.filter((r) => r.status === "fulfilled").map((r) => r.value), error: failed?.reason ?? null };
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

  // Resolves to how many tasks went to the trash (null if refused), and the ids and places of
  // those that were shown.
  async clearCompleted() {
    const shown = new Map(this.items.filter((t) => t.completed && !t.pending).map((t) => [t.id, this.items.indexOf(t)]));
    const show = () => {
      this.items = this.items.filter((t) => !t.completed);
      this.completed = 0;
    };
    const answer = await this.bulk(show, deleteAllCompleted, "Could not clear every completed task");
    return { deleted: answer?.data?.deleted ?? null, shown };
  }

  // Bulk actions show at once and reach the server in turn (see WriteQueue); then the server's truth
  // is loaded either way: tasks not on the page changed too, and a refusal changed nothing.
  async bulk(show, send, failure) {
    this.onError(null);
    show();
    this.onChange();
    return this.writes.run(
      async () => {
        try {
          return await send();
        } catch (error) {
          this.onError(error, failure);
          return null;
        } finally {
          this.reloadWhenIdle = true;
        }
      },
      { bulk: true },
    );
  }
}
