// Changes on their way to the server, in the order the person made them. A bulk change runs alone:
// after every change made before it, and before any made after it. Single changes otherwise overlap.

export class WriteQueue {
  // onBusy(): the first change is on its way; onIdle(): the last one has been answered.
  constructor({ onBusy, onIdle }) {
    Object.assign(this, { onBusy, onIdle });
    this.started = 0; // changes ever started: a load compares it to see whether one went out meanwhile
    this.pending = 0;
    this.running = new Set();
    this.lastBulk = Promise.resolve();
  }

  get busy() {
    return this.pending > 0;
  }

  async run(work, { bulk = false } = {}) {
    this.started += 1;
    if (++this.pending === 1) this.onBusy();
    const turn = Promise.all(bulk ? [this.lastBulk, ...this.running] : [this.lastBulk]);
    const result = turn.then(work);
    const settled = result.then(
      () => {},
      () => {},
    );
    this.running.add(settled);
    if (bulk) this.lastBulk = settled;
    try {
      return await result;
    } finally {
      this.running.delete(settled);
      if (--this.pending === 0) this.onIdle();
    }
  }
}
