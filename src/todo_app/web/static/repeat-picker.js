// The details editor's repeat picker: Never, Daily, Weekdays, Weekly / Monthly / Yearly on the due
// date's day (the labels follow the due date as it changes), or a custom RRULE, and whether the next
// date counts from the due date or from completion. A task repeats only with a due date: without one
// the picker is off and says so. The server checks the rule; its refusal shows here.

import { h } from "./dom.js";
import { CHOICES, choiceLabels, choiceOf, offersLastDay, presetRules } from "./recurrence.js";

const RULE_MAX = 500;
const RULE_EXAMPLE = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU";

function field(id, label, control) {
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

export class RepeatPicker {
  // id(name): an id unique to this editor; task: the task as the editor opened on it.
  constructor({ id, task }) {
    this.original = task.recurrence ?? null;
    this.day = task.due_date ?? null;
    const choice = choiceOf(this.original?.rule, this.day);
    this.chosen = choice; // kept while the due date is cleared, back when it returns
    this.hint = h("p", { id: id("repeat-hint"), class: "hint" });
    this.error = h("p", { id: id("repeat-error"), class: "field-error", "aria-live": "polite" });
    this.options = new Map(CHOICES.map((value) => [value, h("option", { value })]));
    this.select = h("select", { id: id("repeat"), "aria-describedby": `${this.hint.id} ${this.error.id}`, onChange: () => this.choose() }, [...this.options.values()]);
    this.from = h(
      "select",
      { id: id("repeat-from"), "aria-describedby": id("repeat-from-hint") },
      h("option", { value: "due" }, "Due date"),
      h("option", { value: "completion" }, "Completion date"),
    );
    this.from.value = this.original?.from ?? "due";
    this.rule = h("input", {
      id: id("rule"),
      type: "text",
      value: choice === "custom" ? this.original.rule : "",
      maxlength: RULE_MAX,
      autocomplete: "off",
      spellcheck: "false",
      autocapitalize: "characters",
      placeholder: RULE_EXAMPLE,
      "aria-describedby": `${id("rule-hint")} ${this.error.id}`,
    });
    this.fromField = h(
      "div",
      { class: "field" },
      h("label", { for: this.from.id }, "Repeat from"),
      this.from,
      h("p", { id: id("repeat-from-hint"), class: "visually-hidden" }, "Due date keeps to the schedule; completion date counts the next one from the day it is done."),
    );
    this.custom = h(
      "div",
      { class: "field" },
      h("label", { for: this.rule.id }, "Custom rule (RRULE)"),
      this.rule,
      h("p", { id: id("rule-hint"), class: "hint" }, "An RFC 5545 rule, e.g. FREQ=MONTHLY;BYDAY=1MO for the first Monday of each month."),
    );
    this.element = h(
      "div",
      { class: "repeat-picker" },
      h("div", { class: "fields" }, field(this.select.id, "Repeat", this.select), this.fromField),
      this.custom,
      this.hint,
      this.error,
    );
    this.setDay(this.day);
  }

  // The due date in the editor changed (null: none).
  setDay(day) {
    this.day = day || null;
    const labels = choiceLabels(this.day);
    for (const [value, option] of this.options) {
      option.textContent = labels[value];
      // The last day of the month is offered on such a day, and kept on any other once chosen.
      if (value === "monthly-last") option.hidden = !offersLastDay(this.day) && this.chosen !== value;
    }
    this.select.disabled = !this.day;
    this.select.value = this.day ? this.chosen : "never";
    this.show();
  }

  choose() {
    const before = this.chosen;
    this.chosen = this.select.value;
    // Custom starts from the rule chosen until now, to be changed from there.
    if (this.chosen === "custom" && !this.rule.value.trim()) this.rule.value = presetRules(this.day)[before] ?? this.original?.rule ?? "";
    this.clearError();
    this.show();
  }

  show() {
    const on = Boolean(this.day) && this.chosen !== "never";
    this.fromField.hidden = !on;
    this.custom.hidden = !on || this.chosen !== "custom";
    let hint = "";
    if (!this.day) hint = this.original ? "Without a due date, this task will stop repeating." : "Choose a due date to make this task repeat.";
    this.hint.textContent = hint;
  }

  // The recurrence the editor would save: null (does not repeat), or { rule, from }.
  value() {
    if (!this.day || this.chosen === "never") return null;
    const rule = this.chosen === "custom" ? this.rule.value.trim() : presetRules(this.day)[this.chosen];
    return { rule, from: this.from.value };
  }

  changed() {
    const now = this.value();
    const was = this.original;
    if (!now || !was) return now !== was;
    return now.rule.toUpperCase() !== was.rule.toUpperCase() || now.from !== was.from;
  }

  // A sentence the editor cannot save with (an empty custom rule), or null.
  problem() {
    const value = this.value();
    if (value && !value.rule) return "Write a rule, e.g. FREQ=WEEKLY;BYDAY=MO, or choose another repeat.";
    return null;
  }

  // Shows why the rule was refused, at the control it is about, and puts focus there.
  refuse(message) {
    const control = this.chosen === "custom" && !this.custom.hidden ? this.rule : this.select;
    this.error.textContent = message.replace(/^recurrence(\.rule)?:\s*/i, "");
    control.setAttribute("aria-invalid", "true");
    control.focus();
  }

  clearError() {
    this.error.textContent = "";
    for (const control of [this.select, this.rule]) control.removeAttribute("aria-invalid");
  }
}
