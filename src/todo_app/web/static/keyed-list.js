// A list of views keyed by id. A render updates each view's element in place and inserts, moves or
// removes elements by key; an element is never replaced while its key is shown, so whatever a person
// is pointing at, focusing or typing into survives every render.

export class KeyedList {
  // create(item) -> a view with an .element; update(view, item) brings it up to date in place.
  constructor(parent, { key, create, update }) {
    Object.assign(this, { parent, key, create, update });
    this.views = new Map();
  }

  get(key) {
    return this.views.get(String(key));
  }

  // The item once known as `from` is now `to` (say, a task the server has just given its id).
  rekey(from, to) {
    const view = this.views.get(String(from));
    if (!view) return;
    this.views.delete(String(from));
    this.views.set(String(to), view);
  }

  render(items) {
    const wanted = new Map(items.map((item) => [String(this.key(item)), item]));
    for (const [key, view] of this.views) {
      if (wanted.has(key)) continue;
      this.views.delete(key);
      view.element.remove();
    }
    const elements = [];
    for (const [key, item] of wanted) {
      let view = this.views.get(key);
      if (!view) this.views.set(key, (view = this.create(item)));
      this.update(view, item);
      elements.push(view.element);
    }
    arrange(this.parent, elements);
  }
}

// Put `elements` (the parent's only children once stale ones are gone) in order with the fewest
// moves: the longest run already in order stays, and so does the element holding focus, because
// moving a node blurs what is focused inside it.
function arrange(parent, elements) {
  const was = new Map([...parent.children].map((el, i) => [el, i]));
  const pin = elements.findIndex((el) => was.has(el) && el.contains(document.activeElement));
  const candidates = [];
  elements.forEach((el, n) => {
    if (!was.has(el)) return;
    // Only elements on the same side of the pinned one, before and after, can stay along with it.
    if (pin >= 0 && n !== pin && (n < pin) !== (was.get(el) < was.get(elements[pin]))) return;
    candidates.push(n);
  });
  const stay = longestIncreasingRun(candidates, (n) => was.get(elements[n]));
  if (pin >= 0) stay.add(pin);
  let next = null;
  for (let n = elements.length - 1; n >= 0; n--) {
    const el = elements[n];
    if (!stay.has(n) && (el.parentNode !== parent || el.nextSibling !== next)) parent.insertBefore(el, next);
    next = el;
  }
}

// The members of `seq` forming its longest subsequence with increasing value(member).
function longestIncreasingRun(seq, value) {
  const tails = []; // tails[k]: index in seq of the smallest last value of a run of length k + 1
  const previous = [];
  seq.forEach((member, i) => {
    const v = value(member);
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (value(seq[tails[mid]]) < v) lo = mid + 1;
      else hi = mid;
    }
    previous[i] = lo > 0 ? tails[lo - 1] : -1;
    tails[lo] = i;
  });
  const run = new Set();
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = previous[i]) run.add(seq[i]);
  return run;
}
