// Whether agents accept chats, and the "leave us a message" form shown when none does.

import { setVisitorName, visitorName } from "./composer.js";
import { EMAIL_RE, MAX_EMAIL, MAX_NAME, MAX_TEXT } from "./config.js";
import { ready, request } from "./connection.js";
import { el, icon } from "./dom.js";
import { focusComposer, isOpen, ui, updateChrome } from "./panel.js";
import { K_AVAILABLE, K_NAME, K_OFFLINE_SENT, session, store } from "./storage.js";
import { T } from "./strings.js";
import { uuid } from "./uuid.js";

// Whether any agent accepts chats (login result, `availability` pushes). Until this page hears
// from the server, the last value seen in this tab, else "yes" (the composer).
export let agentsAvailable = true;
export let offlineSent = false;
let offlineClientId = null; // one client_id per offline message, reused on every retry
let offlineBusy = false;

export function restoreAvailability() {
  agentsAvailable = session.get(K_AVAILABLE) !== "0";
  offlineSent = session.get(K_OFFLINE_SENT) === "1";
}

// Shown instead of the composer when no agent accepts chats and the visitor has no open chat.
export function buildOffline(r) {
  r.offName = el("input", { type: "text", class: "field", id: "lc-off-name", "data-testid": "offline-name",
    maxlength: MAX_NAME, autocomplete: "name" });
  if (visitorName) r.offName.value = visitorName;
  r.offEmail = el("input", { type: "email", class: "field", id: "lc-off-email", "data-testid": "offline-email",
    maxlength: MAX_EMAIL, autocomplete: "email", required: true, inputmode: "email", spellcheck: "false" });
  r.offText = el("textarea", { class: "field", id: "lc-off-text", "data-testid": "offline-message", rows: 4,
    maxlength: MAX_TEXT, required: true });
  r.offError = el("div", { class: "form-error", id: "lc-off-error", "data-testid": "offline-error", role: "alert",
    hidden: true });
  r.offSend = el("button", { type: "submit", class: "btn btn-primary", "data-testid": "offline-send",
    text: T.offlineSend });
  r.offline = el("form", { class: "card offline", "data-testid": "offline-form", novalidate: true,
    "aria-labelledby": "lc-off-title", hidden: true }, [
    el("div", { class: "card-title", id: "lc-off-title" }, [icon("mail", 18), el("span", { text: T.offlineTitle })]),
    el("div", { class: "card-text", text: T.offlineText }),
    el("label", { class: "label", for: "lc-off-name", text: T.offlineName }), r.offName,
    el("label", { class: "label", for: "lc-off-email", text: T.offlineEmail }), r.offEmail,
    el("label", { class: "label", for: "lc-off-text", text: T.offlineMessage }), r.offText,
    r.offError,
    el("div", { class: "actions" }, [r.offSend]),
  ]);
  r.offlineSent = el("div", { class: "card done", "data-testid": "offline-sent", role: "status", hidden: true },
    [icon("check", 18), el("span", { text: T.offlineSent })]);
}

export function setAvailability(available) {
  available = available !== false;
  session.set(K_AVAILABLE, available ? "1" : "0");
  if (available === agentsAvailable) return;
  var active = ui.shadow.activeElement;
  var hadFocus = !!active && (ui.footer.contains(active) || ui.offline.contains(active));
  agentsAvailable = available;
  if (available && offlineSent) {
    offlineSent = false;
    session.set(K_OFFLINE_SENT, "0");
  }
  updateChrome();
  if (hadFocus && isOpen) focusComposer();
}

// --- offline form --------------------------------------------------------------------------

function showOfflineError(text, field) {
  ui.offError.textContent = text;
  ui.offError.hidden = false;
  if (field) {
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", "lc-off-error");
  }
}

async function submitOffline() {
  if (offlineBusy) return;
  var name = ui.offName.value.trim().slice(0, MAX_NAME);
  var email = ui.offEmail.value.trim();
  var text = ui.offText.value;
  [ui.offEmail, ui.offText].forEach(function (f) { f.removeAttribute("aria-invalid"); });
  ui.offError.hidden = true;
  var field = null;
  if (email.length > MAX_EMAIL || !EMAIL_RE.test(email)) {
    field = ui.offEmail;
    showOfflineError(T.offlineBadEmail, field);
  } else if (text.trim() === "") {
    field = ui.offText;
    showOfflineError(T.offlineNoText, field);
  }
  if (field) {
    field.focus();
    return;
  }
  if (!ready) {
    showOfflineError(T.notConnected);
    return;
  }
  // The same client_id until it is stored: a retry after a lost answer stores nothing twice.
  if (!offlineClientId) offlineClientId = uuid();
  offlineBusy = true;
  ui.offSend.disabled = true;
  ui.offSend.textContent = T.offlineSending;
  try {
    await request("offline_message", { client_id: offlineClientId, name: name, email: email, text: text.slice(0, MAX_TEXT) });
    offlineClientId = null;
    offlineSent = true;
    session.set(K_OFFLINE_SENT, "1");
    ui.offText.value = "";
    if (name && !visitorName) {
      setVisitorName(name);
      store.set(K_NAME, name);
      ui.name.value = name;
    }
    updateChrome();
  } catch (e) {
    if (e.code === "rate_limited") showOfflineError(T.tooManyTries);
    else if (e.code === "invalid_payload" && /email/i.test(e.message || "")) showOfflineError(T.offlineBadEmail, ui.offEmail);
    else showOfflineError(T.offlineFailed);
  } finally {
    offlineBusy = false;
    ui.offSend.disabled = false;
    ui.offSend.textContent = T.offlineSend;
  }
}

export function wireOffline() {
  ui.offline.addEventListener("submit", function (e) {
    e.preventDefault();
    submitOffline();
  });
  [ui.offEmail, ui.offText].forEach(function (field) {
    field.addEventListener("input", function () {
      field.removeAttribute("aria-invalid");
      if (!offlineBusy) ui.offError.hidden = true;
    });
  });
}
