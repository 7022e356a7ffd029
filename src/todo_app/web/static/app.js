// Which view to show: sign-in / sign-up when signed out, the task list when signed in.

import { EXPIRED, SessionExpired, request, session } from "./api.js";
import { AuthView } from "./auth.js";
import { replaceChildren } from "./dom.js";
import { TaskPage } from "./tasks.js";

const root = document.getElementById("app");
let page = null;
let auth = null; // the sign-in / sign-up form while it is shown

function filterFromHash() {
  const route = location.hash.replace(/^#\/?/, "");
  return route === "active" || route === "completed" ? route : "all";
}

function showSignedOut(notice) {
  page = null;
  const mode = location.hash === "#/signup" ? "signup" : "signin";
  if (auth) {
    auth.show(mode, notice); // in place: what is in Email stays
    return;
  }
  const onSignedIn = () => {
    if (location.hash === "#/signup") history.replaceState(null, "", "#/");
    showSignedIn();
  };
  auth = new AuthView({ mode, notice, onSignedIn });
  replaceChildren(root, auth.element);
  auth.email.focus();
}

async function showSignedIn() {
  let me;
  try {
    ({ data: me } = await request("GET", "/auth/me"));
  } catch (error) {
    showSignedOut(error instanceof SessionExpired ? EXPIRED : error.message);
    return;
  }
  page = new TaskPage({
    email: me.email,
    filter: filterFromHash(),
    onSignedOut: (notice) => showSignedOut(notice),
  });
  auth = null;
  replaceChildren(root, page.element);
  document.title = "Todos";
  page.newTask.focus();
  await page.load();
}

window.addEventListener("hashchange", () => {
  if (page) page.setFilter(filterFromHash());
  else showSignedOut();
});

if (session.token) showSignedIn();
else showSignedOut();
