// The server's events about this person's tasks (GET /events, Server-Sent Events), handed on in
// small batches. EventSource cannot send the bearer token, so each connection opens with a single-use
// ticket (POST /events/ticket); as it could only reconnect with that spent ticket, on any error it is
// closed and opened again with a new one and the id of the last event it got (the server replays what
// came since), waiting longer after each failure in a row. It stops when the session ends.

import { SessionExpired, request } from "./api.js";

const TYPES = ["task.created", "task.updated", "task.restored", "task.deleted"];
const BATCH_MS = 50; // events that come together are applied together
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;
const STABLE_MS = 10_000; // a connection that lasted this long starts the backoff over

export class LiveEvents {
  // onEvents([{ type, data, id }]): in the server's order; onReset(): what the page shows may have
  // missed changes (a first connection, or one that could not catch up): load it again.
  constructor({ onEvents, onReset }) {
    Object.assign(this, { onEvents, onReset });
    Object.assign(this, { source: null, lastId: null, failures: 0, stopped: false, retryTimer: null, batch: [], batchTimer: null });
    this.online = () => this.retryNow();
  }

  start() {
    if (this.stopped || this.source || this.connecting) return;
    window.addEventListener("online", this.online);
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.online);
    clearTimeout(this.retryTimer);
    clearTimeout(this.batchTimer);
    this.source?.close();
    this.source = null;
  }

  async connect() {
    this.connecting = true;
    let ticket;
    try {
      ({ data: { ticket } } = await request("POST", "/events/ticket", { background: true }));
    } catch (error) {
      // An ended session stops the stream; the next action the person takes says so.
      if (error instanceof SessionExpired) this.stop();
      else this.retry();
      return;
    } finally {
      this.connecting = false;
    }
    if (this.stopped) return;
    const resuming = this.lastId !== null;
    const params = new URLSearchParams({ ticket });
    if (resuming) params.set("last_event_id", this.lastId);
    const source = new EventSource(`/events?${params}`);
    this.source = source;
    let opened = 0;
    source.onopen = () => {
      opened = Date.now();
      if (!resuming) this.onReset(); // anything changed before the stream began is in a new load
    };
    source.onerror = () => {
      source.close();
      if (this.source !== source) return;
      this.source = null;
      if (opened && Date.now() - opened > STABLE_MS) this.failures = 0;
      if (!opened && resuming) this.lastId = null; // the server would not resume from there
      this.retry();
    };
    for (const type of TYPES) source.addEventListener(type, (e) => this.received(type, e));
    source.addEventListener("reset", () => {
      this.lastId = null;
      this.batch = [];
      this.onReset();
    });
  }

  received(type, event) {
    if (event.lastEventId) this.lastId = event.lastEventId;
    this.failures = 0;
    this.batch.push({ type, data: JSON.parse(event.data), id: event.lastEventId });
    if (this.batchTimer === null) this.batchTimer = setTimeout(() => this.deliver(), BATCH_MS);
  }

  deliver() {
    this.batchTimer = null;
    const batch = this.batch;
    this.batch = [];
    if (batch.length && !this.stopped) this.onEvents(batch);
  }

  retry() {
    if (this.stopped) return;
    const wait = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** this.failures);
    this.failures += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), wait * (0.75 + Math.random() / 2));
  }

  // Back online: no need to wait out the backoff.
  retryNow() {
    if (this.stopped || this.source || this.connecting) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }
}
