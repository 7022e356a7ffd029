// Changes of one task take turns: each waits for the one before it (so it can be sent with the
// version that one was answered with), while changes of other tasks overlap (write-queue.js). Each is
// sent with the version it was made on (If-Match), and sent again on a newer one only when what it
// changes was left alone elsewhere (conflict.js).

import { Changed } from "./api.js";
import { clashes } from "./conflict.js";

const RETRIES = 3; // a change sent again on a newer version, when only other fields changed elsewhere

export class TaskTurns {
  constructor(writes) {
    this.writes = writes;
    this.last = new Map(); // task id -> the last of its changes on their way
    this.queued = new Map(); // task id -> how many of its changes are on their way
  }

  // work() after the changes of task `id` still on their way, in the write queue's order.
  run(id, work) {
    this.queued.set(id, (this.queued.get(id) ?? 0) + 1);
    const before = this.last.get(id) ?? Promise.resolve();
    const result = this.writes.run(() => before.then(work));
    const settled = result.then(
      () => {},
      () => {},
    );
    this.last.set(id, settled);
    settled.then(() => {
      const left = this.queued.get(id) - 1;
      if (left > 0) return this.queued.set(id, left);
      this.queued.delete(id);
      this.last.delete(id);
    });
    return result;
  }

  // Whether another change of task `id` waits behind the one now being answered.
  more(id) {
    return this.queued.get(id) > 1;
  }

  // send(version) with If-Match; when the task changed elsewhere in none of `fields`, sent again on
  // the version the server has. Otherwise (or after RETRIES) throws Changed with the task as it is.
  async sendOn(base, fields, send) {
    let current = base;
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(current.version);
      } catch (error) {
        if (!(error instanceof Changed) || attempt >= RETRIES || clashes(fields, current, error.task)) throw error;
        current = error.task;
      }
    }
  }
}
