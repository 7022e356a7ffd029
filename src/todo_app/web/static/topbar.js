// Who is signed in, their time zone, the trash, the notifications' bell, and signing out.

import { request, session } from "./api.js";
import { h } from "./dom.js";
import { ZoneSetting } from "./zone-setting.js";

export class TopBar {
  // onZone(zone): resolves once the profile has it; beforeSignOut(): resolves once the changes on
  // their way are saved (the token they carry is about to end); onSignedOut(): the token is gone;
  // bell: the button that opens the notifications (notifications.js).
  constructor({ email, zone, onZone, beforeSignOut, onSignedOut, bell }) {
    Object.assign(this, { beforeSignOut, onSignedOut });
    this.zone = new ZoneSetting({ zone, onChange: onZone });
    this.signOutButton = h("button", { type: "button", class: "signout", onClick: () => this.signOut() }, "Sign out");
    this.trashLink = h("a", { href: "#/trash", class: "trash-link" }, "Trash");
    this.element = h(
      "header",
      { class: "topbar" },
      h("span", { class: "who" }, "Signed in as ", h("strong", {}, email)),
      this.zone.element,
      h("div", { class: "actions" }, this.trashLink, bell, this.signOutButton),
    );
  }

  // "trash" while the trash is shown (its link is then the current page), else "tasks".
  showing(view) {
    if (view === "trash") this.trashLink.setAttribute("aria-current", "page");
    else this.trashLink.removeAttribute("aria-current");
  }

  async signOut() {
    this.signOutButton.disabled = true;
    await this.beforeSignOut();
    try {
      await request("POST", "/auth/logout");
    } catch {
      // signed out locally either way
    }
    session.clear();
    this.onSignedOut();
  }
}
