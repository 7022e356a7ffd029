// The views (All, Active, Completed, Today, Upcoming, Overdue) as links: each keeps the current search,
// tag and sort, so following one changes only the view, and Back goes back to the one before.

import { h } from "./dom.js";
import { VIEWS, inView, toHash } from "./task-query.js";

export class ViewLinks {
  constructor() {
    this.links = VIEWS.map(([name, text]) => h("a", { href: `#/${name}`, dataset: { view: name } }, text));
    this.element = h("nav", { class: "views", "aria-label": "Views" }, h("ul", {}, this.links.map((a) => h("li", {}, a))));
  }

  set(query) {
    for (const link of this.links) {
      const { view } = link.dataset;
      link.href = toHash(inView(query, view));
      const current = view === query.view;
      link.classList.toggle("selected", current);
      if (current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }
}
