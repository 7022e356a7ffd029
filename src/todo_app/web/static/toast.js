// A short message at the foot of the page, with an action (Undo) while it lasts. It lives in a polite
// live region that is always there, so screen readers read it out without moving the person's focus.
// It stays while pointed at or focused, closes with its × button or Escape, and its action also
// answers Ctrl+Z (⌘Z on a Mac) wherever the person is not typing into a field.

import { h, typingIn } from "./dom.js";

const SHOWN_MS = 6000;

export class Toast {
  // onLeave(): focus was in the toast when it closed: the page puts it somewhere useful.
  constructor({ onLeave }) {
    this.onLeave = onLeave;
    this.shown = 0; // which message is up (0: none)
    this.run = null;
    this.timer = null;
    this.text = h("span", { class: "toast-text" });
    this.action = h("button", { type: "button", class: "toast-action", "aria-keyshortcuts": "Control+Z Meta+Z", onClick: () => this.act() });
    this.close = h("button", { type: "button", class: "toast-close", "aria-label": "Dismiss", title: "Dismiss (Escape)", onClick: () => this.dismiss() }, "×");
    this.box = h(
      "div",
      {
        class: "toast",
        hidden: true,
        onMouseenter: () => this.hold(),
        onMouseleave: () => this.release(),
        onFocusin: () => this.hold(),
        onFocusout: (e) => {
          if (!this.box.contains(e.relatedTarget)) this.release();
        },
      },
      this.text,
      this.action,
      this.close,
    );
    this.element = h("div", { class: "toast-region", role: "status", "aria-live": "polite", "aria-label": "Notifications" }, this.box);
    this.keys = (e) => this.onKey(e);
    document.addEventListener("keydown", this.keys);
  }

  // Shows `message`, with a button `action.label` that calls `action.run()`. Returns the message's
  // number, for dismiss(number) to close it only if it is still the one shown.
  show(message, { action = null, duration = SHOWN_MS } = {}) {
    this.shown += 1;
    this.run = action?.run ?? null;
    this.duration = duration;
    this.text.textContent = message;
    this.action.textContent = action?.label ?? "";
    this.action.hidden = !action;
    this.box.hidden = false;
    if (!this.box.contains(document.activeElement)) this.release();
    return this.shown;
  }

  dismiss(which = this.shown) {
    if (which !== this.shown || this.box.hidden) return;
    const hadFocus = this.box.contains(document.activeElement);
    clearTimeout(this.timer);
    this.run = null;
    this.box.hidden = true;
    this.text.textContent = "";
    this.action.textContent = "";
    if (hadFocus) this.onLeave();
  }

  act() {
    const run = this.run;
    if (!run) return;
    this.dismiss();
    run();
  }

  hold() {
    clearTimeout(this.timer);
  }

  release() {
    clearTimeout(this.timer);
    const which = this.shown;
    this.timer = setTimeout(() => this.dismiss(which), this.duration);
  }

  onKey(event) {
    if (!this.element.isConnected) {
      document.removeEventListener("keydown", this.keys); // the page has gone
      return;
    }
    if (this.box.hidden || event.defaultPrevented || event.isComposing) return;
    const inToast = this.box.contains(event.target);
    if (event.key === "Escape" && (inToast || !typingIn(event.target))) {
      event.preventDefault();
      this.dismiss();
    } else if (event.key.toLowerCase() === "z" && (event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey) {
      if (!this.run || typingIn(event.target)) return; // a field's own undo
      event.preventDefault();
      this.act();
    }
  }
}
