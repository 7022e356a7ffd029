// Changes made elsewhere (live-events.js), applied to the store in place by id. They wait while this
// page's own changes are on their way: those answers come first, and an event carrying a version the
// page already has (its own change, come back) changes nothing. Where the page cannot tell exactly
// where a task goes or what the counters become (a sort other than by creation, a search, a task it
// has not loaded), it loads the list again in the background, which updates items in place too.

import { serverFields } from "./conflict.js";

const REFRESH_MS = 100; // a burst of changes (a bulk change elsewhere) is one background load

// The change number in an event id (the sync cursor, "d<change>-<task id>.<signature>"): it orders a
// deletion, which carries no task, against the versions the page has. Null if it reads otherwise.
export function changeNumber(eventId) {
  const match = /^d(\d+)-\d+\./.exec(eventId ?? "");
  return match ? Number(match[1]) : null;
}

export class RemoteChanges {
  // onRemote({ updated, deleted }): tasks changed or deleted elsewhere, as the page showed them.
  constructor(store, { onRemote = () => {} } = {}) {
    Object.assign(this, { store, onRemote });
    this.waiting = [];
    this.known = new Map(); // task id -> { version, trashed }: the latest this page has seen of it
    this.sinceLoad = null; // events that came while a load is on its way: applied to its answer
    this.timer = null;
  }

  saw(task) {
    this.known.set(task.id, { version: task.version, trashed: false });
  }

  // version: the task's when it was deleted (an event for that version or older is past).
  sawDeleted(id, version = this.known.get(id)?.version ?? 0) {
    this.known.set(id, { version, trashed: true });
  }

  // events: [{ type, data, id }] in the order the server sent them.
  receive(events) {
    this.waiting.push(...events);
    this.flush();
  }

  // While a load is on its way, events wait for its answer and are applied on top of it: applied
  // now, one older than a change this page has just made (a bulk change, which answers with no
  // versions) would show that task as it was before, until the answer came.
  flush() {
    if (this.store.writes.busy || this.waiting.length === 0) return;
    const events = this.waiting.splice(0);
    if (this.sinceLoad) this.sinceLoad.push(...events);
    else this.apply(events, true);
  }

  // Start over (the stream was reset, or reopened without catching up): load what is there now.
  reset() {
    this.waiting = [];
    this.known.clear();
    this.refresh();
  }

  // A load replacing one still on its way keeps the events that wait for an answer.
  loadStarted() {
    this.sinceLoad ??= [];
  }

  loaded() {
    const held = this.sinceLoad ?? [];
    this.sinceLoad = null;
    for (const task of this.store.items) if (!task.pending) this.saw(task);
    if (held.length) {
      this.apply(held, true); // what the answer already has changes nothing
      this.refresh(); // the counters may or may not include them
    }
  }

  // The load failed: the events that waited for it are applied as they are.
  loadFailed() {
    const held = this.sinceLoad ?? [];
    this.sinceLoad = null;
    if (held.length) this.apply(held, true);
  }

  close() {
    clearTimeout(this.timer);
    this.waiting = [];
  }

  refresh() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.store.load({ quiet: true }), REFRESH_MS);
  }

  // tell: say what changed (onRemote) before the page shows it: an editor open on a task that is
  // now gone can still say which.
  apply(events, tell = false) {
    const { store } = this;
    const updated = [];
    const deleted = [];
    let unsure = false;
    for (const { type, data, id } of events) {
      const task = store.find(data.id);
      const known = task && !task.pending ? { version: task.version, trashed: false } : this.known.get(data.id);
      if (type === "task.deleted") {
        const change = changeNumber(id);
        if (known?.trashed || (change !== null && known && known.version > change)) continue; // seen, or older
        this.sawDeleted(data.id, change ?? known?.version);
        if (!task) unsure = true; // open or done: the counters cannot tell
        else {
          deleted.push({ ...task });
          store.items.splice(store.items.indexOf(task), 1);
          store.adjustCounts(task, -1);
        }
        continue;
      }
      if (known && known.version >= data.version) continue; // seen, or older than its deletion
      this.saw(data);
      if (task) {
        updated.push(task);
        store.setLocal(task, serverFields(data), store.items.indexOf(task), false);
        if (!this.placedExactly()) unsure = true; // its place may have changed
      } else {
        unsure = true;
        if (store.matches(data) && this.placedExactly()) this.place(data);
      }
    }
    if (unsure) this.refresh();
    if (tell && (updated.length || deleted.length)) this.onRemote({ updated, deleted });
    store.onChange();
  }

  // Whether the list's order is one the page can keep itself: by creation time, without a search.
  placedExactly() {
    const { sort, q } = this.store.query;
    return !q.trim() && (sort === "created" || sort === "-created");
  }

  // Puts a task where a list by creation time has it; not if it belongs to a page not loaded yet.
  place(task) {
    const { store } = this;
    const newestFirst = store.query.sort === "-created";
    const time = (t) => Date.parse(t.created_at);
    const goesBefore = (other) => {
      if (other.pending) return false;
      if (time(task) === time(other)) return task.id > other.id;
      return newestFirst ? time(task) > time(other) : time(task) < time(other);
    };
    let at = store.items.findIndex(goesBefore);
    if (at < 0) {
      if (store.next) return false;
      at = store.items.length;
    }
    store.items.splice(at, 0, task);
    return true;
  }
}
