// Which view to show: sign-in / sign-up when signed out, the task list when signed in.

import { EXPIRED, SessionExpired, request, session } from "./api.js";
import { signInView, signUpView } from "./auth.js";
import { replaceChildren } from "./dom.js";
import { TaskPage } from "./tasks.js";

const root = document.getElementById("app");
let page = null;

function filterFromHash() {
  const route = location.hash.replace(/^#\/?/, "");
  return route === "active" || route === "completed" ? route : "all";
}

function showSignedOut(notice) {
  page = null;
  const onSignedIn = () => {
    if (location.hash === "#/signup") history.replaceState(null, "", "#/");
    showSignedIn();
  };
  const view = location.hash === "#/signup" ? signUpView({ onSignedIn }) : signInView({ notice, onSignedIn });
  replaceChildren(root, view);
  document.title = location.hash === "#/signup" ? "Sign up · Todos" : "Sign in · Todos";
  view.querySelector("input")?.focus();
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
