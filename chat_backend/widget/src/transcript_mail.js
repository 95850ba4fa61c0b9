// "E-mail me this conversation": a card under the conversation once an agent has replied in the chat.
// It sends `email_transcript`; when the server knows no address for the visitor it asks for one; it
// says when the mail is on its way, was already sent, or why not. A new chat starts without it.

import { EMAIL_RE, MAX_EMAIL } from "./config.js";
import { ready, request } from "./connection.js";
import { el, icon } from "./dom.js";
import { ui, updateChrome } from "./panel.js";
import { LANG, T } from "./strings.js";
import { chat } from "./transcript.js";
import { uuid } from "./uuid.js";

// {chat_id, client_id, status: "idle" | "asking" | "sending" | "sent" | "already", asked}; one per chat,
// and one client_id per chat, reused on every retry (the server answers a retry like the first time).
let mail = null;

export function buildTranscriptMail(r) {
  r.mailOpen = el("button", { type: "button", class: "btn btn-link mail-open", "data-testid": "email-transcript-open" },
    [icon("mail", 16), el("span", { text: T.mailTranscript })]);
  r.mailAddress = el("input", { type: "email", class: "field", id: "lc-mail-address",
    "data-testid": "email-transcript-address", maxlength: MAX_EMAIL, autocomplete: "email", inputmode: "email",
    spellcheck: "false", required: true });
  r.mailSend = el("button", { type: "submit", class: "btn btn-primary", "data-testid": "email-transcript-send",
    text: T.mailSend });
  r.mailCancel = el("button", { type: "button", class: "btn btn-link", "data-testid": "email-transcript-cancel",
    text: T.mailCancel });
  r.mailForm = el("form", { class: "mail-form", "data-testid": "email-transcript-form", novalidate: true,
    hidden: true }, [
    el("div", { class: "card-text", id: "lc-mail-ask", text: T.mailAsk }),
    el("label", { class: "label", for: "lc-mail-address", text: T.mailAddress }), r.mailAddress,
    el("div", { class: "actions" }, [r.mailCancel, r.mailSend]),
  ]);
  r.mailError = el("div", { class: "form-error", id: "lc-mail-error", "data-testid": "email-transcript-error",
    role: "alert", hidden: true });
  r.mailDoneText = el("span");
  r.mailDone = el("div", { class: "done", "data-testid": "email-transcript-sent", role: "status", tabindex: "-1",
    hidden: true },
    [icon("check", 18), r.mailDoneText]);
  r.mail = el("div", { class: "card mail", "data-testid": "email-transcript", role: "group",
    "aria-label": T.mailTranscript, hidden: true }, [r.mailOpen, r.mailForm, r.mailError, r.mailDone]);
}

// The card's state for the current chat (a fresh one for a chat it has not seen).
function current() {
  if (!chat || !chat.agentReplied) return null;
  if (!mail || mail.chat_id !== chat.chat_id) {
    mail = { chat_id: chat.chat_id, client_id: uuid(), status: "idle", asked: false };
  }
  return mail;
}

// Called by updateChrome: shown only once an agent has replied in the chat shown.
export function updateTranscriptMail() {
  var m = current();
  ui.mail.hidden = !m;
  if (!m) return;
  var done = m.status === "sent" || m.status === "already";
  ui.mailOpen.hidden = done || m.status === "asking" || (m.status === "sending" && m.asked);
  ui.mailOpen.disabled = m.status === "sending";
  ui.mailOpen.lastChild.textContent = m.status === "sending" && !m.asked ? T.mailSending : T.mailTranscript;
  ui.mailForm.hidden = !(m.status === "asking" || (m.status === "sending" && m.asked));
  ui.mailSend.disabled = m.status === "sending";
  ui.mailSend.textContent = m.status === "sending" ? T.mailSending : T.mailSend;
  ui.mailDone.hidden = !done;
  ui.mailDoneText.textContent = m.status === "already" ? T.mailAlready : T.mailSent;
  if (done) ui.mailError.hidden = true;
}

function showError(text, onField) {
  ui.mailError.textContent = text;
  ui.mailError.hidden = false;
  if (onField) {
    ui.mailAddress.setAttribute("aria-invalid", "true");
    ui.mailAddress.setAttribute("aria-describedby", "lc-mail-error");
  }
}

async function requestMail(email) {
  var m = current();
  if (!m || m.status === "sending" || m.status === "sent" || m.status === "already") return;
  ui.mailError.hidden = true;
  ui.mailAddress.removeAttribute("aria-invalid");
  if (m.asked && (email.length > MAX_EMAIL || !EMAIL_RE.test(email))) {
    showError(T.mailBadEmail, true);
    ui.mailAddress.focus();
    return;
  }
  if (!ready) {
    showError(T.notConnected);
    return;
  }
  var payload = { client_id: m.client_id, chat_id: m.chat_id, lang: LANG };
  if (m.asked) payload.email = email;
  m.status = "sending";
  updateChrome();
  var focusAfter = null;
  try {
    var res = await request("email_transcript", payload);
    m.status = res && res.queued ? "sent" : "already";
  } catch (e) {
    m.status = m.asked ? "asking" : "idle";
    if (e.code === "email_required") {
      m.status = "asking";
      m.asked = true;
      focusAfter = ui.mailAddress;
    } else if (e.code === "rate_limited") {
      showError(T.tooManyTries);
    } else if (e.code === "invalid_payload" && m.asked) {
      showError(T.mailBadEmail, true);
      focusAfter = ui.mailAddress;
    } else if (e.code === "agent_reply_required") {
      showError(T.mailNotYet);
    } else {
      if (e.code === "client_id_conflict") m.client_id = uuid();
      showError(T.mailFailed);
    }
  }
  updateChrome();
  if (focusAfter && !focusAfter.hidden) focusAfter.focus();
  else if (m.status === "sent" || m.status === "already") ui.mailDone.focus(); // the button it replaced had it
}

export function wireTranscriptMail() {
  ui.mailOpen.addEventListener("click", function () { requestMail(""); });
  ui.mailForm.addEventListener("submit", function (e) {
    e.preventDefault();
    requestMail(ui.mailAddress.value.trim());
  });
  ui.mailCancel.addEventListener("click", function () {
    var m = current();
    if (!m || m.status !== "asking") return;
    m.status = "idle";
    m.asked = false;
    ui.mailError.hidden = true;
    updateChrome();
    ui.mailOpen.focus();
  });
  ui.mailAddress.addEventListener("input", function () {
    ui.mailAddress.removeAttribute("aria-invalid");
    if (mail && mail.status !== "sending") ui.mailError.hidden = true;
  });
}

// A new visitor (stale token, reset): no card until an agent replies again.
export function clearTranscriptMail() {
  mail = null;
}
