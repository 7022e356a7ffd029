// "Sort by": every order the API offers, by name; sort= in the URL hash.

import { h } from "./dom.js";
import { SORTS } from "./task-query.js";

export class SortSelect {
  constructor({ onSort }) {
    this.select = h(
      "select",
      { id: "sort", onChange: () => onSort(this.select.value) },
      SORTS.map(([value, text]) => h("option", { value }, text)),
    );
    this.element = h("div", { class: "sort" }, h("label", { for: "sort" }, "Sort by"), this.select);
  }

  set(sort) {
    if (this.select.value !== sort) this.select.value = sort;
  }
}
