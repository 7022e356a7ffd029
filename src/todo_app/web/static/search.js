// The search box: "Search tasks", q= in the URL hash. Typing searches after a short pause, Enter at
// once; "/" anywhere on the page (unless typing in a field) puts the cursor in it.

import { h, typingIn } from "./dom.js";

const DEBOUNCE_MS = 250;

export class SearchBox {
  // onSearch(q): the search text has changed (after the pause, or at once on Enter).
  constructor({ onSearch }) {
    this.onSearch = onSearch;
    this.timer = null;
    this.input = h("input", {
      id: "search",
      type: "search",
      class: "search",
      placeholder: "Search (press /)",
      autocomplete: "off",
      spellcheck: "false",
      enterkeyhint: "search",
      onInput: () => {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.search(), DEBOUNCE_MS);
      },
      onKeydown: (e) => {
        if (e.key === "Enter" && !e.isComposing) this.search();
      },
    });
    this.element = h("div", { class: "search-box" }, h("label", { for: "search", class: "visually-hidden" }, "Search tasks"), this.input);
    this.shortcut = (e) => this.onShortcut(e);
    document.addEventListener("keydown", this.shortcut);
  }

  search() {
    clearTimeout(this.timer);
    this.timer = null;
    this.onSearch(this.input.value);
  }

  onShortcut(event) {
    if (!this.input.isConnected) {
      document.removeEventListener("keydown", this.shortcut); // the page has gone
      return;
    }
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (event.defaultPrevented || typingIn(event.target)) return;
    event.preventDefault();
    this.input.focus();
    this.input.select();
  }

  // The search shown, from the URL: a draft being typed (not yet searched) is left alone.
  set(q) {
    if (this.timer !== null && document.activeElement === this.input) return;
    if (this.input.value !== q) this.input.value = q;
  }
}
