// The public JSON API, exactly as any other client uses it: bearer token, JSON bodies.

const TOKEN_KEY = "todo.token";
export const EXPIRED = "Your session has expired — please sign in again";
const OFFLINE = "Cannot reach the server";

export const session = {
  get token() {
    return localStorage.getItem(TOKEN_KEY);
  },
  save(token) {
    localStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    localStorage.removeItem(TOKEN_KEY);
  },
};

// detail: the body's `detail` as the API sent it (a string, or FastAPI's list of field errors).
export class ApiError extends Error {
  constructor(status, message, detail = null) {
    super(message);
    this.status = status;
    this.detail = detail;
  }
}

// The token is missing, expired or revoked: the person has to sign in again.
export class SessionExpired extends ApiError {
  constructor() {
    super(401, EXPIRED);
  }
}

// The task changed elsewhere since the version a change was made on (HTTP 412): nothing was changed,
// and `task` is the task as it is now.
export class Changed extends ApiError {
  constructor(task) {
    super(412, "This task was changed elsewhere");
    this.task = task;
  }
}

// ifMatch: the task version the change is made on (sent as If-Match; a 412 throws Changed).
// background: not asked for by the person; an ended session is then theirs to find on their next
// action (the page stays as it is until then), so it is not forgotten here.
export async function request(method, path, { body, auth = true, ifMatch, background = false } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (ifMatch !== undefined) headers["If-Match"] = `"${ifMatch}"`;
  const token = session.token;
  if (auth) {
    if (!token) throw new SessionExpired();
    headers.Authorization = `Bearer ${token}`;
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, OFFLINE);
  }
  if (response.status === 401 && auth) {
    if (!background && session.token === token) session.clear(); // (not a session begun since)
    throw new SessionExpired();
  }
  if (response.status === 412 && ifMatch !== undefined) throw new Changed(await response.json());
  if (!response.ok) {
    const detail = await detailOf(response);
    throw new ApiError(response.status, describe(response.status, detail), detail);
  }
  const data = response.status === 204 ? null : await response.json();
  return { data, headers: response.headers };
}

export function total(headers) {
  return Number.parseInt(headers.get("X-Total-Count") ?? "0", 10);
}

async function detailOf(response) {
  try {
    return (await response.json()).detail ?? null;
  } catch {
    return null; // not JSON: the status says it
  }
}

function describe(status, detail) {
  switch (status) {
    case 401:
      return "Incorrect email or password";
    case 409:
      return typeof detail === "string" ? detail : "An account with this email already exists";
    case 413:
      return "That is too long to send";
    case 422:
      if (Array.isArray(detail)) return [...new Set(detail.map(fieldMessage))].join(" ");
      break;
    case 429:
      return typeof detail === "string" ? detail : "Too many attempts — please wait a moment";
    default:
      if (status >= 500) return "The server could not do that just now — please try again";
  }
  return typeof detail === "string" ? detail : `The request failed (HTTP ${status})`;
}

// One FastAPI/pydantic validation error -> one plain sentence.
function fieldMessage(error) {
  const field = Array.isArray(error?.loc) ? error.loc[error.loc.length - 1] : null;
  const type = String(error?.type ?? "");
  if (type.startsWith("password_") || type === "nul_character" || type === "invalid_unicode") return error.msg;
  if (type === "missing") return `${label(field)} is required.`;
  if (field === "email") return "Enter a valid email address.";
  if (field === "title") {
    if (type === "string_too_long") return "A title can be at most 200 characters.";
    if (type === "string_too_short") return "A title cannot be empty.";
  }
  if (field === "description" && type === "string_too_long") return "A description can be at most 1000 characters.";
  return typeof error?.msg === "string" ? error.msg : "Some input was not accepted.";
}

function label(field) {
  const name = String(field ?? "A value").replace(/_/g, " ");
  return name.charAt(0).toUpperCase() + name.slice(1);
}
