// Desktop notifications (the browser's Notifications API) for reminders, when the person turns them on
// (the browser's permission prompt only ever follows their click) and the browser allows them. Each
// notification that arrives while a page is open pops up once: the highest id seen is remembered in
// localStorage for this person, so a reload or another tab does not show it again, and nothing that
// came while no page was open pops up later (the list in the page has it).

import { agoText } from "./dates.js";
import { h } from "./dom.js";

const FRESH_MS = 5 * 60_000; // older than this when first seen: in the list, not popped up

export class DesktopNotifications {
  // email: whose notifications (what was shown is remembered per person); zone(): theirs;
  // onOpen(notification): the person clicked one.
  constructor({ email, zone, onOpen }) {
    Object.assign(this, { zone, onOpen });
    this.seenKey = `todo.notifications.seen.${email}`;
    this.offKey = `todo.notifications.desktop-off.${email}`;
    this.button = h("button", { type: "button", class: "desktop-toggle", onClick: () => this.toggle() });
    this.note = h("p", { class: "hint", "aria-live": "polite" });
    this.element = h("div", { class: "desktop" }, this.button, this.note);
    this.render();
  }

  get permission() {
    return "Notification" in window ? Notification.permission : "unsupported";
  }

  get enabled() {
    return this.permission === "granted" && localStorage.getItem(this.offKey) !== "true";
  }

  // As the button offered: on (asking the browser, which prompts the person unless already answered),
  // or off for this person in this browser.
  async toggle() {
    if (this.on) localStorage.setItem(this.offKey, "true");
    else {
      localStorage.removeItem(this.offKey);
      try {
        await Notification.requestPermission();
      } catch {
        // an old browser's callback-only version: the person can ask again
      }
    }
    this.render();
  }

  render() {
    const permission = this.permission;
    this.on = this.enabled;
    this.button.hidden = permission === "unsupported"; // (when blocked, it stays: it says why once more)
    const label = this.on ? "Turn off desktop notifications" : "Enable desktop notifications";
    if (this.button.textContent !== label) this.button.textContent = label;
    const notes = {
      unsupported: "This browser cannot show desktop notifications.",
      denied: "Desktop notifications are blocked for this site: allow them in the browser's site settings.",
    };
    this.note.textContent = notes[permission] ?? (this.on ? "Reminders also pop up on this device's desktop." : "");
  }

  // The latest notifications (newest first): those new since last seen pop up, oldest first.
  offer(notifications) {
    const newest = notifications.reduce((max, n) => Math.max(max, n.id), 0);
    const stored = localStorage.getItem(this.seenKey);
    const seen = stored === null ? null : Number(stored);
    if (seen === null || newest > seen) localStorage.setItem(this.seenKey, String(Math.max(newest, seen ?? 0)));
    if (seen === null || !this.enabled) return; // the first list this browser sees of theirs is all old news
    const now = Date.now();
    const fresh = notifications.filter((n) => n.id > seen && !n.read && n.sent_at && now - Date.parse(n.sent_at) < FRESH_MS);
    for (const notification of fresh.reverse()) this.show(notification);
  }

  show(notification) {
    try {
      const shown = new Notification(notification.title, {
        body: `Reminder · ${agoText(notification.remind_at, this.zone())}`,
        tag: `todo-notification-${notification.id}`,
      });
      shown.addEventListener("click", () => {
        window.focus();
        shown.close();
        this.onOpen(notification);
      });
    } catch {
      // Some browsers (Chrome on Android) show them only from a service worker: the list has it.
    }
  }
}
