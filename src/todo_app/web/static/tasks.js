// The task page: TodoMVC behaviour on top of the JSON API, one page of tasks at a time, found by view,
// search, tag and sort (all in the URL hash), or the trash (#/trash). The store keeps the tasks and
// talks to the API, and applies what changes elsewhere as it happens (live-events.js); this page shows
// them, one list item per task kept by id, and owns focus and the one editor that may be open.

import { ApiError, EXPIRED, SessionExpired, request } from "./api.js";
import { ConflictNotes } from "./conflict.js";
import { clockIn } from "./dates.js";
import { h } from "./dom.js";
import { KeyedList } from "./keyed-list.js";
import { LiveEvents } from "./live-events.js";
import { NotificationCenter } from "./notifications.js";
import { QuickAdd } from "./quick-add.js";
import { TaskEditing } from "./task-editing.js";
import { TaskItem } from "./task-item.js";
import { isDated, parseHash, toHash } from "./task-query.js";
import { SeriesSteps, repeats } from "./task-series.js";
import { TaskStore } from "./task-store.js";
import { Toast } from "./toast.js";
import { Toolbar } from "./toolbar.js";
import { TopBar } from "./topbar.js";
import { TrashView, isTrash } from "./trash-view.js";
import { Undo } from "./undo.js";

const TICK_MS = 30_000; // how often "Overdue" and "today" are looked at again
const REVEAL_PAGES = 20; // how far down the list a notification's task is looked for
const EMPTY = {
  all: "No tasks yet.",
  active: "Nothing left to do.",
  completed: "No completed tasks.",
  today: "Nothing due today.",
  upcoming: "Nothing due in the next 7 days.",
  overdue: "Nothing overdue.",
};

export class TaskPage {
  // zone: the profile's time zone; hash: what the URL asks to see (task-query.js, or the trash).
  constructor({ email, zone, hash, onSignedOut }) {
    const query = parseHash(hash);
    Object.assign(this, { email, zone, query, onSignedOut, focusAfter: null });
    this.clock = () => clockIn(this.zone);
    this.now = this.clock();
    this.store = new TaskStore({
      query,
      clock: this.clock,
      onChange: () => this.render(),
      onRekey: (from, to) => this.taskItems.rekey(from, to),
      onError: (error, prefix) => this.fail(error, prefix),
      onSettled: () => this.toolbar.refreshTags(),
      onConflict: (task, kind) => this.notes.conflict(task, kind),
      onRemote: (changes) => this.notes.changedElsewhere(changes),
    });
    this.live = new LiveEvents({
      onEvents: (events) => {
        this.store.remote.receive(events);
        this.trash.refresh();
      },
      onReset: () => {
        this.store.remote.reset();
        this.trash.refresh();
      },
    });
    // A handler may hold a task object a reload has since replaced: act on the task as it is now.
    const live = (action) => (task, ...args) => action(this.store.find(task.id) ?? task, ...args);
    const actions = {
      toggle: live((task) => {
        this.notes.drop(task);
        if (repeats(task)) this.series.complete(task); // it moves on to its next date instead
        else this.store.update(task, { completed: !task.completed }, "Could not update the task");
      }),
      skip: live((task) => this.series.skip(task)),
      remove: live((task) => this.remove(task)),
      dismissNote: live((task) => this.notes.drop(task, true)),
      startEdit: live((task, field) => this.editing.start(task, field)),
      cancelEdit: live((task, field) => this.editing.end(task, field)),
      commitTitle: live((task, value, refocus) => this.editing.commitTitle(task, value, refocus)),
      commitDetails: live((task, changes) => this.editing.commitDetails(task, changes)),
      showTag: (tag) => this.setQuery({ tag }, "push"),
      zone: () => this.zone,
      clock: () => this.clock(),
      fail: (error) => this.fail(error),
    };
    this.build();
    this.taskItems = new KeyedList(this.list, {
      key: (task) => task.id,
      create: () => new TaskItem(actions),
      update: (item, task) => item.update(task, this.editing.of(task), this.now, this.notes.get(task.id)),
    });
    this.undo = new Undo({
      store: this.store,
      toast: this.toast,
      focusTask: (id) => this.focusOn(id),
      fail: (error, prefix) => this.fail(error, prefix),
    });
    this.notes = new ConflictNotes({
      toast: this.toast,
      render: (id) => this.focusOn(id),
      editing: () => this.editing.id,
      restore: (id) => this.undo.restore([id], new Map()),
    });
    this.editing = new TaskEditing({
      store: this.store,
      notes: this.notes,
      show: (focus) => {
        this.focusAfter = focus;
        this.render();
      },
      remove: (task) => this.remove(task),
    });
    this.series = new SeriesSteps({
      store: this.store,
      toast: this.toast,
      clock: this.clock,
      stepped: (task) => {
        this.editing.stepped(task);
        this.taskItems.get(task.id)?.stepped(task);
      },
    });
    this.toolbar.set(this.query);
    this.render();
    this.route(hash);
    this.ticker = setInterval(() => this.tick(), TICK_MS);
  }

  // Where a person starts: typing a new task, or at the top of the trash.
  focusStart() {
    (this.trash.shown ? this.trash.heading : this.newTask).focus();
  }

  // Signed out: no more events, no more ticks, no more loads.
  close() {
    this.live.stop();
    this.notifications.stop();
    this.store.close();
    clearInterval(this.ticker);
  }

  build() {
    this.alert = h("p", { class: "alert", role: "alert" });
    this.quickAdd = new QuickAdd({ zone: this.zone, onAdd: (text, preview) => this.add(text, preview), onError: (e) => this.fail(e) });
    this.newTask = this.quickAdd.input;
    this.toggleAll = h("input", {
      id: "toggle-all",
      type: "checkbox",
      class: "toggle-all",
      onChange: () => this.store.markAll(this.toggleAll.checked),
    });
    this.list = h("ul", { class: "task-list", "aria-label": "Tasks" });
    this.empty = h("p", { class: "empty", role: "status" });
    this.more = h("button", { type: "button", class: "more", hidden: true, onClick: () => this.loadMore() }, "Load more");
    this.count = h("span", { class: "count" });
    this.clear = h("button", { type: "button", class: "clear", onClick: () => this.undo.cleared(this.store.clearCompleted()) }, "Clear completed");
    this.toolbar = new Toolbar({ onQuery: (changes, how) => this.setQuery(changes, how), onError: (e) => this.fail(e) });
    this.toast = new Toast({ onLeave: () => this.focusStart() });
    this.trash = new TrashView({
      zone: () => this.zone,
      restore: (id) => this.store.restore([id]),
      onError: (error) => this.fail(error),
      say: (text) => this.toast.show(text, { duration: 3000 }),
    });
    this.notifications = new NotificationCenter({
      email: this.email,
      zone: () => this.zone,
      openTask: (notification) => this.reveal(notification),
      onError: (error) => this.fail(error),
    });
    this.topbar = new TopBar({
      bell: this.notifications.button,
      email: this.email,
      zone: this.zone,
      onZone: (zone) => this.changeZone(zone),
      beforeSignOut: () => this.store.settled(),
      onSignedOut: () => this.onSignedOut(),
    });
    const markAllLabel = h("span", { class: "visually-hidden" }, "Mark all as complete");
    this.footer = h("footer", { class: "footer" }, this.count, this.clear);
    this.card = h(
      "section",
      { class: "card todoapp", "aria-label": "Your tasks" },
      this.alert,
      h("div", { class: "new-row" }, this.toggleAll, h("label", { for: "toggle-all", class: "toggle-all-label", title: "Mark all as complete" }, markAllLabel), this.quickAdd.element),
      this.toolbar.activeTag,
      this.list,
      this.empty,
      this.more,
      this.footer,
    );
    this.element = h(
      "div",
      { class: "todo-page", onClick: (e) => this.follow(e) },
      this.topbar.element,
      this.notifications.element,
      h("h1", {}, "todos"),
      this.toolbar.element,
      this.card,
      this.trash.element,
      this.toast.element,
    );
  }

  // A link within the page (a view, the trash) is routed in the same moment as the click, before
  // any key pressed after it: the browser's own hashchange would come later. (Back and Forward
  // still come as hashchange; a click meant for a new tab is left to the browser.)
  follow(event) {
    const link = event.target instanceof Element ? event.target.closest("a[href^='#/']") : null;
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    const hash = link.getAttribute("href");
    if (hash !== location.hash) history.pushState(null, "", hash);
    this.route(hash);
  }

  load() {
    this.live.start();
    this.notifications.start();
    this.toolbar.refreshTags();
    return this.store.load();
  }

  // What the URL now asks for (a link followed, Back or Forward): the trash, or a list of tasks.
  route(hash) {
    const trash = isTrash(hash);
    const leaving = this.trash.shown && !trash;
    this.topbar.showing(trash ? "trash" : "tasks");
    for (const part of [this.toolbar.element, this.card]) part.hidden = trash;
    if (trash) this.trash.show(toHash(this.query));
    else {
      this.trash.hide();
      const loading = this.setRoute(parseHash(hash));
      if (leaving) this.newTask.focus();
      return loading;
    }
  }

  // Resolves once the list is loaded for the query (at once when it already is).
  setRoute(query) {
    this.query = query;
    this.toolbar.set(this.query);
    return this.store.setQuery(query);
  }

  // A control on the page changes the query, and the URL with it: "push" makes a step Back undoes.
  // (Changes go on top of the URL as it is: a link followed a moment ago may not be routed yet.)
  setQuery(changes, how) {
    const query = { ...(isTrash(location.hash) ? this.query : parseHash(location.hash)), ...changes };
    const hash = toHash(query);
    if (hash !== location.hash) history[how === "push" ? "pushState" : "replaceState"](null, "", hash);
    return this.route(hash);
  }

  // A notification's task, focused in the list: in the view shown, or else in All (loading more of it
  // as needed). A task deleted since is said to be gone.
  async reveal({ task_id: id, title }) {
    const gone = () => this.toast.show(`“${title}” is no longer in your list.`, { duration: 4000 });
    if (id === null) return gone();
    if (this.trash.shown || !this.store.find(id)) {
      try {
        await request("GET", `/tasks/${id}`);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) gone();
        else this.fail(error, "Could not show the task");
        return;
      }
      await this.setQuery(this.store.find(id) ? {} : { view: "all", q: "", tag: "" }, "push");
      for (let pages = 0; !this.store.find(id) && this.store.next && pages < REVEAL_PAGES; pages++) await this.store.loadMore();
    }
    if (this.store.find(id)) this.focusOn(id);
  }

  async loadMore() {
    if (this.more.disabled) return;
    this.more.disabled = true;
    try {
      const first = await this.store.loadMore();
      if (first) this.taskItems.get(first.id)?.focus("toggle");
    } finally {
      this.more.disabled = false;
    }
  }

  // Brings the page in line with the store. Items are updated in place, so focus, an open editor,
  // its caret and its draft all stay as they are; only an explicit request (focusAfter) moves focus.
  render() {
    const { store } = this;
    this.editing.forgetGone();
    const hadFocus = this.list.contains(document.activeElement);
    this.now = this.clock();
    this.taskItems.render(store.items);
    if (store.saving || store.loading) this.list.setAttribute("aria-busy", "true");
    else this.list.removeAttribute("aria-busy");
    const n = store.active;
    this.count.replaceChildren(h("strong", {}, String(n)), ` ${n === 1 ? "item" : "items"} left`);
    const any = store.active + store.completed > 0;
    this.footer.hidden = !any;
    this.toggleAll.disabled = !any;
    this.toggleAll.checked = any && store.active === 0;
    this.clear.hidden = store.completed === 0;
    this.more.hidden = !store.next;
    const empty = !store.loading && store.items.length === 0 && !store.next;
    const text = this.query.q.trim() || this.query.tag ? "No tasks match." : EMPTY[this.query.view];
    if (this.empty.textContent !== (empty ? text : "")) this.empty.textContent = empty ? text : "";
    const [id, control] = this.focusAfter ?? [];
    this.focusAfter = null;
    const item = id === undefined ? null : this.taskItems.get(id);
    if (item) item.focus(control);
    else if ((id !== undefined || hadFocus) && !this.element.contains(document.activeElement)) this.newTask.focus();
  }

  // Renders, putting focus on that task's checkbox (if given).
  focusOn(id) {
    if (id !== undefined) this.focusAfter = [id, "toggle"];
    this.render();
  }

  // Every half minute: tasks due a moment ago say "Overdue"; after midnight, the dated views move on.
  tick() {
    if (!this.element.isConnected) return clearInterval(this.ticker);
    if (this.clock().today !== this.now.today && isDated(this.query.view)) this.store.load();
    else this.render();
  }

  async add(text, preview) {
    try {
      const task = await this.store.add(text, preview);
      if (!this.store.find(task.id)) this.quickAdd.say(`Added “${task.title}”, which this view does not show.`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) this.quickAdd.refused(text, error.message);
      else this.fail(error, "Could not add the task");
    }
  }

  // Deleting moves focus to the next task (or the one before, or the new-task field), and can be undone.
  remove(task) {
    if (task.pending) return;
    const { items } = this.store;
    const index = items.indexOf(task);
    const next = items[index + 1] ?? items[index - 1];
    this.focusAfter = next ? [next.id, "toggle"] : null;
    this.notes.drop(task);
    this.undo.deleted(task, index, this.store.remove(task));
    if (!next) this.newTask.focus();
  }

  async changeZone(zone) {
    this.fail(null);
    try {
      const { data } = await request("PATCH", "/auth/me", { body: { timezone: zone } });
      this.zone = this.quickAdd.zone = data.timezone;
      this.store.load(); // "today" and "overdue" have moved
    } catch (error) {
      this.fail(error, "Could not change the time zone");
      throw error;
    }
  }

  // error null: an action has started, and the last failure no longer applies.
  fail(error, prefix) {
    if (error === null) {
      this.alert.textContent = "";
      return;
    }
    if (error instanceof SessionExpired) {
      this.onSignedOut(EXPIRED);
      return;
    }
    const message = error instanceof ApiError ? error.message : "Something went wrong";
    this.alert.textContent = `${prefix}. ${message}`;
  }
}
