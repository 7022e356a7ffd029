// One task as a list item, built once and then updated in place: view mode, or an editor for its title
// or its description. Its handlers act on the task it shows now: the list hands it one on every render.

import { h, setChildren } from "./dom.js";

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
    this.description = h("p", { class: "description" });
    this.text = h("div", { class: "text" });
    const button = (cls, text, onClick) => h("button", { type: "button", class: cls, onClick }, text);
    this.describe = button("describe", "✎", () => actions.startEdit(this.task, "description"));
    this.destroy = button("destroy", "×", () => actions.remove(this.task));
    this.view = h("div", { class: "view" }, this.toggle, this.text, this.describe, this.destroy);
    this.element = h("li");
  }

  // `editing` is { field } while this task's title or description is being edited, else null.
  update(task, editing) {
    this.task = task;
    const field = editing?.field ?? null;
    if ((this.editor?.field ?? null) !== field) this.editor = field && this.openEditor(field);
    const pending = Boolean(task.pending);
    const li = this.element;
    li.dataset.id = String(task.id);
    li.className = ["task", task.completed && "completed", pending && "pending", field && "editing"].filter(Boolean).join(" ");
    this.toggle.checked = task.completed;
    this.toggle.disabled = pending;
    this.toggle.setAttribute("aria-label", `Toggle ${task.title}`);
    setText(this.title, task.title);
    if (pending) this.title.removeAttribute("tabindex");
    else this.title.tabIndex = 0;
    setText(this.description, task.description ?? "");
    setChildren(this.text, this.title, task.description && this.description);
    for (const [control, label] of [
      [this.describe, `Edit description of ${task.title}`],
      [this.destroy, `Delete ${task.title}`],
    ]) {
      control.disabled = pending;
      control.setAttribute("aria-label", label);
    }
    this.describe.setAttribute("aria-expanded", String(field === "description"));
    if (field === "title") this.editor.input.setAttribute("aria-label", `Edit ${task.title}`);
    setChildren(li, field === "title" ? this.editor.element : [this.view, this.editor?.element]);
  }

  // control: "toggle", "title", "describe", "destroy", or "editor" (the open one's field).
  focus(control) {
    (control === "editor" ? this.editor?.input : this[control])?.focus();
  }

  openEditor(field) {
    return field === "title" ? this.titleEditor() : this.descriptionEditor();
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

  descriptionEditor() {
    const { actions } = this;
    const id = `description-${this.task.id}`;
    const area = h("textarea", {
      id,
      rows: 3,
      maxlength: 1000,
      onKeydown: (e) => {
        if (e.key === "Escape") actions.cancelEdit(this.task, "description");
        else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) form.requestSubmit();
      },
    });
    area.value = this.task.description ?? "";
    const form = h(
      "form",
      {
        class: "describe-form",
        onSubmit: (e) => {
          e.preventDefault();
          actions.commitDescription(this.task, area.value);
        },
      },
      h("label", { for: id }, "Description"),
      area,
      h(
        "div",
        { class: "row" },
        h("button", { type: "submit", class: "primary" }, "Save description"),
        h("button", { type: "button", onClick: () => actions.cancelEdit(this.task, "description") }, "Cancel"),
      ),
    );
    return { field: "description", element: form, input: area };
  }
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}
