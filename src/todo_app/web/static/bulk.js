// Changes to every task of one kind, including those not loaded on the page, through the API.

import { request, total } from "./api.js";

const BATCH = 6; // requests in flight at once

async function idsWhere(completed) {
  const ids = [];
  for (let offset = 0; ; offset += 500) {
    const { data, headers } = await request("GET", `/tasks?limit=500&offset=${offset}&completed=${completed}`);
    ids.push(...data.map((task) => task.id));
    if (data.length === 0 || offset + data.length >= total(headers)) return ids;
  }
}

async function inBatches(ids, call) {
  for (let i = 0; i < ids.length; i += BATCH) await Promise.all(ids.slice(i, i + BATCH).map(call));
}

export async function setAllCompleted(completed) {
  const ids = await idsWhere(!completed);
  await inBatches(ids, (id) => request("PATCH", `/tasks/${id}`, { body: { completed } }));
}

export async function deleteAllCompleted() {
  const ids = await idsWhere(true);
  await inBatches(ids, (id) => request("DELETE", `/tasks/${id}`));
}
