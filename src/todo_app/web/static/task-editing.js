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

  // Resolves to null once saved (or on its way), or to the error that refused the changes: then the
  // editor stays open on its draft, to show why. Changes the server checks by rules of its own (how the
  // task repeats, its reminders, the due date they hang on) wait for its answer; the rest show at once.
  async commitDetails(task, changes) {
    const current = this.current;
    if (!current || current.id !== task.id || current.field !== "details") return null;
    if (!this.checked(task, changes)) {
      this.end(task, "details");
      this.notes.drop(task);
      if (Object.keys(changes).length) this.store.update(task, changes, "Could not save the details", current.base);
      return null;
    }
    let refusal = null;
    const onRefused = (error) => {
      refusal = error;
    };
    this.notes.drop(task);
    await this.store.update(task, changes, "Could not save the details", current.base, { onRefused });
    if (this.current !== current) {
      if (refusal) this.store.onError(refusal, "Could not save the details"); // closed meanwhile: the page says why
      return null;
    }
    if (refusal) return refusal;
    this.end(task, "details");
    return null;
  }

  checked(task, changes) {
    if ("recurrence" in changes || "reminders" in changes) return true;
    const moves = "due_date" in changes || "due_time" in changes;
    return moves && Boolean(task.recurrence || task.reminders?.length);
  }

  // A step of this task's series taken here (completing or skipping it): an editor open on it now
  // starts from the task as it is, so a save does not take the move for a change made elsewhere.
  stepped(task) {
    if (this.current?.id === task.id) this.current.base = { ...task };
  }
}
