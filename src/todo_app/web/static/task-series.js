// Completing or skipping an occurrence of a repeating task. The server moves the task on to its next
// date, still open (or completes it when its series has ended); the toast says where it went.

import { dayName } from "./dates.js";

// Whether completing the task moves it on rather than closing it.
export const repeats = (task) => Boolean(task.recurrence) && !task.completed;

export class SeriesSteps {
  // clock(): the owner's day and time now; stepped(task): the task has moved on here (an editor open
  // on it follows).
  constructor({ store, toast, clock, stepped }) {
    Object.assign(this, { store, toast, clock, stepped });
  }

  async complete(task) {
    const moved = await this.store.step(task, "complete", "Could not complete the task");
    if (!moved) return;
    this.stepped(moved);
    if (moved.completed) this.toast.show(`“${moved.title}” done. That was the last one: it no longer repeats.`);
    else this.toast.show(`“${moved.title}” done. Next: ${this.when(moved)}`);
  }

  // Resolves to null once skipped (or not, because it changed elsewhere: the task's note says so),
  // else the error that refused it.
  async skip(task) {
    let refusal = null;
    const onRefused = (error) => {
      refusal = error;
    };
    const moved = await this.store.step(task, "skip", "Could not skip this occurrence", { onRefused });
    if (moved) {
      this.stepped(moved);
      this.toast.show(`Skipped. Next: ${this.when(moved)}`);
    }
    return refusal;
  }

  // "tomorrow at 09:30", "Tuesday", "Tue, Dec 8".
  when(task) {
    if (!task.due_date) return "no date";
    return `${dayName(task.due_date, this.clock())}${task.due_time ? ` at ${task.due_time}` : ""}`;
  }
}
