// How a task repeats, in words: the repeat picker's choices for a due date (each an RFC 5545 RRULE the
// server understands), the choice an existing rule matches, and the short text on the list item. The
// server checks every rule; nothing here computes dates.

import { isLastOfMonth, monthDayName, weekdayName } from "./dates.js";

const DAY_CODES = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]; // Date#getUTCDay order
const WORKDAYS = "MO,TU,WE,TH,FR";
const DAY_NAMES = { MO: "Monday", TU: "Tuesday", WE: "Wednesday", TH: "Thursday", FR: "Friday", SA: "Saturday", SU: "Sunday" };

// The repeat choices, in the order the picker lists them ("never" and "custom" have no preset rule).
export const CHOICES = ["never", "daily", "weekdays", "weekly", "monthly", "monthly-last", "yearly", "custom"];

function dayParts(day) {
  const date = new Date(`${day}T00:00:00Z`);
  return { code: DAY_CODES[date.getUTCDay()], month: date.getUTCMonth() + 1, date: date.getUTCDate() };
}

// The preset rule of each choice for a task due on `day` (a choice that follows the due date has
// none without one).
export function presetRules(day) {
  const rules = { daily: "FREQ=DAILY", weekdays: `FREQ=WEEKLY;BYDAY=${WORKDAYS}`, "monthly-last": "FREQ=MONTHLY;BYMONTHDAY=-1" };
  if (!day) return rules;
  const { code, month, date } = dayParts(day);
  return {
    ...rules,
    weekly: `FREQ=WEEKLY;BYDAY=${code}`,
    monthly: `FREQ=MONTHLY;BYMONTHDAY=${date}`,
    yearly: `FREQ=YEARLY;BYMONTH=${month};BYMONTHDAY=${date}`,
  };
}

// The label of each choice, following the due date ("Weekly on Tuesday").
export function choiceLabels(day) {
  const labels = {
    never: "Never",
    daily: "Daily",
    weekdays: "Weekdays (Monday to Friday)",
    weekly: "Weekly",
    monthly: "Monthly",
    "monthly-last": "Monthly on the last day",
    yearly: "Yearly",
    custom: "Custom…",
  };
  if (!day) return labels;
  return {
    ...labels,
    weekly: `Weekly on ${weekdayName(day)}`,
    monthly: `Monthly on day ${dayParts(day).date}`,
    yearly: `Yearly on ${monthDayName(day)}`,
  };
}

// Whether the picker offers "Monthly on the last day" for this due date.
export const offersLastDay = (day) => Boolean(day) && isLastOfMonth(day);

// The choice a rule is, for a task due on `day`: a preset, or "custom" (null rule: "never").
export function choiceOf(rule, day) {
  if (!rule) return "never";
  const presets = presetRules(day);
  const found = Object.entries(presets).find(([, preset]) => preset === rule.toUpperCase());
  return found ? found[0] : "custom";
}

// "FREQ=WEEKLY;INTERVAL=2" -> { FREQ: "WEEKLY", INTERVAL: "2" }
function ruleParts(rule) {
  const parts = {};
  for (const part of rule.toUpperCase().replace(/^RRULE:/, "").split(";")) {
    const [key, value] = part.split("=").map((s) => s.trim());
    if (key && value) parts[key] = value;
  }
  return parts;
}

const plural = (n, one, many) => (n === 1 ? one : `every ${n} ${many}`);

// What the list item says of a recurrence: { short: "Weekly", long: "Repeats weekly on Tuesday" }.
export function repeatText(recurrence) {
  const parts = ruleParts(recurrence.rule);
  const n = Number.parseInt(parts.INTERVAL ?? "1", 10) || 1;
  const days = (parts.BYDAY ?? "").split(",").filter(Boolean);
  const monthDay = parts.BYMONTHDAY;
  let short;
  let detail = "";
  switch (parts.FREQ) {
    case "DAILY":
      short = plural(n, "daily", "days");
      break;
    case "WEEKLY":
      if (n === 1 && days.join(",") === WORKDAYS) short = "on weekdays";
      else {
        short = plural(n, "weekly", "weeks");
        if (days.length && days.every((d) => DAY_NAMES[d])) detail = ` on ${days.map((d) => DAY_NAMES[d]).join(", ")}`;
      }
      break;
    case "MONTHLY":
      short = plural(n, "monthly", "months");
      if (monthDay === "-1") detail = " on the last day";
      else if (/^\d+$/.test(monthDay ?? "")) detail = ` on day ${monthDay}`;
      break;
    case "YEARLY":
      short = plural(n, "yearly", "years");
      break;
    default:
      short = "on a custom rule";
  }
  const from = recurrence.from === "completion" ? ", counted from completion" : "";
  const word = { "on weekdays": "weekdays", "on a custom rule": "custom" }[short] ?? short;
  return { short: word.charAt(0).toUpperCase() + word.slice(1), long: `Repeats ${short}${detail}${from}` };
}
