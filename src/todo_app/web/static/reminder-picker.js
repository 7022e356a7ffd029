// The details editor's reminders: up to five, each some time before the due date and time ("15 minutes
// before", any number of minutes) or at a date and time of the owner's zone (sent as a UTC instant).
// Reminders before the due time need one: without it those choices are off and say why. The list is
// kept by reminder, updated in place; focus moves to a neighbour when one is removed.

import { addDays, zonedInstant } from "./dates.js";
import { h } from "./dom.js";
import { KeyedList } from "./keyed-list.js";
import { BEFORE_CHOICES, MAX_BEFORE_MINUTES, MAX_REMINDERS, isRelative, reminderText, sameReminder } from "./reminders.js";

const keyOf = (reminder) => (isRelative(reminder) ? `before:${reminder.before_minutes}` : `at:${Date.parse(reminder.at)}`);

class ReminderRow {
  constructor(onRemove) {
    this.text = h("span", { class: "reminder-text" });
    this.remove = h("button", { type: "button", class: "remove", onClick: () => onRemove(this.reminder) }, "Remove");
    this.element = h("li", {}, this.text, this.remove);
  }

  update(reminder, text) {
    this.reminder = reminder;
    if (this.text.textContent !== text) this.text.textContent = text;
    this.remove.setAttribute("aria-label", `Remove the reminder “${text}”`);
  }
}

function field(id, label, control) {
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

export class ReminderPicker {
  // id(name): an id unique to this editor; task: as the editor opened on it; zone, clock: the owner's.
  constructor({ id, task, zone, clock }) {
    Object.assign(this, { zone, clock });
    this.original = task.reminders ?? [];
    this.draft = [...this.original];
    this.day = task.due_date ?? null;
    this.time = task.due_time ?? null;
    this.label = h("p", { id: id("reminders-label"), class: "group-label" }, "Reminders");
    this.list = h("ul", { class: "reminder-list", "aria-labelledby": this.label.id });
    this.rows = new KeyedList(this.list, {
      key: keyOf,
      create: () => new ReminderRow((reminder) => this.removeReminder(reminder)),
      update: (row, reminder) => row.update(reminder, this.describe(reminder)),
    });
    this.none = h("p", { class: "hint" }, "No reminders.");
    this.hint = h("p", { id: id("reminder-hint"), class: "hint" });
    this.error = h("p", { id: id("reminder-error"), class: "field-error", "aria-live": "polite" });
    const described = `${this.hint.id} ${this.error.id}`;
    const relative = [...BEFORE_CHOICES.map(([minutes, text]) => [String(minutes), text]), ["custom", "Minutes before…"]];
    this.relativeOptions = relative.map(([value, text]) => h("option", { value }, text));
    this.kind = h(
      "select",
      { id: id("remind"), "aria-describedby": described, onChange: () => this.showInputs() },
      this.relativeOptions,
      h("option", { value: "at" }, "At a date & time…"),
    );
    this.kind.value = "15";
    const enterAdds = (e) => {
      if (e.key === "Enter" && !e.isComposing) {
        e.preventDefault(); // not the form's Save
        this.addChosen();
      }
    };
    this.minutes = h("input", { id: id("remind-minutes"), type: "number", min: 0, max: MAX_BEFORE_MINUTES, step: 1, inputmode: "numeric", "aria-describedby": described, onKeydown: enterAdds });
    this.at = h("input", { id: id("remind-at"), type: "datetime-local", "aria-describedby": described, onKeydown: enterAdds });
    this.addButton = h("button", { type: "button", class: "add", "aria-describedby": described, onClick: () => this.addChosen() }, "Add reminder");
    this.minutesField = field(this.minutes.id, "Minutes before", this.minutes);
    this.atField = field(this.at.id, "Remind at", this.at);
    this.element = h(
      "div",
      { class: "reminder-picker", role: "group", "aria-labelledby": this.label.id },
      this.label,
      this.list,
      this.none,
      h("div", { class: "add-reminder" }, field(this.kind.id, "Add a reminder", this.kind), this.minutesField, this.atField, this.addButton),
      this.hint,
      this.error,
    );
    this.setDue(this.day, this.time);
  }

  describe(reminder) {
    const text = reminderText(reminder, this.zone, this.clock);
    if (isRelative(reminder)) return this.time ? text : `${text} (needs a due time)`;
    return Date.parse(reminder.at) <= Date.now() ? `${text} (passed)` : text;
  }

  // The due date and time in the editor changed.
  setDue(day, time) {
    this.day = day || null;
    this.time = (this.day && time) || null;
    for (const option of this.relativeOptions) option.disabled = !this.time;
    if (!this.time && this.kind.value !== "at") this.kind.value = "at";
    this.render();
  }

  render() {
    this.rows.render(this.draft);
    this.none.hidden = this.draft.length > 0;
    const full = this.draft.length >= MAX_REMINDERS;
    let hint = "";
    if (full) hint = `A task can have at most ${MAX_REMINDERS} reminders: remove one to add another.`;
    else if (!this.time) hint = "Reminders before the due time need a due time.";
    this.hint.textContent = hint;
    this.kind.disabled = full;
    this.minutes.disabled = full;
    this.at.disabled = full;
    // (Add keeps focus when the fifth is added: it says it cannot add more rather than going away.)
    this.addButton.setAttribute("aria-disabled", String(full));
    this.showInputs();
  }

  showInputs() {
    this.minutesField.hidden = this.kind.value !== "custom";
    this.atField.hidden = this.kind.value !== "at";
    if (this.kind.value === "at" && !this.at.value) {
      const day = this.day ?? addDays(this.clock.today, 1);
      this.at.value = `${day}T${this.time ?? "09:00"}`;
    }
  }

  // The reminder the add controls describe, or a sentence saying what is missing.
  chosen() {
    const kind = this.kind.value;
    if (kind === "at") {
      if (!this.at.value) return "Choose the date and time to be reminded at.";
      const at = zonedInstant(this.at.value.slice(0, 16), this.zone);
      if (Date.parse(at) <= Date.now()) return "That time has already passed: choose a later one.";
      return { at };
    }
    if (!this.time) return "Reminders before the due time need a due time: set one above first.";
    const minutes = kind === "custom" ? Number(this.minutes.value) : Number(kind);
    if (this.minutes.value === "" && kind === "custom") return "Say how many minutes before.";
    if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_BEFORE_MINUTES) return `Minutes before: a whole number from 0 to ${MAX_BEFORE_MINUTES} (four weeks).`;
    return { before_minutes: minutes };
  }

  addChosen() {
    this.clearError();
    if (this.draft.length >= MAX_REMINDERS) return this.refuse(`A task can have at most ${MAX_REMINDERS} reminders.`, this.addButton);
    const reminder = this.chosen();
    if (typeof reminder === "string") return this.refuse(reminder, this.kind.value === "at" ? this.at : this.kind.value === "custom" ? this.minutes : this.kind);
    if (this.draft.some((r) => sameReminder(r, reminder))) return this.refuse("That reminder is already set.", this.kind);
    this.draft.push(reminder);
    this.render();
  }

  removeReminder(reminder) {
    const at = this.draft.indexOf(reminder);
    if (at < 0) return;
    this.clearError();
    this.draft.splice(at, 1);
    this.render();
    const next = this.draft[at] ?? this.draft[at - 1];
    (next ? this.rows.get(keyOf(next)).remove : this.kind.disabled ? this.addButton : this.kind).focus();
  }

  // What the editor would save.
  value() {
    return this.draft;
  }

  changed() {
    return this.draft.length !== this.original.length || this.draft.some((r, i) => !sameReminder(r, this.original[i]));
  }

  // A sentence the editor cannot save with, or null.
  problem() {
    if (!this.time && this.draft.some(isRelative)) return "Reminders before the due time need a due time: set one, or remove those reminders.";
    return null;
  }

  refuse(message, control = this.kind) {
    this.error.textContent = message;
    control.setAttribute("aria-invalid", "true");
    control.focus();
  }

  clearError() {
    this.error.textContent = "";
    for (const control of [this.kind, this.minutes, this.at, this.addButton]) control.removeAttribute("aria-invalid");
  }
}
