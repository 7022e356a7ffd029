// The new-task field with quick add: "Call mum ^tomorrow@18:00 #family !high". While the person types,
// the server's parser (POST /tasks/parse, the one every client shares) reads the text and the tokens it
// found show as chips below; a token it refuses shows as a message right there, and so does a refusal
// of the task itself, whose text comes back into the field to be fixed.

import { ApiError, SessionExpired, request } from "./api.js";
import { clockIn, dueText } from "./dates.js";
import { h } from "./dom.js";
import { priorityText } from "./task-meta.js";

const DEBOUNCE_MS = 150;
const TOKEN = /[#!^]/; // text without any of these has nothing to parse

export class QuickAdd {
  // onAdd(text, preview): preview is the server's parse of exactly that text, when known.
  // onError(error): a failure the page handles (a session that has ended).
  constructor({ zone, onAdd, onError }) {
    Object.assign(this, { zone, onAdd, onError });
    this.parses = 0;
    this.timer = null;
    this.preview = null; // { text, parsed }
    this.input = h("input", {
      id: "new-task",
      class: "new-task",
      placeholder: "What needs to be done?",
      autocomplete: "off",
      maxlength: 1000,
      "aria-describedby": "new-task-message new-task-help",
      onInput: () => this.typed(),
      onKeydown: (e) => {
        if (e.key === "Enter" && !e.isComposing) this.submit();
      },
    });
    this.chips = h("ul", { class: "chips", "aria-label": "Quick add preview" });
    this.message = h("p", { id: "new-task-message", class: "field-error", "aria-live": "polite" });
    this.element = h(
      "div",
      { class: "quick-add" },
      h("label", { for: "new-task", class: "visually-hidden" }, "New task"),
      this.input,
      h("p", { id: "new-task-help", class: "visually-hidden" }, "Quick add: #tag, !low to !urgent, ^today, ^tomorrow, ^mon to ^sun or ^2030-01-31, with @09:30 for a time."),
      this.chips,
      this.message,
    );
  }

  focus() {
    this.input.focus();
  }

  typed() {
    clearTimeout(this.timer);
    const text = this.input.value;
    if (!TOKEN.test(text)) {
      this.parses += 1; // an answer still on its way is for other text
      this.show(null);
      return;
    }
    this.timer = setTimeout(() => this.parse(text), DEBOUNCE_MS);
  }

  async parse(text) {
    const ticket = ++this.parses;
    try {
      const { data } = await request("POST", "/tasks/parse", { body: { text } });
      if (ticket !== this.parses) return;
      this.preview = { text, parsed: data };
      this.show(data);
    } catch (error) {
      if (ticket !== this.parses) return;
      if (error instanceof SessionExpired) this.onError(error);
      else if (error instanceof ApiError && error.status === 422) this.refuse(error.message);
      // anything else: the chips are a preview; the task itself will say what went wrong
    }
  }

  submit() {
    const text = this.input.value.trim();
    if (!text) return;
    clearTimeout(this.timer);
    this.parses += 1;
    const preview = this.preview?.text.trim() === text ? this.preview.parsed : null;
    this.input.value = "";
    this.show(null);
    this.onAdd(text, preview);
  }

  // The server refused text the person sent: it comes back (unless they have typed on) with the reason.
  refused(text, message) {
    if (!this.input.value) this.input.value = text;
    this.refuse(message);
  }

  refuse(message) {
    this.chips.replaceChildren();
    this.say(message, true);
  }

  // A sentence below the field (an error, or a note such as where a new task went).
  say(text, error = false) {
    this.message.textContent = text;
    this.message.classList.toggle("note", !error);
    if (error) this.input.setAttribute("aria-invalid", "true");
    else this.input.removeAttribute("aria-invalid");
  }

  show(parsed) {
    if (!parsed) this.preview = null;
    this.say("");
    const chip = (kind, text) => h("li", { class: `chip ${kind}` }, text);
    const chips = [];
    if (parsed) {
      for (const tag of parsed.tags ?? []) chips.push(chip("tag", `#${tag}`));
      if (priorityText(parsed.priority)) chips.push(chip(`priority ${parsed.priority}`, priorityText(parsed.priority)));
      if (parsed.due_date) chips.push(chip("due", dueText(parsed.due_date, parsed.due_time, clockIn(this.zone))));
    }
    this.chips.replaceChildren(...chips);
  }
}
