// One task as a list item, built once and then updated in place: view mode, or an editor for its title
// or its details, and a note when the task was changed elsewhere. Its handlers act on the task it
// shows now: the list hands it one on every render.

import { NOTES } from "./conflict.js";
import { h, setChildren } from "./dom.js";
import { detailsEditor } from "./task-details.js";
import { TaskMeta, setText } from "./task-meta.js";

export class TaskItem {
  constructor(actions) {
    this.actions = actions;
    this.task = null;
    this.editor = null; // while open: { field, element, input }
    this.toggle = h("input", { type: "checkbox", class: "toggle", onChange: () => actions.toggle(this.task) });
    this.title = h("span", {
      class: "title",
      title: "Double-click (or press Enter) to edit",
      onDblclick: () => actions.startEdit(this.task, "title"),
      onKeydown: (e) => {
        if (e.key === "Enter" || e.key === "F2") actions.startEdit(this.task, "title");
      },
    });
    this.meta = new TaskMeta({ onTag: (tag) => actions.showTag(tag), zone: actions.zone });
    this.description = h("p", { class: "description" });
    this.text = h("div", { class: "text" });
    const button = (cls, text, onClick) => h("button", { type: "button", class: cls, onClick }, text);
    this.details = button("details", "✎", () => actions.startEdit(this.task, "details"));
    this.destroy = button("destroy", "×", () => actions.remove(this.task));
    this.view = h("div", { class: "view" }, this.toggle, this.text, this.details, this.destroy);
    this.noteText = h("span", {});
    this.noteClose = button("note-close", "×", () => actions.dismissNote(this.task));
    this.note = h("p", { class: "conflict-note" }, this.noteText, this.noteClose);
    this.element = h("li");
  }

  // `editing` is { field } while this task's title or details are being edited, else null; `clock`
  // is the day and time now in the person's zone; `note` a key of NOTES, or null.
  update(task, editing, clock, note = null) {
    this.task = task;
    const field = editing?.field ?? null;
    if ((this.editor?.field ?? null) !== field) this.editor = field && this.openEditor(field);
    const pending = Boolean(task.pending);
    const li = this.element;
    li.dataset.id = String(task.id);
    const hasMeta = this.meta.update(task, clock);
    const overdue = !pending && this.meta.late;
    const classes = ["task", task.completed && "completed", pending && "pending", field && "editing", overdue && "overdue"];
    li.className = classes.filter(Boolean).join(" ");
    if (task.stepping) li.setAttribute("aria-busy", "true");
    else li.removeAttribute("aria-busy");
    this.toggle.checked = task.completed || task.stepping === "complete"; // (until it moves on)
    this.toggle.disabled = pending;
    this.toggle.setAttribute("aria-label", `Toggle ${task.title}`);
    setText(this.title, task.title);
    if (pending) this.title.removeAttribute("tabindex");
    else this.title.tabIndex = 0;
    setText(this.description, task.description ?? "");
    setChildren(this.text, this.title, hasMeta && this.meta.element, task.description && this.description);
    for (const [control, label] of [
      [this.details, `Edit details of ${task.title}`],
      [this.destroy, `Delete ${task.title}`],
    ]) {
      control.disabled = pending;
      control.setAttribute("aria-label", label);
    }
    this.details.setAttribute("aria-expanded", String(field === "details"));
    if (field === "title") this.editor.input.setAttribute("aria-label", `Edit ${task.title}`);
    setText(this.noteText, note ? NOTES[note] : "");
    this.noteClose.setAttribute("aria-label", `Dismiss the note on ${task.title}`);
    const shownNote = note && this.note;
    setChildren(li, field === "title" ? [this.editor.element, shownNote] : [this.view, this.editor?.element, shownNote]);
  }

  // The task moved on in its series here (completed or skipped): an open details editor follows.
  stepped(task) {
    this.editor?.follow?.(task);
  }

  // control: "toggle", "title", "details", "destroy", or "editor" (the open one's field).
  focus(control) {
    (control === "editor" ? this.editor?.input : this[control])?.focus();
  }

  openEditor(field) {
    if (field === "title") return this.titleEditor();
    // A copy of the values it opens with: saving sends what the person changed from those.
    const { actions } = this;
    return detailsEditor({ ...this.task }, {
      onSave: (changes) => actions.commitDetails(this.task, changes),
      onCancel: () => actions.cancelEdit(this.task, "details"),
      onSkip: () => actions.skip(this.task),
      onExpired: (error) => actions.fail(error),
      zone: actions.zone(),
      clock: actions.clock(),
    });
  }

  titleEditor() {
    const input = h("input", {
      class: "edit",
      value: this.task.title,
      maxlength: 200,
      onKeydown: (e) => {
        if (e.key === "Enter" && !e.isComposing) this.actions.commitTitle(this.task, input.value);
        else if (e.key === "Escape") this.actions.cancelEdit(this.task, "title");
      },
      // Leaving the field saves it, and focus stays where the person put it. An editor is only taken
      // out once its edit has ended, so the blur it may get on the way out finds nothing to save.
      onBlur: () => this.actions.commitTitle(this.task, input.value, false),
    });
    return { field: "title", element: input, input };
  }
}
