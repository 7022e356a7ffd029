// The task page: TodoMVC behaviour on top of the JSON API, one page of tasks at a time.
// Every change shows at once and is rolled back, with a message, if the API refuses it.

import { ApiError, EXPIRED, SessionExpired, request, session, total } from "./api.js";
import { deleteAllCompleted, setAllCompleted } from "./bulk.js";
import { h, replaceChildren } from "./dom.js";
import { taskItem } from "./task-item.js";

const PAGE_SIZE = 50;
const FILTERS = [
  ["all", "#/", "All"],
  ["active", "#/active", "Active"],
  ["completed", "#/completed", "Completed"],
];
const QUERY = { all: "", active: "&completed=false", completed: "&completed=true" };

export class TaskPage {
  constructor({ email, filter, onSignedOut }) {
    Object.assign(this, { email, filter, onSignedOut });
    Object.assign(this, { items: [], active: 0, completed: 0, editing: null, focusAfter: null });
    this.loads = 0;
    this.temporary = 0;
    this.writes = { started: 0, pending: 0, reloadWhenIdle: false };
    // Items are rebuilt on every render and the list reloaded now and then: an action always
    // works on the task as it is now, found by id.
    const live = (action) => (task, ...args) => action(this.items.find((t) => t.id === task.id) ?? task, ...args);
    this.actions = {
      toggle: live((task) => this.update(task, { completed: !task.completed }, "Could not update the task")),
      remove: live((task) => this.remove(task)),
      startEdit: live((task, field) => this.startEdit(task, field)),
      cancelEdit: live((task, field) => this.endEdit(task, field)),
      commitTitle: live((task, value) => this.commitTitle(task, value)),
      commitDescription: live((task, value) => this.commitDescription(task, value)),
    };
    this.build();
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
      onChange: () => this.markAll(this.toggleAll.checked),
    });
    this.list = h("ul", { class: "task-list", "aria-label": "Tasks" });
    this.more = h("button", { type: "button", class: "more", hidden: true, onClick: () => this.loadMore() }, "Load more");
    this.count = h("span", { class: "count" });
    this.filterLinks = FILTERS.map(([name, href, text]) => h("a", { href, dataset: { filter: name } }, text));
    this.clear = h("button", { type: "button", class: "clear", onClick: () => this.clearCompleted() }, "Clear completed");
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
    this.render();
  }

  // How many tasks the current filter matches, from the two counters the API keeps exact.
  get total() {
    if (this.filter === "active") return this.active;
    if (this.filter === "completed") return this.completed;
    return this.active + this.completed;
  }

  async load() {
    const ticket = ++this.loads; // a later load (another filter) wins over this one
    const writes = this.writes.started;
    try {
      const [page, active, completed] = await Promise.all([
        request("GET", `/tasks?limit=${PAGE_SIZE}${QUERY[this.filter]}`),
        request("GET", "/tasks?limit=1&completed=false"),
        request("GET", "/tasks?limit=1&completed=true"),
      ]);
      if (ticket !== this.loads) return;
      if (writes !== this.writes.started || this.writes.pending > 0) {
        // A change went out while this was loading: this answer may predate it. Ask again later.
        this.writes.reloadWhenIdle = true;
        if (this.writes.pending === 0) this.load();
        return;
      }
      this.items = page.data;
      this.active = total(active.headers);
      this.completed = total(completed.headers);
      this.render();
    } catch (error) {
      this.fail(error, "Could not load your tasks");
    }
  }

  setFilter(filter) {
    if (filter === this.filter) return;
    Object.assign(this, { filter, items: [], editing: null });
    this.render();
    this.load();
  }

  async loadMore() {
    if (this.more.disabled) return;
    this.more.disabled = true;
    try {
      const offset = this.items.filter((t) => !t.pending).length;
      const { data } = await request("GET", `/tasks?limit=${PAGE_SIZE}&offset=${offset}${QUERY[this.filter]}`);
      const known = new Set(this.items.map((t) => t.id));
      this.items.push(...data.filter((t) => !known.has(t.id)));
      this.focusAfter = data.length ? `toggle-${data[0].id}` : null;
      this.render();
    } catch (error) {
      this.fail(error, "Could not load more tasks");
    } finally {
      this.more.disabled = false;
    }
  }

  render() {
    const focused = this.focusAfter ?? document.activeElement?.dataset?.focusKey;
    this.focusAfter = null;
    const items = this.items.map((task) => taskItem(task, { editing: this.editingOf(task), actions: this.actions }));
    // Chrome blurs a focused editor while removing it, still connected: that blur is not the person
    // leaving the field, and must not save (see commitTitle).
    this.rendering = true;
    try {
      replaceChildren(this.list, items);
    } finally {
      this.rendering = false;
    }
    const n = this.active;
    this.count.replaceChildren(h("strong", {}, String(n)), ` ${n === 1 ? "item" : "items"} left`);
    const any = this.active + this.completed > 0;
    this.footer.hidden = !any;
    this.toggleAll.disabled = !any;
    this.toggleAll.checked = any && this.active === 0;
    this.clear.hidden = this.completed === 0;
    this.more.hidden = this.items.length >= this.total;
    for (const link of this.filterLinks) {
      const current = link.dataset.filter === this.filter;
      link.classList.toggle("selected", current);
      if (current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    const editor = this.list.querySelector(".edit, .describe-form textarea");
    const target = editor ?? (focused && this.list.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`));
    if (target) target.focus();
    else if (focused && !this.element.contains(document.activeElement)) this.newTask.focus();
  }

  editingOf(task) {
    return this.editing && this.editing.id === task.id ? this.editing : null;
  }

  onNewTaskKey(event) {
    if (event.key !== "Enter" || event.isComposing) return;
    const title = this.newTask.value.trim();
    this.newTask.value = "";
    if (title) this.add(title);
  }

  // Every change to the server goes through here, so a reload never overwrites one in flight.
  async write(work) {
    this.writes.started += 1;
    this.writes.pending += 1;
    try {
      return await work();
    } finally {
      this.writes.pending -= 1;
      if (this.writes.pending === 0 && this.writes.reloadWhenIdle) {
        this.writes.reloadWhenIdle = false;
        this.load();
      }
    }
  }

  async add(title) {
    this.alert.textContent = "";
    const temp = { id: `new-${++this.temporary}`, title, description: null, completed: false, pending: true };
    if (this.filter !== "completed") this.items.unshift(temp);
    this.active += 1;
    this.render();
    await this.write(async () => {
      try {
        const { data } = await request("POST", "/tasks", { body: { title } });
        const at = this.items.indexOf(temp);
        if (at >= 0) this.items[at] = data;
        this.render();
      } catch (error) {
        const at = this.items.indexOf(temp);
        if (at >= 0) this.items.splice(at, 1);
        this.active -= 1;
        this.render();
        this.fail(error, "Could not add the task");
      }
    });
  }

  async update(task, changes, failure) {
    if (task.pending) return;
    this.alert.textContent = "";
    const index = this.items.indexOf(task);
    const before = { title: task.title, description: task.description, completed: task.completed };
    this.setLocal(task, changes, index);
    await this.write(async () => {
      try {
        const { data } = await request("PATCH", `/tasks/${task.id}`, { body: changes });
        Object.assign(task, data);
        this.render();
      } catch (error) {
        this.setLocal(task, before, index);
        this.fail(error, failure);
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
    this.render();
  }

  async remove(task) {
    if (task.pending) return;
    this.alert.textContent = "";
    const index = this.items.indexOf(task);
    const next = this.items[index + 1] ?? this.items[index - 1];
    this.items.splice(index, 1);
    this.adjustCounts(task, -1);
    this.focusAfter = next ? `toggle-${next.id}` : null;
    this.render();
    if (!next) this.newTask.focus();
    await this.write(async () => {
      try {
        await request("DELETE", `/tasks/${task.id}`);
      } catch (error) {
        if (error.status === 404) return; // already gone
        this.items.splice(Math.min(index, this.items.length), 0, task);
        this.adjustCounts(task, 1);
        this.render();
        this.fail(error, "Could not delete the task");
      }
    });
  }

  adjustCounts(task, delta) {
    if (task.completed) this.completed += delta;
    else this.active += delta;
  }

  startEdit(task, field) {
    if (task.pending) return;
    const draft = field === "title" ? task.title : (task.description ?? "");
    this.editing = { id: task.id, field, draft };
    this.render();
  }

  endEdit(task, field) {
    if (!this.editing || this.editing.id !== task.id || this.editing.field !== field) return false;
    this.editing = null;
    this.focusAfter = field === "title" ? `title-${task.id}` : `describe-${task.id}`;
    this.render();
    return true;
  }

  commitTitle(task, value) {
    if (this.rendering) return; // the editor is being replaced by an identical one
    if (!this.endEdit(task, "title")) return; // Escape, or Enter followed by blur
    const title = value.trim();
    if (!title) this.remove(task);
    else if (title !== task.title) this.update(task, { title }, "Could not rename the task");
  }

  commitDescription(task, value) {
    if (!this.endEdit(task, "description")) return;
    const description = value.trim() ? value : null;
    if (description !== task.description) this.update(task, { description }, "Could not save the description");
  }

  async markAll(completed) {
    await this.bulk(async () => {
      for (const task of [...this.items]) if (!task.pending && task.completed !== completed) this.setLocal(task, { completed }, 0);
      const all = this.active + this.completed;
      [this.active, this.completed] = completed ? [0, all] : [all, 0]; // tasks not loaded yet too
      this.render();
      await setAllCompleted(completed);
    }, "Could not update every task");
  }

  async clearCompleted() {
    await this.bulk(async () => {
      this.items = this.items.filter((t) => !t.completed);
      this.completed = 0;
      this.render();
      await deleteAllCompleted();
    }, "Could not clear every completed task");
  }

  // Bulk actions: the controls are disabled meanwhile; a failure reloads the server's truth.
  async bulk(work, failure) {
    if (this.toggleAll.dataset.busy) return;
    this.toggleAll.dataset.busy = "1";
    this.clear.disabled = true;
    this.alert.textContent = "";
    await this.write(async () => {
      try {
        await work();
      } catch (error) {
        this.writes.reloadWhenIdle = true;
        this.fail(error, failure);
      } finally {
        delete this.toggleAll.dataset.busy;
        this.clear.disabled = false;
      }
    });
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

  fail(error, prefix) {
    if (error instanceof SessionExpired) {
      this.onSignedOut(EXPIRED);
      return;
    }
    const message = error instanceof ApiError ? error.message : "Something went wrong";
    this.alert.textContent = `${prefix}. ${message}`;
  }
}
