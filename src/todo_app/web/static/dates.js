// Calendar days and clock times in the person's profile time zone, computed with Intl alone. A due date
// is a floating day ("YYYY-MM-DD"), so it is shown and compared as such, never turned into an instant.

const ENGLISH = (navigator.languages ?? [navigator.language]).find((tag) => /^en\b/i.test(tag)) ?? "en";

// The day and time it is now in `zone`: { today: "YYYY-MM-DD", time: "HH:MM:SS" }.
export function clockIn(zone, at = new Date()) {
  let format;
  try {
    format = partsFormat(zone);
  } catch {
    format = partsFormat("UTC"); // a zone this browser does not know: UTC rather than nothing
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return { today: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}:${parts.second}` };
}

function partsFormat(timeZone) {
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
}

const DAY_MS = 86_400_000;
const asDate = (day) => new Date(`${day}T00:00:00Z`);

export function addDays(day, n) {
  const date = asDate(day);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

// Open, and its day (or day and time) is before now: a date without a time is overdue the next day.
export function isOverdue(task, clock) {
  if (task.completed || !task.due_date) return false;
  if (task.due_date !== clock.today) return task.due_date < clock.today;
  return Boolean(task.due_time) && `${task.due_time}:00` < clock.time;
}

// "today", "tomorrow", "yesterday", a weekday within the coming week, else a short date.
export function dayName(day, clock) {
  const { today } = clock;
  if (day === today) return "today";
  if (day === addDays(today, 1)) return "tomorrow";
  if (day === addDays(today, -1)) return "yesterday";
  const options = { timeZone: "UTC" };
  if (day > today && day <= addDays(today, 6)) options.weekday = "long";
  else Object.assign(options, { weekday: "short", day: "numeric", month: "short" });
  if (options.weekday !== "long" && day.slice(0, 4) !== today.slice(0, 4)) options.year = "numeric";
  return new Intl.DateTimeFormat(ENGLISH, options).format(asDate(day));
}

// "Due tomorrow at 09:30", "Due Fri, Jan 9", or "" without a date.
export function dueText(dueDate, dueTime, clock) {
  if (!dueDate) return "";
  return `Due ${dayName(dueDate, clock)}${dueTime ? ` at ${dueTime}` : ""}`;
}

// Every IANA zone this browser knows, with `also` among them.
export function zoneNames(...also) {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set([...known, "UTC", ...also.filter(Boolean)])].sort();
}

export function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? null;
}

// When something happened (an ISO instant), for a person in `zone`: "just now", "5 minutes ago",
// "today at 14:05", "yesterday at 09:30", or a date ("Mon, Jan 5" / "Jan 5, 2025") with its time.
export function agoText(instant, zone, now = new Date()) {
  const at = new Date(instant);
  const minutes = Math.floor((now - at) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} ${minutes === 1 ? "minute" : "minutes"} ago`;
  let timeZone = zone;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
  } catch {
    timeZone = "UTC";
  }
  const clock = clockIn(timeZone, now);
  const day = clockIn(timeZone, at).today;
  const time = new Intl.DateTimeFormat(ENGLISH, { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
  if (day === clock.today) return `today at ${time}`;
  if (day === addDays(clock.today, -1)) return `yesterday at ${time}`;
  const options = { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" };
  if (day.slice(0, 4) !== clock.today.slice(0, 4)) options.year = "numeric";
  return `${new Intl.DateTimeFormat(ENGLISH, options).format(asDate(day))} at ${time}`;
}

// "Tuesday" for a day "YYYY-MM-DD".
export function weekdayName(day) {
  return new Intl.DateTimeFormat(ENGLISH, { timeZone: "UTC", weekday: "long" }).format(asDate(day));
}

// "Dec 1" for a day "YYYY-MM-DD".
export function monthDayName(day) {
  return new Intl.DateTimeFormat(ENGLISH, { timeZone: "UTC", month: "short", day: "numeric" }).format(asDate(day));
}

// Whether the day is the last of its month.
export const isLastOfMonth = (day) => addDays(day, 1).endsWith("-01");

// The wall clock in `zone` at an instant: "YYYY-MM-DDTHH:MM", as a datetime-local field takes it.
export function wallClock(instant, zone) {
  const { today, time } = clockIn(zone, new Date(instant));
  return `${today}T${time.slice(0, 5)}`;
}

// The instant (ISO, UTC) of a wall-clock time "YYYY-MM-DDTHH:MM" in `zone`. A time that happens twice
// (clocks going back) is the first; one that never happens (clocks going forward) takes the offset
// from before the change, as the server reads such times (02:30 becomes 03:30).
export function zonedInstant(local, zone) {
  const wall = Date.parse(`${local}:00Z`);
  const offsetAt = (ms) => Date.parse(`${wallClock(ms, zone)}:00Z`) - Math.floor(ms / 60_000) * 60_000;
  const before = wall - offsetAt(wall - DAY_MS);
  const after = wall - offsetAt(wall + DAY_MS);
  const real = [before, after].filter((at) => wallClock(at, zone) === local);
  const at = real.length ? Math.min(...real) : before;
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
}

// When an instant happens for a person in `zone`: "Today at 07:30", "Tuesday at 07:30", "Tue, Dec 1 at 07:30".
export function momentText(instant, zone, clock) {
  const [day, time] = wallClock(instant, zone).split("T");
  const name = dayName(day, clock);
  return `${name.charAt(0).toUpperCase()}${name.slice(1)} at ${time}`;
}
