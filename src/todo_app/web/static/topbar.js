// Who is signed in, their time zone, and signing out.

import { request, session } from "./api.js";
import { h } from "./dom.js";
import { ZoneSetting } from "./zone-setting.js";

export class TopBar {
  // onZone(zone): resolves once the profile has it; onSignedOut(): the token is gone.
  constructor({ email, zone, onZone, onSignedOut }) {
    this.onSignedOut = onSignedOut;
    this.zone = new ZoneSetting({ zone, onChange: onZone });
    this.signOutButton = h("button", { type: "button", class: "signout", onClick: () => this.signOut() }, "Sign out");
    this.element = h(
      "header",
      { class: "topbar" },
      h("span", { class: "who" }, "Signed in as ", h("strong", {}, email)),
      this.zone.element,
      this.signOutButton,
    );
  }

  async signOut() {
    this.signOutButton.disabled = true;
    try {
      await request("POST", "/auth/logout");
    } catch {
      // signed out locally either way
    }
    session.clear();
    this.onSignedOut();
  }
}
