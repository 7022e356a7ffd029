// The task page: TodoMVC behaviour on top of the JSON API, one page of tasks at a time. The store keeps
// the tasks and talks to the API; this page shows them, one list item per task kept by id, and owns
// focus and the one editor that may be open.

import { ApiError, EXPIRED, SessionExpired, request, session } from "./api.js";
import { h } from "./dom.js";
import { KeyedList } from "./keyed-list.js";
import { TaskItem } from "./task-item.js";
import { TaskStore } from "./task-store.js";

const FILTERS = [
  ["all", "#/", "All"],
  ["active", "#/active", "Active"],
  ["completed", "#/completed", "Completed"],
];

export class TaskPage {
  constructor({ email, filter, onSignedOut }) {
    Object.assign(this, { email, onSignedOut, editing: null, focusAfter: null });
    this.store = new TaskStore({
      filter,
      onChange: () => this.render(),
      onRekey: (from, to) => this.taskItems.rekey(from, to),
      onError: (error, prefix) => this.fail(error, prefix),
    });
    // A handler may hold a task object a reload has since replaced: act on the task as it is now.
    const live = (action) => (task, ...args) => action(this.store.find(task.id) ?? task, ...args);
    const actions = {
      toggle: live((task) => this.store.update(task, { completed: !task.completed }, "Could not update the task")),
      remove: live((task) => this.remove(task)),
      startEdit: live((task, field) => this.startEdit(task, field)),
      cancelEdit: live((task, field) => this.endEdit(task, field)),
      commitTitle: live((task, value, refocus) => this.commitTitle(task, value, refocus)),
      commitDescription: live((task, value) => this.commitDescription(task, value)),
    };
    this.build();
    this.taskItems = new KeyedList(this.list, {
      key: (task) => task.id,
      create: () => new TaskItem(actions),
      update: (item, task) => item.update(task, this.editingOf(task)),
    });
    this.render();
  }

  build() {
    this.alert = h("p", { class: "alert", role: "alert" });
    this.newTask = h("input", {
      id: "new-task",
      class: "new-task",
      placeholder: "What needs to be done?",
      autocomplete: "off",
      maxlength: 200,
      onKeydown: (e) => this.onNewTaskKey(e),
    });
    this.toggleAll = h("input", {
      id: "toggle-all",
      type: "checkbox",
      class: "toggle-all",
      onChange: () => this.store.markAll(this.toggleAll.checked),
    });
    this.list = h("ul", { class: "task-list", "aria-label": "Tasks" });
    this.more = h("button", { type: "button", class: "more", hidden: true, onClick: () => this.loadMore() }, "Load more");
    this.count = h("span", { class: "count" });
    this.filterLinks = FILTERS.map(([name, href, text]) => h("a", { href, dataset: { filter: name } }, text));
    this.clear = h("button", { type: "button", class: "clear", onClick: () => this.store.clearCompleted() }, "Clear completed");
    this.footer = h(
      "footer",
      { class: "footer" },
      this.count,
      h("nav", { "aria-label": "Filter" }, h("ul", { class: "filters" }, this.filterLinks.map((a) => h("li", {}, a)))),
      this.clear,
    );
    this.signOutButton = h("button", { type: "button", class: "signout", onClick: () => this.signOut() }, "Sign out");
    this.element = h(
      "div",
      { class: "todo-page" },
      h("header", { class: "topbar" }, h("span", { class: "who" }, "Signed in as ", h("strong", {}, this.email)), this.signOutButton),
      h(
        "section",
        { class: "card todoapp" },
        h("h1", {}, "todos"),
        this.alert,
        h(
          "div",
          { class: "new-row" },
          this.toggleAll,
          h("label", { for: "toggle-all", class: "toggle-all-label", title: "Mark all as complete" }, h("span", { class: "visually-hidden" }, "Mark all as complete")),
          h("label", { for: "new-task", class: "visually-hidden" }, "New task"),
          this.newTask,
        ),
        this.list,
        this.more,
        this.footer,
      ),
    );
  }

  load() {
    return this.store.load();
  }

  setFilter(filter) {
    if (filter === this.store.filter) return;
    this.editing = null;
    this.store.setFilter(filter);
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
    this.taskItems.render(store.items);
    if (store.saving) this.list.setAttribute("aria-busy", "true");
    else this.list.removeAttribute("aria-busy");
    const n = store.active;
    this.count.replaceChildren(h("strong", {}, String(n)), ` ${n === 1 ? "item" : "items"} left`);
    const any = store.active + store.completed > 0;
    this.footer.hidden = !any;
    this.toggleAll.disabled = !any;
    this.toggleAll.checked = any && store.active === 0;
    this.clear.hidden = store.completed === 0;
    this.more.hidden = store.items.length >= store.total;
    for (const link of this.filterLinks) {
      const current = link.dataset.filter === store.filter;
      link.classList.toggle("selected", current);
      if (current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    const [id, control] = this.focusAfter ?? [];
    this.focusAfter = null;
    const item = id === undefined ? null : this.taskItems.get(id);
    if (item) item.focus(control);
    else if ((id !== undefined || hadFocus) && !this.element.contains(document.activeElement)) this.newTask.focus();
  }

  editingOf(task) {
    return this.editing && this.editing.id === task.id ? this.editing : null;
  }

  onNewTaskKey(event) {
    if (event.key !== "Enter" || event.isComposing) return;
    const title = this.newTask.value.trim();
    this.newTask.value = "";
    if (title) this.store.add(title);
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
    if (refocus) this.focusAfter = [task.id, field === "title" ? "title" : "describe"];
    this.render();
    return true;
  }

  commitTitle(task, value, refocus = true) {
    if (!this.endEdit(task, "title", refocus)) return; // Escape, or Enter followed by blur
    const title = value.trim();
    if (!title) this.remove(task);
    else if (title !== task.title) this.store.update(task, { title }, "Could not rename the task");
  }

  commitDescription(task, value) {
    if (!this.endEdit(task, "description")) return;
    const description = value.trim() ? value : null;
    if (description !== task.description) this.store.update(task, { description }, "Could not save the description");
  }

  async signOut() {
    this.signOutButton.disabled = true;
    try {
      await request("POST", "/auth/logout");
    } catch {
      // signed out locally either way
    }
    session.clear();
    this.onSignedOut();
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
