// Which view to show: sign-in / sign-up when signed out, the task list when signed in.

import { EXPIRED, SessionExpired, request, session } from "./api.js";
import { AuthView } from "./auth.js";
import { replaceChildren } from "./dom.js";
import { TaskPage } from "./tasks.js";
import { adoptBrowserZone } from "./zone-setting.js";

const root = document.getElementById("app");
let page = null;
let auth = null; // the sign-in / sign-up form while it is shown

function showSignedOut(notice) {
  page?.close();
  page = null;
  const mode = location.hash === "#/signup" ? "signup" : "signin";
  if (auth) {
    auth.show(mode, notice); // in place: what is in Email stays
    return;
  }
  const onSignedIn = ({ signedUp }) => {
    if (location.hash === "#/signup") history.replaceState(null, "", "#/");
    showSignedIn({ signedUp });
  };
  auth = new AuthView({ mode, notice, onSignedIn });
  replaceChildren(root, auth.element);
  auth.email.focus();
}

// signedUp: the account is brand new, so its time zone is still the default one.
async function showSignedIn({ signedUp = false } = {}) {
  let me;
  try {
    ({ data: me } = await request("GET", "/auth/me"));
    if (signedUp) me = await adoptBrowserZone(me);
  } catch (error) {
    showSignedOut(error instanceof SessionExpired ? EXPIRED : error.message);
    return;
  }
  const shown = new TaskPage({
    email: me.email,
    zone: me.timezone ?? "UTC",
    hash: location.hash,
    onSignedOut: (notice) => {
      if (page === shown) showSignedOut(notice); // (a page already closed has nothing to say)
    },
  });
  page = shown;
  auth = null;
  replaceChildren(root, page.element);
  document.title = "Todos";
  page.focusStart();
  await page.load();
}

window.addEventListener("hashchange", () => {
  if (page) page.route(location.hash);
  else showSignedOut();
});

if (session.token) showSignedIn();
else showSignedOut();
