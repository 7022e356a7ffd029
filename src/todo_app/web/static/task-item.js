// One task as a list item: view mode, or an editor for its title or its description.

import { h } from "./dom.js";

export function taskItem(task, { editing, actions }) {
  const key = String(task.id);
  const classes = ["task", task.completed && "completed", task.pending && "pending", editing && "editing"];
  const li = h("li", { class: classes.filter(Boolean).join(" "), dataset: { id: key } });

  if (editing?.field === "title") {
    const input = h("input", {
      class: "edit",
      value: editing.draft,
      maxlength: 200,
      "aria-label": `Edit ${task.title}`,
      dataset: { focusKey: `edit-${key}` },
      onInput: (e) => (editing.draft = e.target.value),
      onKeydown: (e) => {
        if (e.key === "Enter" && !e.isComposing) actions.commitTitle(task, e.target.value);
        else if (e.key === "Escape") actions.cancelEdit(task, "title");
      },
      onBlur: (e) => {
        if (e.target.isConnected) actions.commitTitle(task, e.target.value);
      },
    });
    li.append(input);
    return li;
  }

  const title = h(
    "span",
    {
      class: "title",
      tabindex: task.pending ? undefined : "0",
      title: "Double-click (or press Enter) to edit",
      dataset: { focusKey: `title-${key}` },
      onDblclick: () => actions.startEdit(task, "title"),
      onKeydown: (e) => {
        if (e.key === "Enter" || e.key === "F2") actions.startEdit(task, "title");
      },
    },
    task.title,
  );
  li.append(
    h(
      "div",
      { class: "view" },
      h("input", {
        type: "checkbox",
        class: "toggle",
        checked: task.completed,
        disabled: task.pending,
        "aria-label": `Toggle ${task.title}`,
        dataset: { focusKey: `toggle-${key}` },
        onChange: () => actions.toggle(task),
      }),
      h("div", { class: "text" }, title, task.description && h("p", { class: "description" }, task.description)),
      h(
        "button",
        {
          type: "button",
          class: "describe",
          disabled: task.pending,
          "aria-label": `Edit description of ${task.title}`,
          "aria-expanded": editing?.field === "description" ? "true" : "false",
          dataset: { focusKey: `describe-${key}` },
          onClick: () => actions.startEdit(task, "description"),
        },
        "✎",
      ),
      h(
        "button",
        {
          type: "button",
          class: "destroy",
          disabled: task.pending,
          "aria-label": `Delete ${task.title}`,
          dataset: { focusKey: `destroy-${key}` },
          onClick: () => actions.remove(task),
        },
        "×",
      ),
    ),
  );
  if (editing?.field === "description") li.append(descriptionEditor(task, editing, actions));
  return li;
}

function descriptionEditor(task, editing, actions) {
  const id = `description-${task.id}`;
  const area = h("textarea", {
    id,
    rows: 3,
    maxlength: 1000,
    dataset: { focusKey: `description-${task.id}` },
    onInput: (e) => (editing.draft = e.target.value),
    onKeydown: (e) => {
      if (e.key === "Escape") actions.cancelEdit(task, "description");
      else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) form.requestSubmit();
    },
  });
  area.value = editing.draft;
  const form = h(
    "form",
    {
      class: "describe-form",
      onSubmit: (e) => {
        e.preventDefault();
        actions.commitDescription(task, area.value);
      },
    },
    h("label", { for: id }, "Description"),
    area,
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit", class: "primary" }, "Save description"),
      h("button", { type: "button", onClick: () => actions.cancelEdit(task, "description") }, "Cancel"),
    ),
  );
  return form;
}
