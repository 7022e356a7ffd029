// Sign-in and sign-up: one form whose title, button, link and password hint change in place, so the
// Email field is never thrown away and keeps whatever is in it (typed, pasted or autofilled, even in
// the instant of the switch). The API validates; its answers become plain sentences in role="alert".

import { ApiError, request, session } from "./api.js";
import { h } from "./dom.js";

const MODES = {
  signin: {
    heading: "Sign in",
    submit: "Sign in",
    password: "current-password",
    question: "New here? ",
    link: ["#/signup", "Create an account"],
    documentTitle: "Sign in · Todos",
  },
  signup: {
    heading: "Create your account",
    submit: "Sign up",
    password: "new-password",
    question: "Already have an account? ",
    link: ["#/", "Sign in"],
    documentTitle: "Sign up · Todos",
  },
};

function field(id, text, type, autocomplete) {
  const input = h("input", { id, name: id, type, autocomplete, required: true, spellcheck: "false" });
  return [input, h("div", { class: "field" }, h("label", { for: id }, text), input)];
}

export class AuthView {
  // mode: "signin" or "signup"; notice: a sentence to show first (say, why the session ended).
  constructor({ mode, notice, onSignedIn }) {
    this.onSignedIn = onSignedIn;
    this.pending = false;
    this.heading = h("h1", { id: "auth-title" });
    this.alert = h("p", { class: "alert", role: "alert" });
    let emailField, passwordField;
    [this.email, emailField] = field("email", "Email", "email", "username");
    [this.password, passwordField] = field("password", "Password", "password", "current-password");
    this.button = h("button", { type: "submit", class: "primary" });
    this.question = document.createTextNode("");
    this.link = h("a");
    this.form = h(
      "form",
      { class: "auth-form", novalidate: true, "aria-labelledby": "auth-title", onSubmit: (e) => this.submit(e) },
      this.heading,
      this.alert,
      emailField,
      passwordField,
      this.button,
      h("p", { class: "switch" }, this.question, this.link),
    );
    this.element = h("section", { class: "card auth" }, h("p", { class: "brand", "aria-hidden": "true" }, "todos"), this.form);
    this.show(mode, notice);
  }

  // Switches the form in place. Email stays; the password does not: one typed to sign in is an existing
  // secret (perhaps another account's) and must not quietly become a new account's, nor stop a password
  // manager from offering a new one; one chosen for a new account is no account's password yet.
  show(mode, notice) {
    const switching = this.mode !== undefined && mode !== this.mode;
    if (mode !== this.mode) {
      this.mode = mode;
      const text = MODES[mode];
      this.heading.textContent = text.heading;
      this.button.textContent = text.submit;
      this.password.autocomplete = text.password;
      this.question.textContent = text.question;
      [this.link.href, this.link.textContent] = text.link;
      document.title = text.documentTitle;
    }
    if (notice !== undefined || switching) this.alert.textContent = notice ?? "";
    if (!switching) return;
    this.password.value = "";
    const typing = document.activeElement === this.email || document.activeElement === this.password;
    if (!typing) (this.email.value ? this.password : this.email).focus();
  }

  async submit(event) {
    event.preventDefault();
    if (this.pending) return; // a second click while the first is on its way does nothing
    this.pending = true;
    this.button.disabled = true;
    this.button.setAttribute("aria-busy", "true");
    this.alert.textContent = "";
    const [email, password] = [this.email.value, this.password.value];
    const signedUp = this.mode === "signup";
    try {
      if (signedUp) await request("POST", "/auth/signup", { body: { email, password }, auth: false });
      const { data } = await request("POST", "/auth/login", { body: { email, password }, auth: false });
      session.save(data.access_token);
      this.onSignedIn({ signedUp });
    } catch (error) {
      this.alert.textContent = error instanceof ApiError ? error.message : "Something went wrong — please try again";
      this.password.focus();
    } finally {
      this.pending = false;
      this.button.disabled = false;
      this.button.removeAttribute("aria-busy");
    }
  }
}
