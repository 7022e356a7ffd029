// A task's reminders in words: {"before_minutes": n} before its due date and time, or {"at": "...Z"},
// an instant shown on the owner's wall clock. Also what the list item's bell says.

import { momentText } from "./dates.js";

export const MAX_REMINDERS = 5;
export const MAX_BEFORE_MINUTES = 40320; // four weeks, as the API allows

// The ready-made "before" choices of the reminder picker, in minutes.
export const BEFORE_CHOICES = [
  [0, "At due time"],
  [5, "5 minutes before"],
  [15, "15 minutes before"],
  [30, "30 minutes before"],
  [60, "1 hour before"],
  [1440, "1 day before"],
];

const count = (n, unit) => `${n} ${unit}${n === 1 ? "" : "s"}`;

// "At due time", "15 minutes before", "2 hours before", "1 day before", "1 week before".
export function beforeText(minutes) {
  if (minutes === 0) return "At due time";
  if (minutes % 10080 === 0) return `${count(minutes / 10080, "week")} before`;
  if (minutes % 1440 === 0) return `${count(minutes / 1440, "day")} before`;
  if (minutes % 60 === 0) return `${count(minutes / 60, "hour")} before`;
  return `${count(minutes, "minute")} before`;
}

// One reminder in words; zone and clock: the owner's (dates.js).
export function reminderText(reminder, zone, clock) {
  if ("before_minutes" in reminder) return beforeText(reminder.before_minutes);
  return momentText(reminder.at, zone, clock);
}

export const isRelative = (reminder) => "before_minutes" in reminder;

export const sameReminder = (a, b) => (isRelative(a) ? b.before_minutes === a.before_minutes : Date.parse(a.at) === Date.parse(b.at));

// What the bell on a list item says: "Reminders: 1 hour before; Tue, Dec 1 at 07:30".
export function remindersLabel(reminders, zone, clock) {
  const texts = reminders.map((r) => reminderText(r, zone, clock));
  return `${reminders.length === 1 ? "Reminder" : `${reminders.length} reminders`}: ${texts.join("; ")}`;
}
