// The composer: the name field, the message input (Enter sends), the send button, and the sneak
// peek of what the visitor is typing.

import { MAX_NAME, PEEK_EVERY } from "./config.js";
import { ready, sendFrame } from "./connection.js";
import { finishInvitation, invitation } from "./invitations.js";
import { enqueueSend } from "./outbox.js";
import { ui, updateChrome } from "./panel.js";
import { K_NAME, store } from "./storage.js";
import { chatIsOpen } from "./transcript.js";

export let visitorName = ""; // as the visitor gave it (kept in localStorage) or the server knows it

export function restoreVisitorName() {
  visitorName = store.get(K_NAME) || "";
}

export function setVisitorName(name) {
  visitorName = name;
}

// --- sneak peek (throttled: leading + trailing edge) ---------------------------------------

let peekTimer = null;
let peekLastAt = 0;
let peekLastText = "";
function peekCanSend() {
  return ready && chatIsOpen();
}
function sendPeek(text) {
  if (!peekCanSend() || text === peekLastText) return;
  peekLastAt = Date.now();
  peekLastText = text;
  sendFrame("sneak_peek", { text: text });
}
export function schedulePeek() {
  if (peekTimer) return; // the trailing call reads the input when it fires
  var wait = PEEK_EVERY - (Date.now() - peekLastAt);
  if (wait <= 0) sendPeek(ui.input.value);
  else peekTimer = setTimeout(function () {
    peekTimer = null;
    sendPeek(ui.input.value);
  }, wait);
}
function peekNow(text) {
  clearTimeout(peekTimer);
  peekTimer = null;
  sendPeek(text);
}
export function peekReset() {
  clearTimeout(peekTimer);
  peekTimer = null;
  peekLastText = "";
}

// --- composer ------------------------------------------------------------------------------

function autosize() {
  var t = ui.input;
  t.style.height = "auto";
  t.style.height = Math.min(t.scrollHeight + 2, 136) + "px";
}

function onInput() {
  autosize();
  updateChrome();
  if (ui.input.value === "") peekNow("");
  else schedulePeek();
}

function submit() {
  var text = ui.input.value;
  if (text.trim() === "") return;
  var name = "";
  if (!ui.name.hidden) {
    name = ui.name.value.trim().slice(0, MAX_NAME);
    if (name) {
      visitorName = name;
      store.set(K_NAME, name);
    }
  }
  ui.input.value = "";
  autosize();
  peekNow("");
  // With a greeting on screen and no chat open, the first message answers it (the chat starts
  // with the inviting agent).
  var invitationId = null;
  if (invitation && !chatIsOpen()) {
    invitationId = invitation.invitation_id;
    finishInvitation("replied");
  }
  enqueueSend(text, name, invitationId);
}

export function wireComposer() {
  ui.input.addEventListener("keydown", function (e) {
    // isComposing / 229: Enter that confirms an IME conversion (Japanese input) must not send.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  });
  ui.input.addEventListener("input", onInput);
  ui.name.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      ui.input.focus();
    }
  });
  ui.send.addEventListener("click", function () {
    submit();
    ui.input.focus();
  });
}
