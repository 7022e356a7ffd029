// Changes made elsewhere meet changes made here. Every change of one task is sent with the version it
// was made on (If-Match); when the server answers that the task has moved on (412, with the task as
// it is now), the change is sent again only if what it changes was left alone elsewhere, so a rename
// on one device never undoes a completion on another. Otherwise the person sees the latest version
// and a note saying so, and can make their change again.

// What a person sees of a task: a delete made on one version of these should not remove another.
export const SHOWN_FIELDS = ["title", "description", "completed", "due_date", "due_time", "priority", "tags", "recurrence", "reminders"];

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

// Whether `current` (the task now) differs from `base` (the task the change was made on) in any of
// `fields`: then the change would overwrite someone else's.
export function clashes(fields, base, current) {
  return fields.some((field) => !same(base[field], current[field]));
}

// The fields of a task that the server answered with (the rest of the object is the page's own).
export function serverFields(task) {
  const { pending, ...fields } = task;
  return fields;
}

export const NOTES = {
  changed: "This task was changed elsewhere, so your change was not saved. This is the latest version.",
  deleted: "This task was changed elsewhere, so it was not deleted. This is the latest version.",
  editing: "This task has just been changed elsewhere. Saving will not overwrite that change.",
};

// The same, for the toast: which task, in a sentence of its own.
export function conflictMessage(kind, title) {
  if (kind === "deleted") return `“${title}” was changed elsewhere, so it was not deleted.`;
  return `“${title}” was changed elsewhere, so your change was not saved.`;
}

// The notes on tasks in the list: after a change that was not made, and on a task being edited when
// it changes elsewhere (the editor keeps the draft; saving it will not overwrite the other change).
export class ConflictNotes {
  // render(focusId): the list again (focusing that task's item, if given); editing(): the id of
  // the task being edited, if any; restore(id): takes a task back out of the trash.
  constructor({ toast, render, editing, restore }) {
    Object.assign(this, { toast, render, editing, restore });
    this.notes = new Map(); // task id -> a key of NOTES
  }

  get(id) {
    return this.notes.get(id) ?? null;
  }

  conflict(task, kind) {
    this.notes.set(task.id, kind);
    this.toast.show(conflictMessage(kind, task.title));
    this.render();
  }

  // Tasks changed or deleted elsewhere (RemoteChanges): one deleted while edited can be restored.
  changedElsewhere({ updated, deleted }) {
    const id = this.editing();
    if (id === undefined) return;
    if (updated.some((task) => task.id === id)) {
      this.notes.set(id, "editing");
      this.render();
    }
    const gone = deleted.find((task) => task.id === id);
    if (gone) {
      const message = `“${gone.title}”, which you were editing, was deleted elsewhere.`;
      this.toast.show(message, { action: { label: "Restore", run: () => this.restore(id) } });
    }
  }

  drop(task, refocus = false) {
    if (!this.notes.delete(task.id)) return;
    this.render(refocus ? task.id : undefined);
  }
}
