// The inline editor of a task's details: description, due date and time, priority and tags. Save sends
// only what changed; Cancel or Escape drops the draft. Built once when opened, so background renders
// never touch what is being typed.

import { h } from "./dom.js";
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

// Returns { field, element, input }: input is what gets focus when the editor opens.
export function detailsEditor(task, { onSave, onCancel }) {
  const id = (name) => `${name}-${task.id}`;
  const description = h("textarea", { id: id("description"), rows: 3, maxlength: 1000 });
  description.value = task.description ?? "";
  const date = h("input", { id: id("due-date"), type: "date", value: task.due_date ?? "" });
  const time = h("input", { id: id("due-time"), type: "time", value: task.due_time ?? "" });
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

  const refuse = (message, control) => {
    error.textContent = message;
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-errormessage", error.id);
    control.focus();
  };

  const submit = (event) => {
    event.preventDefault();
    for (const control of [date, time, tags]) control.removeAttribute("aria-invalid");
    error.textContent = "";
    if (time.value && !date.value) return refuse("A time needs a due date: choose the date too.", date);
    const names = splitTags(tags.value);
    if (names.length > MAX_TAGS) return refuse(`A task can have at most ${MAX_TAGS} tags.`, tags);
    const long = names.find((t) => t.length > MAX_TAG_LENGTH);
    if (long) return refuse(`A tag can be at most ${MAX_TAG_LENGTH} characters: “${long.slice(0, 20)}…”.`, tags);
    onSave(changesOf(task, { description: description.value, date: date.value, time: time.value, priority: priority.value, tags: names }));
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
    error,
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit", class: "primary" }, "Save"),
      h("button", { type: "button", onClick: onCancel }, "Cancel"),
    ),
  );
  return { field: "details", element: form, input: description };
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
