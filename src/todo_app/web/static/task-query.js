// What the task list shows: a view, a search, a tag and a sort. It lives in the URL hash
// ("#/today?q=milk&tag=work&sort=title"), becomes a GET /tasks query, and tells whether one task
// belongs in the list, so a change made here can show or hide it before the server's next answer.

import { addDays, isOverdue } from "./dates.js";

export const VIEWS = [
  ["all", "All"],
  ["active", "Active"],
  ["completed", "Completed"],
  ["today", "Today"],
  ["upcoming", "Upcoming"],
  ["overdue", "Overdue"],
];

export const SORTS = [
  ["-created", "Newest first"],
  ["created", "Oldest first"],
  ["due", "Due date, soonest first"],
  ["-due", "Due date, latest first"],
  ["priority", "Priority, most urgent first"],
  ["-priority", "Priority, least urgent first"],
  ["title", "Title, A to Z"],
  ["-title", "Title, Z to A"],
  ["-updated", "Recently updated first"],
  ["updated", "Least recently updated first"],
];

const VIEW_NAMES = new Set(VIEWS.map(([name]) => name));
const SORT_NAMES = new Set(SORTS.map(([name]) => name));
const DATED = new Set(["today", "upcoming", "overdue"]);
const UPCOMING_DAYS = 7; // today and the six days after it

// The views about due dates list the soonest first; the others, the newest.
const defaultSort = (view) => (DATED.has(view) ? "due" : "-created");
export const isDated = (view) => DATED.has(view);

export function parseHash(hash) {
  const route = hash.replace(/^#\/?/, "");
  const at = route.indexOf("?");
  const path = at < 0 ? route : route.slice(0, at);
  const params = new URLSearchParams(at < 0 ? "" : route.slice(at + 1));
  const view = VIEW_NAMES.has(path) ? path : "all";
  const sort = params.get("sort");
  return {
    view,
    q: params.get("q") ?? "",
    tag: (params.get("tag") ?? "").trim(),
    sort: SORT_NAMES.has(sort) ? sort : defaultSort(view),
  };
}

export function toHash({ view, q, tag, sort }) {
  const params = new URLSearchParams();
  if (q.trim()) params.set("q", q);
  if (tag) params.set("tag", tag);
  if (sort !== defaultSort(view)) params.set("sort", sort);
  const search = params.toString();
  return `#/${view === "all" ? "" : view}${search ? `?${search}` : ""}`;
}

// The same search, tag and sort in another view; a sort left at one view's default takes the other's.
export function inView(query, view) {
  const sort = query.sort === defaultSort(query.view) ? defaultSort(view) : query.sort;
  return { ...query, view, sort };
}

export function sameQuery(a, b) {
  return a.view === b.view && a.q.trim() === b.q.trim() && a.tag === b.tag && a.sort === b.sort;
}

// GET /tasks for the first page of this query; "today" is the day in the person's own zone.
export function listPath(query, clock, limit) {
  const params = new URLSearchParams({ limit: String(limit) });
  const { today } = clock;
  const dated = (last) => ({ completed: "false", due_after: today, due_before: last });
  const filters = {
    active: { completed: "false" },
    completed: { completed: "true" },
    today: dated(today),
    upcoming: dated(addDays(today, UPCOMING_DAYS - 1)),
    overdue: { overdue: "true" },
  }[query.view];
  for (const [key, value] of Object.entries(filters ?? {})) params.set(key, value);
  if (query.q.trim()) params.set("q", query.q.trim());
  if (query.tag) params.set("tag", query.tag);
  if (query.sort !== "-created") params.set("sort", query.sort);
  return `/tasks?${params}`;
}

// Whether the server would list this task under this query (as far as the page can tell).
export function matches(task, query, clock) {
  const { today } = clock;
  const inView = {
    all: () => true,
    active: () => !task.completed,
    completed: () => task.completed,
    today: () => !task.completed && task.due_date === today,
    upcoming: () => !task.completed && Boolean(task.due_date) && task.due_date >= today && task.due_date <= addDays(today, UPCOMING_DAYS - 1),
    overdue: () => isOverdue(task, clock),
  }[query.view];
  if (!inView()) return false;
  const tag = query.tag.toLowerCase();
  if (tag && !(task.tags ?? []).some((t) => t.toLowerCase() === tag)) return false;
  const words = query.q.toLowerCase().split(/\s+/).filter(Boolean);
  const text = [task.title, task.description ?? ""].map((s) => s.toLowerCase());
  return words.every((word) => text.some((s) => s.includes(word)));
}
