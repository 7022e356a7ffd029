// The person's tags (GET /tags) as buttons with their open-task counts: pressing one shows only the
// tasks with that tag, pressing it again shows all. The tag filter in force is also spelled out
// above the list with a button that removes it, whether or not the tag still exists.

import { SessionExpired, request } from "./api.js";
import { h } from "./dom.js";
import { KeyedList } from "./keyed-list.js";

export class TagsBar {
  // onTag(name or ""): show this tag only, or every tag again; onError(error): for the page.
  constructor({ onTag, onError }) {
    Object.assign(this, { onTag, onError });
    this.active = "";
    this.loads = 0;
    this.list = h("ul", { class: "tag-list" });
    this.buttons = new KeyedList(this.list, {
      key: (tag) => tag.name.toLowerCase(),
      create: () => new TagButton((name) => this.onTag(this.isActive(name) ? "" : name)),
      update: (view, tag) => view.update(tag, this.isActive(tag.name)),
    });
    this.tags = [];
    this.element = h("nav", { class: "tags", "aria-label": "Tags", hidden: true }, this.list);
    this.activeName = h("strong", {});
    this.note = h(
      "p",
      { class: "active-tag", hidden: true },
      "Showing tasks tagged ",
      this.activeName,
      " ",
      h("button", { type: "button", class: "link", onClick: () => this.onTag("") }, "Remove tag filter"),
    );
  }

  isActive(name) {
    return this.active !== "" && name.toLowerCase() === this.active.toLowerCase();
  }

  set(active) {
    this.active = active;
    this.activeName.textContent = `#${active}`;
    this.note.hidden = !active;
    this.render();
  }

  async refresh() {
    const ticket = ++this.loads;
    try {
      const { data } = await request("GET", "/tags");
      if (ticket !== this.loads) return;
      this.tags = data;
      this.render();
    } catch (error) {
      // The tags are a shortcut, not the task list: only an ended session is worth saying.
      if (error instanceof SessionExpired) this.onError(error);
    }
  }

  render() {
    this.buttons.render(this.tags);
    this.element.hidden = this.tags.length === 0;
  }
}

class TagButton {
  constructor(onPress) {
    this.name = h("span", { class: "name" });
    this.count = h("span", { class: "count" });
    this.button = h("button", { type: "button", class: "tag", onClick: () => onPress(this.tag.name) }, this.name, " ", this.count);
    this.element = h("li", {}, this.button);
  }

  update(tag, active) {
    this.tag = tag;
    const name = `#${tag.name}`;
    if (this.name.textContent !== name) this.name.textContent = name;
    if (this.count.textContent !== String(tag.open)) this.count.textContent = String(tag.open);
    this.button.title = `${tag.open} open, ${tag.tasks} in all`;
    this.button.setAttribute("aria-pressed", String(active));
  }
}
