// Changes to every task of one kind, including those not loaded on the page: one request each, which
// the server applies in one transaction (all or nothing).

import { request } from "./api.js";

export function setAllCompleted(completed) {
  return request("PATCH", `/tasks?completed=${!completed}`, { body: { completed } });
}

export function deleteAllCompleted() {
  return request("DELETE", "/tasks?completed=true");
}
