// The line under a task's title: "Overdue" in words, when it is due, whether it repeats (↻) and has
// reminders (a bell), its priority, and its tags as buttons that filter the list by that tag. Updated
// in place, so a focused tag button stays focused.

import { dueText, isOverdue } from "./dates.js";
import { h, setChildren } from "./dom.js";
import { repeatText } from "./recurrence.js";
import { remindersLabel } from "./reminders.js";

export const PRIORITIES = [
  ["none", "None"],
  ["low", "Low"],
  ["medium", "Medium"],
  ["high", "High"],
  ["urgent", "Urgent"],
];
const PRIORITY_NAMES = Object.fromEntries(PRIORITIES);

export function priorityText(priority) {
  return priority && priority !== "none" ? `${PRIORITY_NAMES[priority] ?? priority} priority` : "";
}

export class TaskMeta {
  // zone(): the owner's time zone, for reminders at a set time.
  constructor({ onTag, zone }) {
    Object.assign(this, { onTag, zone });
    this.overdue = h("strong", { class: "badge overdue" }, "Overdue");
    this.due = h("span", { class: "due" });
    this.repeatText = h("span", { "aria-hidden": "true" });
    this.repeat = h("span", { class: "repeat", role: "img" }, "↻ ", this.repeatText);
    this.reminderCount = h("span", { class: "reminder-count", "aria-hidden": "true" });
    this.reminders = h("span", { class: "reminders", role: "img" }, h("span", { class: "icon bell", "aria-hidden": "true" }), this.reminderCount);
    this.priority = h("span", { class: "badge priority" });
    this.tags = new Map(); // lower-case name -> button
    this.element = h("p", { class: "meta" });
  }

  // Returns whether there is anything to show; `late` tells whether the task is overdue.
  update(task, clock) {
    const overdue = isOverdue(task, clock);
    this.late = overdue;
    setText(this.due, dueText(task.due_date, task.due_time, clock));
    this.due.classList.toggle("late", overdue);
    const repeat = task.recurrence ? repeatText(task.recurrence) : null;
    if (repeat) {
      setText(this.repeatText, repeat.short);
      setLabel(this.repeat, repeat.long);
    }
    const reminders = task.reminders ?? [];
    if (reminders.length) {
      setText(this.reminderCount, reminders.length > 1 ? String(reminders.length) : "");
      setLabel(this.reminders, remindersLabel(reminders, this.zone(), clock));
    }
    setText(this.priority, priorityText(task.priority));
    this.priority.dataset.level = task.priority ?? "none";
    const buttons = (task.tags ?? []).map((name) => this.tagButton(name));
    for (const [key, button] of this.tags) if (!buttons.includes(button)) this.tags.delete(key);
    const shown = [
      overdue && this.overdue,
      Boolean(task.due_date) && this.due,
      Boolean(repeat) && this.repeat,
      reminders.length > 0 && this.reminders,
      Boolean(this.priority.textContent) && this.priority,
      ...buttons,
    ];
    setChildren(this.element, shown);
    return shown.some(Boolean);
  }

  tagButton(name) {
    const key = name.toLowerCase();
    let button = this.tags.get(key);
    if (!button) {
      button = h("button", { type: "button", class: "tag", onClick: () => this.onTag(button.dataset.tag) });
      this.tags.set(key, button);
    }
    button.dataset.tag = name;
    setText(button, `#${name}`);
    button.title = `Show only tasks tagged ${name}`;
    return button;
  }
}

export function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

// The accessible name, also shown on hover.
function setLabel(element, text) {
  if (element.getAttribute("aria-label") === text) return;
  element.setAttribute("aria-label", text);
  element.title = text;
}
