// The trash (#/trash): deleted tasks, latest first, a hundred at a time, each with Restore and Delete
// forever, and Empty trash behind a confirmation. Items are kept by id and updated in place; focus
// moves to the next item when one leaves.

import { ApiError, SessionExpired } from "./api.js";
import { agoText } from "./dates.js";
import { h } from "./dom.js";
import { KeyedList } from "./keyed-list.js";
import { TRASH_PAGE, deleteForever, emptyTrash, trashPage } from "./trash.js";

export const isTrash = (hash) => /^#\/trash\/?$/.test(hash);
const MAX_PAGE = 500;
const plural = (n) => `${n} ${n === 1 ? "task" : "tasks"}`;

class TrashItem {
  constructor(actions) {
    this.title = h("span", { class: "title" });
    this.when = h("time", {});
    this.restore = h("button", { type: "button", class: "restore", onClick: () => actions.restore(this.task) }, "Restore");
    this.purge = h("button", { type: "button", class: "purge", onClick: () => actions.purge(this.task) }, "Delete forever");
    const text = h("div", { class: "text" }, this.title, h("p", { class: "meta" }, "Deleted ", this.when));
    this.element = h("li", { class: "trashed" }, text, h("div", { class: "actions" }, this.restore, this.purge));
  }

  update(task, zone) {
    this.task = task;
    if (this.title.textContent !== task.title) this.title.textContent = task.title;
    this.when.dateTime = task.deleted_at;
    this.when.textContent = agoText(task.deleted_at, zone);
    this.restore.setAttribute("aria-label", `Restore ${task.title}`);
    this.purge.setAttribute("aria-label", `Delete ${task.title} forever`);
  }
}

export class TrashView {
  // zone(): the person's time zone now; restore(id): resolves to { restored: [task], error } once
  // it is back in the list (TaskStore.restore); onError(error): a failure the page handles (a session that ended); say(text): a toast.
  constructor({ zone, restore, onError, say }) {
    Object.assign(this, { zone, restoreTask: restore, onError, say });
    Object.assign(this, { tasks: [], total: 0, loaded: false, timer: null, busy: new Set() });
    this.loads = 0; // only the latest load's answer is shown
    this.pages = 0; // pages added by "Load more": a load that began before one is done again
    this.emptied = 0; // "Load more" continues a trash that has not been emptied since
    const actions = { restore: (task) => this.restore(task), purge: (task) => this.purge(task) };
    this.heading = h("h2", { id: "trash-heading", tabindex: -1 }, "Trash");
    this.back = h("a", { class: "back", href: "#/" }, "Back to tasks");
    this.alert = h("p", { class: "alert", role: "alert" });
    this.list = h("ul", { class: "task-list trash-list", "aria-label": "Deleted tasks" });
    this.items = new KeyedList(this.list, {
      key: (task) => task.id,
      create: () => new TrashItem(actions),
      update: (item, task) => item.update(task, this.zone()),
    });
    this.empty = h("p", { class: "empty", role: "status" });
    this.more = h("button", { type: "button", class: "more", hidden: true, onClick: () => this.loadMore() }, "Load more");
    this.count = h("span", { class: "count" });
    this.emptyButton = h("button", { type: "button", class: "clear", onClick: () => this.askToEmpty() }, "Empty trash");
    this.footer = h("footer", { class: "footer" }, this.count, this.emptyButton);
    this.question = h("p", { id: "empty-trash-question" });
    this.confirm = h(
      "div",
      {
        class: "confirm",
        role: "group",
        "aria-labelledby": "empty-trash-question",
        hidden: true,
        onKeydown: (e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            this.cancelEmpty();
          }
        },
      },
      this.question,
      h("div", { class: "row" }, h("button", { type: "button", class: "danger", onClick: () => this.emptyAll() }, "Delete all forever"), h("button", { type: "button", class: "cancel", onClick: () => this.cancelEmpty() }, "Cancel")),
    );
    this.element = h(
      "section",
      { class: "card trash-view", "aria-labelledby": "trash-heading", hidden: true },
      h("div", { class: "trash-head" }, this.heading, this.back),
      this.alert,
      h("p", { class: "hint" }, "Deleted tasks wait here: restore them, or delete them for good."),
      this.list,
      this.empty,
      this.more,
      this.footer,
      this.confirm,
    );
  }

  get shown() {
    return !this.element.hidden;
  }

  show(backHref) {
    this.back.href = backHref;
    const opening = !this.shown;
    this.element.hidden = false;
    if (opening) {
      this.load();
      this.heading.focus();
    }
  }

  hide() {
    this.element.hidden = true;
    this.cancelEmpty(false);
  }

  // Something changed elsewhere (or here): the trash as it is now, keeping as many as are shown.
  refresh() {
    if (!this.shown) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.load(true), 100);
  }

  // quiet: in the background, where a failure waits for the person's next action to show.
  async load(quiet = false) {
    const ticket = ++this.loads;
    const pages = this.pages;
    try {
      const limit = Math.min(Math.max(this.tasks.length, TRASH_PAGE), MAX_PAGE);
      const { tasks, total } = await trashPage(0, limit, quiet);
      if (ticket !== this.loads) return;
      if (pages !== this.pages) return this.refresh();
      Object.assign(this, { tasks, total, loaded: true });
      this.render();
    } catch (error) {
      if (ticket === this.loads && !quiet) this.fail(error, "Could not load the trash");
    }
  }

  async loadMore() {
    if (this.more.disabled) return;
    this.more.disabled = true;
    const ticket = this.emptied;
    try {
      const { tasks, total } = await trashPage(this.tasks.length);
      if (ticket !== this.emptied) return;
      this.pages += 1;
      const known = new Set(this.tasks.map((t) => t.id));
      const fresh = tasks.filter((t) => !known.has(t.id));
      this.tasks.push(...fresh);
      this.total = total;
      this.render();
      if (fresh[0]) this.items.get(fresh[0].id)?.restore.focus();
    } catch (error) {
      this.fail(error, "Could not load more of the trash");
    } finally {
      this.more.disabled = false;
    }
  }

  render() {
    this.items.render(this.tasks);
    const none = this.loaded && this.tasks.length === 0;
    this.empty.textContent = none ? "The trash is empty." : "";
    this.more.hidden = this.tasks.length >= this.total;
    this.footer.hidden = this.total === 0;
    this.count.textContent = `${plural(this.total)} in the trash`;
    if (this.total === 0) this.cancelEmpty(false);
  }

  // Takes the task out of the list shown here; focus goes to the same button on a neighbour.
  leave(task, control) {
    const at = this.tasks.findIndex((t) => t.id === task.id);
    if (at < 0) return;
    const hadFocus = this.list.contains(document.activeElement);
    this.tasks.splice(at, 1);
    this.total = Math.max(0, this.total - 1);
    this.loads += 1; // an answer on its way may still list it
    this.render();
    if (!hadFocus) return;
    const next = this.tasks[at] ?? this.tasks[at - 1];
    if (next) this.items.get(next.id)[control].focus();
    else this.heading.focus();
  }

  // One action at a time per task (buttons are not disabled meanwhile: that would drop focus).
  async once(task, action) {
    if (this.busy.has(task.id)) return;
    this.busy.add(task.id);
    this.alert.textContent = "";
    try {
      await action();
    } finally {
      this.busy.delete(task.id);
    }
  }

  restore(task) {
    return this.once(task, () => this.restoreNow(task));
  }

  purge(task) {
    return this.once(task, () => this.purgeNow(task));
  }

  async restoreNow(task) {
    try {
      const { restored: [restored], error } = await this.restoreTask(task.id);
      if (error) throw error;
      this.leave(task, "restore");
      if (restored) this.say(`Restored “${restored.title}”`);
    } catch (error) {
      this.fail(error, "Could not restore the task");
    }
  }

  async purgeNow(task) {
    try {
      await deleteForever(task.id);
      this.leave(task, "purge");
      this.say(`Deleted “${task.title}” forever`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.leave(task, "purge");
      else this.fail(error, "Could not delete the task");
    }
  }

  askToEmpty() {
    this.question.textContent = `Delete ${this.total === 1 ? "the task" : `all ${plural(this.total)}`} in the trash forever? This cannot be undone.`;
    this.confirm.hidden = false;
    this.emptyButton.hidden = true;
    this.confirm.querySelector(".cancel").focus();
  }

  cancelEmpty(refocus = true) {
    if (this.confirm.hidden) return;
    this.confirm.hidden = true;
    this.emptyButton.hidden = false;
    if (refocus) this.emptyButton.focus();
  }

  async emptyAll() {
    this.alert.textContent = "";
    try {
      await emptyTrash();
      Object.assign(this, { tasks: [], total: 0 });
      this.loads += 1;
      this.emptied += 1;
      this.render();
      this.heading.focus();
      this.say("The trash is now empty");
    } catch (error) {
      this.fail(error, "Could not empty the trash");
    }
  }

  fail(error, prefix) {
    if (error instanceof SessionExpired) this.onError(error);
    else this.alert.textContent = `${prefix}. ${error instanceof ApiError ? error.message : "Something went wrong"}`;
  }
}
