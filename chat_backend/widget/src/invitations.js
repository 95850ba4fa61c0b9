// Invitations (greetings) from an agent or a greeting rule: a card above the launcher, or in the
// body while the window is open, that the visitor answers or dismisses once.

import { MAX_GREETING, MAX_NAME, MAX_TEXT } from "./config.js";
import { sendFrame } from "./connection.js";
import { el, icon } from "./dom.js";
import { answeredInvitations } from "./lazy.js";
import { enqueueSend } from "./outbox.js";
import { isOpen, scrollToBottom, setOpen, ui } from "./panel.js";
import { script } from "./site.js";
import { K_INVITES, store } from "./storage.js";
import { T, fmt } from "./strings.js";
import { scalarText } from "./text.js";

export let invitation = null; // the greeting shown now (InvitationPush)

// An invitation from an agent or a greeting rule: who, the text, a reply field, a dismiss button.
export function buildGreeting(r) {
  r.greetAvatar = el("div", { class: "g-avatar", "aria-hidden": "true" });
  r.greetAgent = el("div", { class: "g-agent", "data-testid": "greeting-agent", dir: "auto" });
  r.greetDismiss = el("button", { type: "button", class: "g-close", "data-testid": "greeting-dismiss",
    "aria-label": T.greetingDismiss, title: T.greetingDismiss }, [icon("close", 16)]);
  r.greetText = el("div", { class: "g-text", "data-testid": "greeting-text", dir: "auto" });
  r.greetInput = el("input", { type: "text", class: "g-input", "data-testid": "greeting-reply-input",
    maxlength: MAX_TEXT, "aria-label": T.greetingReply, placeholder: T.greetingReply, enterkeyhint: "send" });
  r.greetSend = el("button", { type: "submit", class: "g-send", "data-testid": "greeting-reply-send",
    "aria-label": T.greetingSend, title: T.greetingSend, disabled: true }, [icon("send", 16)]);
  r.greeting = el("form", { class: "greeting", "data-testid": "greeting", role: "region", novalidate: true,
    hidden: true }, [
    el("div", { class: "g-head" }, [r.greetAvatar, r.greetAgent, r.greetDismiss]),
    r.greetText,
    el("div", { class: "g-compose" }, [r.greetInput, r.greetSend]),
  ]);
}

function rememberInvitation(id, how) {
  var done = answeredInvitations();
  delete done[id];
  done[id] = how;
  var ids = Object.keys(done);
  ids.slice(0, Math.max(0, ids.length - 20)).forEach(function (old) { delete done[old]; });
  store.set(K_INVITES, JSON.stringify(done));
}

export function showInvitation(inv) {
  if (!inv || typeof inv !== "object" || typeof inv.invitation_id !== "string" || !inv.invitation_id) return;
  var id = inv.invitation_id.slice(0, 64);
  var done = answeredInvitations()[id];
  if (done === "dismissed") {
    sendFrame("dismiss_invitation", { invitation_id: id }); // the last one may have been lost
    return;
  }
  if (done) return;
  invitation = { invitation_id: id };
  var agentName = scalarText(inv.agent_name, MAX_NAME).trim();
  var initials = scalarText(inv.agent_initials, 3).trim();
  var who = agentName || script.getAttribute("data-title") || T.team;
  ui.greetAvatar.textContent = "";
  if (initials) ui.greetAvatar.textContent = initials;
  else ui.greetAvatar.appendChild(icon("chat", 18));
  ui.greetAgent.textContent = who;
  ui.greetText.textContent = scalarText(inv.text, MAX_GREETING);
  ui.greeting.setAttribute("aria-label", fmt(T.greeting, { name: who }));
  ui.greeting.setAttribute("data-invitation-id", id);
  ui.greeting.hidden = false;
  placeGreeting();
}

// Floating above the launcher while the window is closed; a card in the body while it is open.
export function placeGreeting() {
  if (!ui || ui.greeting.hidden) return;
  var inline = isOpen;
  ui.greeting.classList.toggle("inline", inline);
  if (inline && ui.greeting.parentNode !== ui.body) {
    ui.body.insertBefore(ui.greeting, ui.rating);
    scrollToBottom();
  } else if (!inline && ui.greeting.parentNode !== ui.root) {
    ui.root.insertBefore(ui.greeting, ui.launcher);
  }
}

export function finishInvitation(how) {
  if (!invitation) return;
  rememberInvitation(invitation.invitation_id, how);
  invitation = null;
  ui.greeting.hidden = true;
  ui.greeting.removeAttribute("data-invitation-id");
}

// The reply goes through the outbox like any message (exactly once), with the invitation's id.
function replyToInvitation() {
  if (!invitation) return;
  var text = ui.greetInput.value;
  if (text.trim() === "") return;
  var id = invitation.invitation_id;
  finishInvitation("replied");
  ui.greetInput.value = "";
  ui.greetSend.disabled = true;
  setOpen(true, true);
  enqueueSend(text, "", id);
}

function dismissInvitation() {
  if (!invitation) return;
  var id = invitation.invitation_id;
  var hadFocus = !!ui.shadow.activeElement && ui.greeting.contains(ui.shadow.activeElement);
  finishInvitation("dismissed");
  sendFrame("dismiss_invitation", { invitation_id: id }); // if closed: sent again after the next login
  if (hadFocus) ui.launcher.focus();
}

export function wireGreeting() {
  ui.greeting.addEventListener("submit", function (e) {
    e.preventDefault();
    replyToInvitation();
  });
  ui.greetInput.addEventListener("input", function () {
    ui.greetSend.disabled = ui.greetInput.value.trim() === "";
  });
  ui.greetDismiss.addEventListener("click", dismissInvitation);
}
