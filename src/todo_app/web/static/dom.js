// Builds DOM nodes. Strings become text nodes, never markup: user data cannot inject HTML.

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const present = (children) => children.flat().filter((c) => c !== null && c !== undefined && c !== false);

export function replaceChildren(parent, ...children) {
  parent.replaceChildren(...present(children));
}

// Makes these nodes the parent's children, in order, moving only those out of place: a node that is
// moved or put back loses focus, so nodes already in place are left alone.
export function setChildren(parent, ...children) {
  const wanted = present(children);
  wanted.forEach((child, i) => {
    const at = parent.childNodes[i] ?? null;
    if (at !== child) parent.insertBefore(child, at);
  });
  while (parent.childNodes.length > wanted.length) parent.lastChild.remove();
}

const NOT_TYPING = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file", "image"]);

// Whether a key pressed here is typed into a field (so "/" is a slash and Ctrl+Z undoes typing,
// rather than being the page's shortcuts).
export function typingIn(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !NOT_TYPING.has(target.type);
}
