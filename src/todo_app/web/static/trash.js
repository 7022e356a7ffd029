// The trash, as the API has it: deleted tasks (latest first) to restore or delete for good.

import { request, total } from "./api.js";

export const TRASH_PAGE = 100;
const BATCH_PAGE = 500; // the API's largest page

export async function trashPage(offset = 0, limit = TRASH_PAGE, background = false) {
  const { data, headers } = await request("GET", `/trash?limit=${limit}&offset=${offset}`, { background });
  return { tasks: data, total: total(headers) };
}

export function restoreFromTrash(id) {
  return request("POST", `/trash/${id}/restore`);
}

export function deleteForever(id) {
  return request("DELETE", `/trash/${id}`);
}

export function emptyTrash() {
  return request("DELETE", "/trash");
}

// The ids of the tasks one bulk delete moved to the trash: one change, so one version for them all.
// `someOf`: ids known to be among them (the latest deleted task stands in when none is known).
export async function lastBatch(someOf) {
  const ids = [];
  let version = null;
  for (let offset = 0; ; offset += BATCH_PAGE) {
    const { tasks, total: count } = await trashPage(offset, BATCH_PAGE);
    version ??= (tasks.find((t) => someOf.has(t.id)) ?? tasks[0])?.version ?? null;
    if (version === null) return ids;
    ids.push(...tasks.filter((t) => t.version === version).map((t) => t.id));
    // Latest deleted first: once a page ends past the batch, the rest of the trash is older.
    const past = tasks.length && tasks[tasks.length - 1].version !== version && ids.length > 0;
    if (past || offset + BATCH_PAGE >= count) return ids;
  }
}
