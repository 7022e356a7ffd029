// Deleting can be undone for a few seconds: a toast says what went to the trash, and its Undo button
// (or Ctrl+Z) takes the tasks back out, into the places they had in the list, with the same ids.

import { lastBatch } from "./trash.js";

const plural = (n) => `${n} ${n === 1 ? "task" : "tasks"}`;

export class Undo {
  // focusTask(id): puts focus on that task's item; fail(error, prefix): the page's alert.
  constructor({ store, toast, focusTask, fail }) {
    Object.assign(this, { store, toast, focusTask, fail });
  }

  // A task the person deleted from `index` in the list; `removal` resolves to whether it went.
  async deleted(task, index, removal) {
    const places = new Map([[task.id, index]]);
    const shown = this.toast.show("Task deleted", { action: { label: "Undo", run: () => this.restore([task.id], places) } });
    if (!(await removal)) this.toast.dismiss(shown); // refused: nothing to undo
  }

  // "Clear completed": `clearing` resolves to { deleted, shown } (TaskStore.clearCompleted).
  async cleared(clearing) {
    const { deleted, shown } = await clearing;
    if (!deleted) return;
    const undo = async () => {
      try {
        await this.restore(await lastBatch(new Set(shown.keys())), shown, true);
      } catch (error) {
        this.fail(error, "Could not restore the cleared tasks");
      }
    };
    this.toast.show(`${plural(deleted)} cleared`, { action: { label: "Undo", run: undo } });
  }

  async restore(ids, places, bulk = false) {
    const { restored, error } = await this.store.restore(ids, { places, bulk });
    if (error) this.fail(error, ids.length > 1 ? "Could not restore every task" : "Could not restore the task");
    if (!restored.length) return;
    this.toast.show(restored.length === 1 ? "Task restored" : `${plural(restored.length)} restored`, { duration: 3000 });
    const first = restored.find((task) => this.store.find(task.id));
    if (first) this.focusTask(first.id);
  }
}
