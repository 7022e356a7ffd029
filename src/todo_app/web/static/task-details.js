// The inline editor of a task's details: description, due date and time, priority, tags, how it repeats
// and its reminders, and a repeating task's history. Save sends only what changed; a refusal of the
// repeat or the reminders shows beside them, with the draft kept. Cancel or Escape drops the draft.
// Built once when opened, so background renders never touch what is being typed.

import { h } from "./dom.js";
import { ReminderPicker } from "./reminder-picker.js";
import { RepeatPicker } from "./repeat-picker.js";
import { TaskHistory } from "./task-history.js";
import { PRIORITIES } from "./task-meta.js";

const MAX_TAGS = 20;
const MAX_TAG_LENGTH = 40;

// "work, Home ,work" -> ["work", "Home"]: trimmed, empty ones dropped, repeats (any case) merged.
function splitTags(text) {
  const seen = new Set();
  return text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t && !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()));
}

function field(id, label, control) {
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

// Where a refusal of the API belongs: "repeat", "reminders", "time", "date" or the whole "form".
function refusedField(error) {
  const { detail } = error;
  const where = Array.isArray(detail) ? detail.map((d) => (Array.isArray(d?.loc) ? d.loc.join(".") : "")).join(" ") : "";
  const text = `${typeof detail === "string" ? detail : error.message} ${where}`.toLowerCase();
  if (/recurr|rule/.test(text)) return "repeat";
  if (/remind|before_minutes/.test(text)) return "reminders";
  if (/due_time/.test(text)) return "time";
  if (/due_date/.test(text)) return "date";
  return "form";
}

// Returns { field, element, input, follow(task) }: input is what gets focus when the editor opens;
// follow(task) after the task moved on in its series here (completed or skipped).
// onSave(changes) resolves to null once saved (or under way), else the error that refused them;
// onSkip() the same for "Skip this occurrence"; zone, clock: the owner's (dates.js).
export function detailsEditor(task, { onSave, onCancel, onSkip, onExpired, zone, clock }) {
  const id = (name) => `${name}-${task.id}`;
  const description = h("textarea", { id: id("description"), rows: 3, maxlength: 1000 });
  description.value = task.description ?? "";
  const dueChanged = () => {
    repeat.setDay(date.value);
    reminders.setDue(date.value, time.value);
  };
  const date = h("input", { id: id("due-date"), type: "date", value: task.due_date ?? "", onInput: dueChanged, onChange: dueChanged });
  const time = h("input", { id: id("due-time"), type: "time", value: task.due_time ?? "", onInput: dueChanged, onChange: dueChanged });
  const priority = h("select", { id: id("priority") }, PRIORITIES.map(([value, text]) => h("option", { value }, text)));
  priority.value = task.priority ?? "none";
  const tags = h("input", {
    id: id("tags"),
    type: "text",
    value: (task.tags ?? []).join(", "),
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "work, home",
    "aria-describedby": id("tags-hint"),
  });
  const error = h("p", { id: id("details-error"), class: "field-error", "aria-live": "polite" });
  const repeat = new RepeatPicker({ id, task });
  const reminders = new ReminderPicker({ id, task, zone, clock });
  const history = new TaskHistory({ id, task, zone, clock, onSkip, onExpired });

  const refuse = (message, control) => {
    error.textContent = message;
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-errormessage", error.id);
    control.focus();
  };

  const refused = (failure) => {
    const where = refusedField(failure);
    if (where === "repeat") repeat.refuse(failure.message);
    else if (where === "reminders") reminders.refuse(failure.message);
    else if (where === "form") error.textContent = failure.message;
    else refuse(failure.message, where === "time" ? time : date);
  };

  let saving = false;
  const submit = async (event) => {
    event.preventDefault();
    if (saving) return;
    for (const control of [date, time, tags, description]) control.removeAttribute("aria-invalid");
    error.textContent = "";
    repeat.clearError();
    reminders.clearError();
    if (time.value && !date.value) return refuse("A time needs a due date: choose the date too.", date);
    const names = splitTags(tags.value);
    if (names.length > MAX_TAGS) return refuse(`A task can have at most ${MAX_TAGS} tags.`, tags);
    const long = names.find((t) => t.length > MAX_TAG_LENGTH);
    if (long) return refuse(`A tag can be at most ${MAX_TAG_LENGTH} characters: “${long.slice(0, 20)}…”.`, tags);
    const repeatProblem = repeat.problem();
    if (repeatProblem) return repeat.refuse(repeatProblem);
    const reminderProblem = reminders.problem();
    if (reminderProblem) return reminders.refuse(reminderProblem, time);
    const changes = changesOf(task, { description: description.value, date: date.value, time: time.value, priority: priority.value, tags: names });
    if (repeat.changed()) changes.recurrence = repeat.value();
    if (reminders.changed()) changes.reminders = reminders.value();
    saving = true;
    form.setAttribute("aria-busy", "true");
    try {
      const failure = await onSave(changes);
      if (failure) refused(failure);
    } finally {
      saving = false;
      form.removeAttribute("aria-busy");
    }
  };

  // The task moved on here (completed or skipped): its date and time follow, unless being edited.
  const follow = (moved) => {
    if (date.value === (task.due_date ?? "")) date.value = moved.due_date ?? "";
    if (time.value === (task.due_time ?? "")) time.value = moved.due_time ?? "";
    Object.assign(task, { due_date: moved.due_date, due_time: moved.due_time, completed: moved.completed });
    dueChanged();
    history.follow(moved, true);
  };

  const form = h(
    "form",
    {
      class: "details-form",
      "aria-label": `Details of ${task.title}`,
      onSubmit: submit,
      onKeydown: (e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          onCancel();
        } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target === description) form.requestSubmit();
      },
    },
    field(id("description"), "Description", description),
    h(
      "div",
      { class: "fields" },
      field(id("due-date"), "Due date", date),
      field(id("due-time"), "Due time", time),
      field(id("priority"), "Priority", priority),
    ),
    field(id("tags"), "Tags", tags),
    h("p", { id: id("tags-hint"), class: "hint" }, "Separate tags with commas."),
    repeat.element,
    reminders.element,
    error,
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit", class: "primary" }, "Save"),
      h("button", { type: "button", onClick: onCancel }, "Cancel"),
    ),
    history.element,
  );
  return { field: "details", element: form, input: description, follow };
}

// Only what differs from the task. A due time always travels with its date; clearing the date
// clears the time on the server.
function changesOf(task, draft) {
  const changes = {};
  const description = draft.description.trim() ? draft.description : null;
  if (description !== (task.description ?? null)) changes.description = description;
  const dueDate = draft.date || null;
  const dueTime = dueDate ? draft.time || null : null;
  if (dueDate !== (task.due_date ?? null) || dueTime !== (task.due_time ?? null)) {
    changes.due_date = dueDate;
    if (dueDate) changes.due_time = dueTime;
  }
  if (draft.priority !== (task.priority ?? "none")) changes.priority = draft.priority;
  if (draft.tags.join("\n") !== (task.tags ?? []).join("\n")) changes.tags = draft.tags;
  return changes;
}
