// The profile's time zone, which decides what "today" and "overdue" mean: shown, and changed with
// PATCH /auth/me. Right after sign-up the browser's own zone replaces the default "UTC".

import { request } from "./api.js";
import { browserZone, zoneNames } from "./dates.js";
import { h } from "./dom.js";

const UTC_NAMES = new Set(["UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Etc/Zulu"]);

// A new account is in UTC; a browser elsewhere knows better. Returns the profile as it now is.
export async function adoptBrowserZone(me) {
  const zone = browserZone();
  if (me.timezone !== "UTC" || !zone || UTC_NAMES.has(zone)) return me;
  try {
    return (await request("PATCH", "/auth/me", { body: { timezone: zone } })).data;
  } catch {
    return me; // the person can still choose it by hand
  }
}

export class ZoneSetting {
  // onChange(zone): resolves once the server has it; rejects (with the API's error) if refused.
  constructor({ zone, onChange }) {
    this.zone = zone;
    this.select = h(
      "select",
      { id: "timezone", onChange: () => this.change(onChange) },
      zoneNames(zone).map((name) => h("option", { value: name }, name.replace(/_/g, " "))),
    );
    this.select.value = zone;
    this.element = h("div", { class: "zone" }, h("label", { for: "timezone" }, "Time zone"), this.select);
  }

  async change(onChange) {
    const wanted = this.select.value;
    try {
      await onChange(wanted);
      this.zone = wanted;
    } catch {
      if (this.select.value === wanted) this.select.value = this.zone; // refused: the profile's zone
    }
  }
}
