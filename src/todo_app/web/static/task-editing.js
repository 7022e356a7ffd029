// The one editor that may be open on the list: a task's title or its details. It remembers the task
// as it was when the editor opened, so saving sends what the person changed on that version: a change
// made elsewhere meanwhile is not overwritten (conflict.js), and the draft survives every render.

export class TaskEditing {
  // show(focus): render the list, then focus [task id, control] if given; remove(task): the page's
  // delete (an emptied title deletes the task); notes: ConflictNotes.
  constructor({ store, notes, show, remove }) {
    Object.assign(this, { store, notes, show, remove });
    this.current = null; // { id, field, base }
  }

  get id() {
    return this.current?.id;
  }

  of(task) {
    return this.current && this.current.id === task.id ? this.current : null;
  }

  start(task, field) {
    if (task.pending) return;
    this.notes.drop(task);
    this.current = { id: task.id, field, base: { ...task } };
    this.show([task.id, "editor"]);
  }

  // refocus: false when the person has just put focus somewhere else.
  end(task, field, refocus = true) {
    if (!this.current || this.current.id !== task.id || this.current.field !== field) return false;
    this.current = null;
    this.show(refocus ? [task.id, field] : null);
    return true;
  }

  // Renders end an edit whose task has left the list, before its item goes: the editor's own blur
  // on the way out then finds nothing to save.
  forgetGone() {
    if (this.current && !this.store.find(this.current.id)) this.current = null;
  }

  commitTitle(task, value, refocus = true) {
    const base = this.current?.base;
    if (!this.end(task, "title", refocus)) return; // Escape, or Enter followed by blur
    this.notes.drop(task);
    const title = value.trim();
    if (!title) this.remove(task);
    else if (title !== base.title && title !== task.title) this.store.update(task, { title }, "Could not rename the task", base);
  }

  commitDetails(task, changes) {
    const base = this.current?.base;
    if (!this.end(task, "details")) return;
    this.notes.drop(task);
    if (Object.keys(changes).length) this.store.update(task, changes, "Could not save the details", base);
  }
}
