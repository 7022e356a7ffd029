// What the person's reminders produced (GET /notifications, newest first). A bell in the top bar says
// how many are unread and opens the list; opening one marks it read and shows its task. The list is
// asked for every 30 s while the page is visible (hidden too, when desktop notifications are on) and at
// once when the person comes back to the page. Items are kept by id and updated in place.

import { ApiError, SessionExpired, request } from "./api.js";
import { agoText } from "./dates.js";
import { DesktopNotifications } from "./desktop-notifications.js";
import { h, setChildren } from "./dom.js";
import { KeyedList } from "./keyed-list.js";

const POLL_MS = 30_000;
const PAGE = 20;
const MAX_PAGE = 200; // the API's largest page: a refresh keeps what "Load more" added, up to this

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

// The next page's address from `Link: <...>; rel="next"`, as a path on this origin.
function nextPage(headers) {
  const link = /<([^>]*)>\s*;\s*rel="?next"?/.exec(headers.get("Link") ?? "");
  if (!link) return null;
  const url = new URL(link[1], location.href);
  return url.pathname + url.search;
}

class NotificationItem {
  constructor(onOpen) {
    this.title = h("span", { class: "title" });
    this.when = h("time", {});
    this.late = h("span", { class: "badge late" }, "late");
    this.missed = h("span", { class: "badge missed" }, "missed");
    this.what = document.createTextNode("Reminder · ");
    this.meta = h("span", { class: "meta" });
    this.button = h("button", { type: "button", class: "open", onClick: () => onOpen(this.notification) }, this.title, this.meta);
    this.element = h("li", { class: "notification" }, this.button);
  }

  update(notification, zone) {
    this.notification = notification;
    this.element.classList.toggle("unread", !notification.read);
    setText(this.title, notification.title);
    const when = agoText(notification.remind_at, zone);
    this.when.dateTime = notification.remind_at;
    setText(this.when, when);
    // Missed: it fell due while no server was running to send it (sent_at null); late: sent well after.
    const missed = notification.sent_at === null;
    const late = !missed && notification.late;
    setChildren(this.meta, this.what, this.when, missed ? this.missed : late && this.late);
    const label = `${notification.read ? "" : "Unread: "}${notification.title}. Reminder ${when}${missed ? ", missed" : late ? ", late" : ""}`;
    if (this.button.getAttribute("aria-label") !== label) this.button.setAttribute("aria-label", label);
  }
}

export class NotificationCenter {
  // email: whose; zone(): the owner's time zone; openTask(notification): show its task (it is marked
  // read meanwhile); onError(error): a failure the page handles (an ended session).
  constructor({ email, zone, openTask, onError }) {
    Object.assign(this, { zone, openTask, onError });
    Object.assign(this, { items: [], unread: 0, next: null, loaded: false, loads: 0, timer: null, busy: false, again: false });
    this.desktop = new DesktopNotifications({ email, zone, onOpen: (n) => this.open(n) });
    this.count = h("span", { class: "unread-count", "aria-hidden": "true" });
    this.button = h(
      "button",
      { type: "button", class: "bell-button", "aria-expanded": "false", "aria-controls": "notifications", onClick: () => this.toggle() },
      h("span", { class: "icon bell", "aria-hidden": "true" }),
      this.count,
    );
    this.heading = h("h2", { id: "notifications-heading", tabindex: -1 }, "Notifications");
    this.markAll = h("button", { type: "button", class: "mark-all", onClick: () => this.readAll() }, "Mark all read");
    const close = h("button", { type: "button", class: "close", "aria-label": "Close notifications", onClick: () => this.hide(true) }, "×");
    this.alert = h("p", { class: "alert", role: "alert" });
    this.list = h("ul", { class: "notification-list", "aria-labelledby": this.heading.id });
    this.rows = new KeyedList(this.list, {
      key: (n) => n.id,
      create: () => new NotificationItem((n) => this.open(n)),
      update: (row, n) => row.update(n, this.zone()),
    });
    this.empty = h("p", { class: "empty", role: "status" });
    this.more = h("button", { type: "button", class: "more", hidden: true, onClick: () => this.loadMore() }, "Load more");
    this.element = h(
      "section",
      {
        id: "notifications",
        class: "card notifications",
        "aria-labelledby": this.heading.id,
        hidden: true,
        onKeydown: (e) => {
          if (e.key === "Escape" && !e.defaultPrevented) {
            e.preventDefault();
            this.hide(true);
          }
        },
      },
      h("div", { class: "notifications-head" }, this.heading, this.markAll, close),
      this.alert,
      this.desktop.element,
      this.list,
      this.empty,
      this.more,
    );
    this.comeBack = () => {
      if (!document.hidden) this.refresh();
    };
    this.render();
  }

  get shown() {
    return !this.element.hidden;
  }

  start() {
    this.timer = setInterval(() => this.tick(), POLL_MS);
    document.addEventListener("visibilitychange", this.comeBack);
    window.addEventListener("focus", this.comeBack);
    this.refresh();
  }

  stop() {
    clearInterval(this.timer);
    document.removeEventListener("visibilitychange", this.comeBack);
    window.removeEventListener("focus", this.comeBack);
  }

  tick() {
    if (!this.element.isConnected) return this.stop(); // the page has gone
    if (!document.hidden || this.desktop.enabled) this.refresh();
  }

  // The latest ones and how many are unread, in the background (a failure waits for the next turn).
  async refresh() {
    if (this.busy) {
      this.again = true; // asked again while on its way: once more after it
      return;
    }
    this.busy = true;
    const ticket = ++this.loads; // a change made here meanwhile makes this answer out of date
    try {
      const limit = Math.min(Math.max(this.items.length, PAGE), MAX_PAGE);
      const { data, headers } = await request("GET", `/notifications?limit=${limit}`, { background: true });
      if (ticket !== this.loads) return;
      const unread = Number.parseInt(headers.get("X-Unread-Count") ?? "", 10);
      Object.assign(this, { items: data, next: nextPage(headers), loaded: true });
      this.unread = Number.isNaN(unread) ? data.filter((n) => !n.read).length : unread;
      this.alert.textContent = "";
      this.render();
      this.desktop.offer(data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error instanceof SessionExpired) this.stop(); // the person's next action says so
      else if (this.shown) this.fail(error, "Could not load the notifications");
    } finally {
      this.busy = false;
      this.desktop.render(); // (permission may have changed in the browser's settings)
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    }
  }

  async loadMore() {
    if (!this.next || this.more.disabled) return;
    this.more.disabled = true;
    try {
      const { data, headers } = await request("GET", this.next);
      const known = new Set(this.items.map((n) => n.id));
      this.items.push(...data.filter((n) => !known.has(n.id)));
      this.next = nextPage(headers);
      this.render();
    } catch (error) {
      this.fail(error, "Could not load more notifications");
    } finally {
      this.more.disabled = false;
    }
  }

  render() {
    this.rows.render(this.items);
    const n = this.unread;
    setText(this.count, n > 99 ? "99+" : String(n));
    this.count.hidden = n === 0;
    this.button.setAttribute("aria-label", `${n || "No"} unread notification${n === 1 ? "" : "s"}`);
    this.button.title = "Notifications";
    this.markAll.hidden = n === 0;
    const none = this.loaded && this.items.length === 0;
    setText(this.empty, none ? "No notifications yet. Reminders you set on tasks show up here." : "");
    this.more.hidden = !this.next;
  }

  toggle() {
    if (this.shown) this.hide(true);
    else this.show();
  }

  show() {
    this.element.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    this.heading.focus();
    this.refresh();
  }

  // refocus: put focus back on the bell (the person closed the list, rather than going somewhere).
  hide(refocus) {
    if (!this.shown) return;
    const hadFocus = this.element.contains(document.activeElement);
    this.element.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
    if (refocus || (hadFocus && !this.element.contains(document.activeElement))) this.button.focus();
  }

  // Opening one: it is read, and its task shows.
  async open(notification) {
    const marking = notification.read ? null : this.markRead(notification);
    this.hide(false);
    await this.openTask(notification);
    await marking;
  }

  async markRead(notification) {
    this.loads += 1;
    notification.read = true;
    this.unread = Math.max(0, this.unread - 1);
    this.render();
    try {
      await request("POST", `/notifications/${notification.id}/read`);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) this.fail(error, "Could not mark the notification read");
    }
    this.refresh();
  }

  async readAll() {
    this.loads += 1;
    for (const n of this.items) n.read = true;
    this.unread = 0;
    this.heading.focus(); // Mark all read goes away with the last unread one
    this.render();
    try {
      await request("POST", "/notifications/read-all");
    } catch (error) {
      this.fail(error, "Could not mark the notifications read");
    }
    this.refresh();
  }

  fail(error, prefix) {
    if (error instanceof SessionExpired) this.onError(error);
    else this.alert.textContent = `${prefix}. ${error instanceof ApiError ? error.message : "Something went wrong"}`;
  }
}
