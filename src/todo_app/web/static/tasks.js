// The task page: TodoMVC behaviour on top of the JSON API, one page of tasks at a time, found by view,
// search, tag and sort (all in the URL hash). The store keeps the tasks and talks to the API; this
// page shows them, one list item per task kept by id, and owns focus and the one editor that may be open.

import { ApiError, EXPIRED, SessionExpired, request } from "./api.js";
import { clockIn } from "./dates.js";
import { h } from "./dom.js";
import { KeyedList } from "./keyed-list.js";
import { QuickAdd } from "./quick-add.js";
import { TaskItem } from "./task-item.js";
import { isDated, toHash } from "./task-query.js";
import { TaskStore } from "./task-store.js";
import { Toolbar } from "./toolbar.js";
import { TopBar } from "./topbar.js";

const TICK_MS = 30_000; // how often "Overdue" and "today" are looked at again
const EMPTY = {
  all: "No tasks yet.",
  active: "Nothing left to do.",
  completed: "No completed tasks.",
  today: "Nothing due today.",
  upcoming: "Nothing due in the next 7 days.",
  overdue: "Nothing overdue.",
};

export class TaskPage {
  // zone: the profile's time zone; query: what the URL hash asks to see (task-query.js).
  constructor({ email, zone, query, onSignedOut }) {
    Object.assign(this, { email, zone, query, onSignedOut, editing: null, focusAfter: null });
    this.clock = () => clockIn(this.zone);
    this.now = this.clock();
    this.store = new TaskStore({
      query,
      clock: this.clock,
      onChange: () => this.render(),
      onRekey: (from, to) => this.taskItems.rekey(from, to),
      onError: (error, prefix) => this.fail(error, prefix),
      onSettled: () => this.toolbar.refreshTags(),
    });
    // A handler may hold a task object a reload has since replaced: act on the task as it is now.
    const live = (action) => (task, ...args) => action(this.store.find(task.id) ?? task, ...args);
    const actions = {
      toggle: live((task) => this.store.update(task, { completed: !task.completed }, "Could not update the task")),
      remove: live((task) => this.remove(task)),
      startEdit: live((task, field) => this.startEdit(task, field)),
      cancelEdit: live((task, field) => this.endEdit(task, field)),
      commitTitle: live((task, value, refocus) => this.commitTitle(task, value, refocus)),
      commitDetails: live((task, changes) => this.commitDetails(task, changes)),
      showTag: (tag) => this.setQuery({ tag }, "push"),
    };
    this.build();
    this.taskItems = new KeyedList(this.list, {
      key: (task) => task.id,
      create: () => new TaskItem(actions),
      update: (item, task) => item.update(task, this.editingOf(task), this.now),
    });
    this.toolbar.set(this.query);
    this.render();
    this.ticker = setInterval(() => this.tick(), TICK_MS);
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
    this.clear = h("button", { type: "button", class: "clear", onClick: () => this.store.clearCompleted() }, "Clear completed");
    this.toolbar = new Toolbar({ onQuery: (changes, how) => this.setQuery(changes, how), onError: (e) => this.fail(e) });
    const topbar = new TopBar({
      email: this.email,
      zone: this.zone,
      onZone: (zone) => this.changeZone(zone),
      onSignedOut: () => this.onSignedOut(),
    });
    const markAllLabel = h("span", { class: "visually-hidden" }, "Mark all as complete");
    this.footer = h("footer", { class: "footer" }, this.count, this.clear);
    this.element = h(
      "div",
      { class: "todo-page" },
      topbar.element,
      h("h1", {}, "todos"),
      this.toolbar.element,
      h(
        "section",
        { class: "card todoapp", "aria-label": "Your tasks" },
        this.alert,
        h("div", { class: "new-row" }, this.toggleAll, h("label", { for: "toggle-all", class: "toggle-all-label", title: "Mark all as complete" }, markAllLabel), this.quickAdd.element),
        this.toolbar.activeTag,
        this.list,
        this.empty,
        this.more,
        this.footer,
      ),
    );
  }

  load() {
    this.toolbar.refreshTags();
    return this.store.load();
  }

  // What the URL now asks for (a link followed, Back or Forward).
  setRoute(query) {
    this.query = query;
    this.toolbar.set(this.query);
    this.store.setQuery(query);
  }

  // A control on the page changes the query, and the URL with it: "push" makes a step Back undoes.
  setQuery(changes, how) {
    const query = { ...this.query, ...changes };
    const hash = toHash(query);
    if (hash !== location.hash) history[how === "push" ? "pushState" : "replaceState"](null, "", hash);
    this.setRoute(query);
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
    // An edit ends when its task leaves the list, before its item does: the editor's own blur on the
    // way out then finds nothing to save.
    if (this.editing && !store.find(this.editing.id)) this.editing = null;
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

  // Every half minute: tasks due a moment ago say "Overdue"; after midnight, the dated views move on.
  tick() {
    if (!this.element.isConnected) return clearInterval(this.ticker);
    if (this.clock().today !== this.now.today && isDated(this.query.view)) this.store.load();
    else this.render();
  }

  editingOf(task) {
    return this.editing && this.editing.id === task.id ? this.editing : null;
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

  // Deleting moves focus to the next task (or the one before, or the new-task field).
  remove(task) {
    if (task.pending) return;
    const { items } = this.store;
    const index = items.indexOf(task);
    const next = items[index + 1] ?? items[index - 1];
    this.focusAfter = next ? [next.id, "toggle"] : null;
    this.store.remove(task);
    if (!next) this.newTask.focus();
  }

  startEdit(task, field) {
    if (task.pending) return;
    this.editing = { id: task.id, field };
    this.focusAfter = [task.id, "editor"];
    this.render();
  }

  // refocus: false when the person has just put focus somewhere else.
  endEdit(task, field, refocus = true) {
    if (!this.editing || this.editing.id !== task.id || this.editing.field !== field) return false;
    this.editing = null;
    if (refocus) this.focusAfter = [task.id, field];
    this.render();
    return true;
  }

  commitTitle(task, value, refocus = true) {
    if (!this.endEdit(task, "title", refocus)) return; // Escape, or Enter followed by blur
    const title = value.trim();
    if (!title) this.remove(task);
    else if (title !== task.title) this.store.update(task, { title }, "Could not rename the task");
  }

  commitDetails(task, changes) {
    if (!this.endEdit(task, "details")) return;
    if (Object.keys(changes).length) this.store.update(task, changes, "Could not save the details");
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
