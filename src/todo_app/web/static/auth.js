// Sign-in and sign-up forms. The API validates; its answers become plain sentences in role="alert".

import { ApiError, request, session } from "./api.js";
import { h } from "./dom.js";

function field(id, text, type, autocomplete) {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, text),
    h("input", { id, name: id, type, autocomplete, required: true, spellcheck: "false" }),
  );
}

function authForm({ title, submitText, footer, notice, onSubmit }) {
  const alert = h("p", { class: "alert", role: "alert" }, notice ?? "");
  const button = h("button", { type: "submit", class: "primary" }, submitText);
  let pending = false;
  const form = h(
    "form",
    {
      class: "auth-form",
      novalidate: true,
      "aria-labelledby": "auth-title",
      onSubmit: async (event) => {
        event.preventDefault();
        if (pending) return; // a second click while the first is on its way does nothing
        pending = true;
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
        alert.textContent = "";
        try {
          await onSubmit(form.elements.email.value, form.elements.password.value);
        } catch (error) {
          alert.textContent = error instanceof ApiError ? error.message : "Something went wrong — please try again";
          form.elements.password.focus();
        } finally {
          pending = false;
          button.disabled = false;
          button.removeAttribute("aria-busy");
        }
      },
    },
    h("h1", { id: "auth-title" }, title),
    alert,
    field("email", "Email", "email", "username"),
    field("password", "Password", "password", submitText === "Sign up" ? "new-password" : "current-password"),
    button,
    h("p", { class: "switch" }, ...footer),
  );
  return form;
}

async function signIn(email, password) {
  const { data } = await request("POST", "/auth/login", { body: { email, password }, auth: false });
  session.save(data.access_token);
}

export function signInView({ notice, onSignedIn }) {
  return h(
    "section",
    { class: "card auth" },
    h("p", { class: "brand", "aria-hidden": "true" }, "todos"),
    authForm({
      title: "Sign in",
      submitText: "Sign in",
      notice,
      footer: ["New here? ", h("a", { href: "#/signup" }, "Create an account")],
      onSubmit: async (email, password) => {
        await signIn(email, password);
        onSignedIn();
      },
    }),
  );
}

export function signUpView({ onSignedIn }) {
  return h(
    "section",
    { class: "card auth" },
    h("p", { class: "brand", "aria-hidden": "true" }, "todos"),
    authForm({
      title: "Create your account",
      submitText: "Sign up",
      footer: ["Already have an account? ", h("a", { href: "#/" }, "Sign in")],
      onSubmit: async (email, password) => {
        await request("POST", "/auth/signup", { body: { email, password }, auth: false });
        await signIn(email, password);
        onSignedIn();
      },
    }),
  );
}
