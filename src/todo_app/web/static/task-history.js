// A repeating task's series, in its details editor: "Skip this occurrence", and each time it was done
// (GET /tasks/{id}/completions, newest first), loaded when the editor opens.

import { ApiError, SessionExpired, request } from "./api.js";
import { agoText, dayName } from "./dates.js";
import { h } from "./dom.js";

export class TaskHistory {
  // onSkip(): resolves to null once skipped, else the error that refused it; onExpired(error): the
  // session has ended (the page signs out).
  constructor({ id, task, zone, clock, onSkip, onExpired }) {
    Object.assign(this, { zone, clock, onSkip, onExpired, entries: [], loaded: false, skipping: false });
    this.heading = h("h3", { id: id("history") }, "History");
    this.skip = h("button", { type: "button", class: "skip", "aria-describedby": id("history-error"), onClick: () => this.skipNow() }, "Skip this occurrence");
    this.error = h("p", { id: id("history-error"), class: "field-error", "aria-live": "polite" });
    this.list = h("ul", { class: "history-list", "aria-labelledby": this.heading.id });
    this.empty = h("p", { class: "hint" }, "Not done yet: each time it is done is listed here.");
    this.element = h("section", { class: "history", "aria-labelledby": this.heading.id }, this.heading, this.skip, this.error, this.list, this.empty);
    this.follow(task);
    this.load(task.id);
  }

  async load(id) {
    try {
      const { data } = await request("GET", `/tasks/${id}/completions`);
      Object.assign(this, { entries: data, loaded: true });
      this.render();
    } catch (error) {
      if (error instanceof SessionExpired) this.onExpired(error);
      else this.say(`Could not load the history. ${error instanceof ApiError ? error.message : ""}`.trim());
    }
  }

  // The task has moved on (completed or skipped here): what can be done with it now, and its history.
  follow(task, reload = false) {
    this.task = task;
    this.skip.hidden = !task.recurrence || task.completed;
    if (reload) this.load(task.id);
    else this.render();
  }

  render() {
    const done = this.entries.map((entry) => {
      const due = `${dayName(entry.due_date, this.clock)}${entry.due_time ? ` at ${entry.due_time}` : ""}`;
      return h("li", {}, "Done ", h("time", { datetime: entry.completed_at }, agoText(entry.completed_at, this.zone)), ` — was due ${due}`);
    });
    this.list.replaceChildren(...done);
    this.empty.hidden = !this.loaded || done.length > 0;
    this.element.hidden = !this.task.recurrence && done.length === 0;
  }

  async skipNow() {
    if (this.skipping) return;
    this.skipping = true;
    this.say("");
    this.skip.setAttribute("aria-busy", "true");
    try {
      const refusal = await this.onSkip();
      if (refusal) this.say(refusal.message);
    } finally {
      this.skipping = false;
      this.skip.removeAttribute("aria-busy");
    }
  }

  say(text) {
    this.error.textContent = text;
  }
}
