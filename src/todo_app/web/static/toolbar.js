// Finding tasks: the views, the search box, the sort and the tags, over the list. Each control says
// what it wants changed; the page turns that into the URL hash and the list.

import { h } from "./dom.js";
import { ViewLinks } from "./filters.js";
import { SearchBox } from "./search.js";
import { SortSelect } from "./sort-select.js";
import { TagsBar } from "./tags-bar.js";

export class Toolbar {
  // onQuery(changes, how): "push" for a step Back can undo, "replace" while typing a search.
  constructor({ onQuery, onError }) {
    this.views = new ViewLinks();
    this.search = new SearchBox({ onSearch: (q) => onQuery({ q }, "replace") });
    this.sort = new SortSelect({ onSort: (sort) => onQuery({ sort }, "push") });
    this.tags = new TagsBar({ onTag: (tag) => onQuery({ tag }, "push"), onError });
    this.element = h(
      "section",
      { class: "toolbar", "aria-label": "Find tasks" },
      this.views.element,
      h("div", { class: "find" }, this.search.element, this.sort.element),
      this.tags.element,
    );
    this.activeTag = this.tags.note; // shown with the list: "Showing tasks tagged #work"
  }

  set(query) {
    this.views.set(query);
    this.search.set(query.q);
    this.sort.set(query.sort);
    this.tags.set(query.tag);
  }

  refreshTags() {
    return this.tags.refresh();
  }
}
