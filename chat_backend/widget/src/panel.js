// The widget's frame: the launcher, the window with its header, body and composer (built in a shadow
// root), opening and closing, the unread badge, the connection state, and what is shown when.

import { updateAttach } from "./attachments.js";
import { buildCall } from "./call_panel.js";
import { visitorName } from "./composer.js";
import { MAX_NAME, MAX_TEXT } from "./config.js";
import { ready, request } from "./connection.js";
import { coarsePointer, cssSupports, el, icon } from "./dom.js";
import { buildGreeting, placeGreeting } from "./invitations.js";
import { agentsAvailable, buildOffline, offlineSent } from "./offline.js";
import { outbox } from "./outbox.js";
import { buildRating, rating } from "./rating.js";
import { scheduleMarkRead } from "./receipts.js";
import { script } from "./site.js";
import { K_OPEN, session } from "./storage.js";
import { LANG, T, fmt } from "./strings.js";
import { STYLE } from "./styles.js";
import { applyEvent, chat, chatIsOpen, markChatEndedLocally, queueInfo } from "./transcript.js";
import { buildTranscriptMail, updateTranscriptMail } from "./transcript_mail.js";
import { uuid } from "./uuid.js";

export let ui = null; // DOM references, set by mount()
export let isOpen = false;
export let connState = "connecting";
var unread = 0;

// The widget's DOM, added to the page.
export function mount() {
  ui = build();
  document.body.appendChild(ui.host);
}

function build() {
  var host = document.createElement("livechat-widget");
  host.setAttribute("data-livechat", "");
  var shadow = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent = STYLE;
  shadow.appendChild(style);

  var r = {};
  r.host = host;
  r.shadow = shadow;
  r.root = el("div", { class: "root", lang: LANG });

  var accent = script.getAttribute("data-color");
  if (accent && cssSupports("color", accent)) {
    r.root.style.setProperty("--accent", accent);
    r.root.style.setProperty("--accent2", accent);
  }
  var titleText = script.getAttribute("data-title") || T.title;

  // header
  r.connText = el("span", { class: "conn-text" });
  r.conn = el("div", { class: "conn", "data-testid": "connection-state", role: "status", "aria-live": "polite" },
    [el("span", { class: "dot", "aria-hidden": "true" }), r.connText]);
  r.title = el("h2", { class: "title", id: "lc-title", text: titleText });
  r.endBtn = el("button", {
    type: "button", class: "hbtn", "data-testid": "end-chat", "aria-label": T.endChat, title: T.endChat, hidden: true,
  }, [icon("end", 18)]);
  r.minBtn = el("button", {
    type: "button", class: "hbtn", "data-testid": "minimize", "aria-label": T.minimize, title: T.minimize,
  }, [icon("down", 20)]);
  // The agent of the open chat, beside the connection state (plain text).
  r.agentName = el("span", { class: "agent-name", "data-testid": "agent-name", dir: "auto", hidden: true });
  var header = el("div", { class: "header" }, [
    el("div", { class: "avatar", "aria-hidden": "true" }, [icon("chat", 20)]),
    el("div", { class: "titles" }, [r.title, el("div", { class: "subline" }, [r.conn, r.agentName])]),
    r.endBtn,
    r.minBtn,
  ]);

  // "end chat?" confirmation strip
  r.endYes = el("button", { type: "button", class: "btn btn-danger", "data-testid": "end-chat-yes", text: T.endYes });
  r.endNo = el("button", { type: "button", class: "btn btn-ghost", "data-testid": "end-chat-no", text: T.endNo });
  r.confirm = el("div", { class: "confirm", "data-testid": "end-chat-confirm", role: "alertdialog",
    "aria-label": T.endConfirm, hidden: true },
  [el("span", { class: "confirm-text", text: T.endConfirm }), r.endNo, r.endYes]);

  // message list
  r.intro = el("div", { class: "intro" }, [
    el("div", { class: "intro-title", text: T.hello }),
    el("div", { class: "intro-text", text: T.welcome }),
  ]);
  r.list = el("div", { class: "list", role: "log", "aria-live": "polite", "aria-label": T.messages,
    "data-testid": "message-list" });
  r.typingText = el("span", { class: "typing-text" });
  r.typing = el("div", { class: "typing", "data-testid": "agent-typing", "aria-live": "polite", hidden: true },
    [el("span", { class: "dots", "aria-hidden": "true" }, [el("i"), el("i"), el("i")]), r.typingText]);
  // While the chat waits in the queue (not a durable notice: it goes away once an agent joins).
  r.waitingPos = el("span", { class: "waiting-pos", "data-testid": "queue-position", hidden: true });
  r.waiting = el("div", { class: "notice waiting", "data-testid": "chat-waiting", role: "status", hidden: true },
    [el("span", { class: "waiting-main", text: T.queued }), r.waitingPos]);
  // "Read" under the visitor's latest message the agent has read; moved from bubble to bubble.
  r.receipt = el("span", { class: "receipt", "data-testid": "read-receipt", text: T.read });
  buildRating(r);
  buildTranscriptMail(r);
  buildOffline(r);
  buildCall(r);
  r.body = el("div", { class: "body" }, [r.intro, r.list, r.rating, r.ratingThanks, r.mail, r.waiting, r.typing,
    r.offline, r.offlineSent]);

  // composer
  r.name = el("input", { type: "text", class: "name", "data-testid": "name-input", maxlength: MAX_NAME,
    autocomplete: "name", "aria-label": T.nameLabel, placeholder: T.namePlaceholder, hidden: true });
  if (visitorName) r.name.value = visitorName;
  r.input = el("textarea", { class: "input", "data-testid": "message-input", rows: 1, maxlength: MAX_TEXT,
    "aria-label": T.inputLabel, placeholder: T.inputPlaceholder, enterkeyhint: "send" });
  r.send = el("button", { type: "button", class: "send", "data-testid": "send", "aria-label": T.send, title: T.send,
    disabled: true }, [icon("send", 18)]);
  r.counter = el("div", { class: "counter", "aria-live": "polite", hidden: true });
  r.footer = el("div", { class: "footer" }, [r.name, el("div", { class: "compose" }, [r.input, r.send]), r.counter]);

  r.window = el("div", { class: "window", id: "lc-window", role: "dialog", "aria-labelledby": "lc-title",
    "data-testid": "chat-window", hidden: true }, [header, r.confirm, r.call, r.body, r.footer]);

  // launcher
  r.badge = el("span", { class: "badge", "data-testid": "unread", "aria-hidden": "true", hidden: true });
  r.launcherIcon = el("span", { class: "launcher-icon" }, [icon("chat", 26)]);
  r.launcher = el("button", { type: "button", class: "launcher", "data-testid": "launcher",
    "aria-label": T.openChat, "aria-expanded": "false", "aria-controls": "lc-window" }, [r.launcherIcon, r.badge]);

  buildGreeting(r);
  r.root.appendChild(r.window);
  r.root.appendChild(r.greeting);
  r.root.appendChild(r.launcher);
  shadow.appendChild(r.root);
  return r;
}

export function wirePanel() {
  ui.launcher.addEventListener("click", function () { setOpen(!isOpen, true); });
  ui.minBtn.addEventListener("click", function () { setOpen(false, true); });
  ui.endBtn.addEventListener("click", function () {
    ui.confirm.hidden = false;
    ui.endNo.focus();
  });
  ui.endNo.addEventListener("click", function () {
    ui.confirm.hidden = true;
    ui.input.focus();
  });
  ui.endYes.addEventListener("click", function () {
    ui.confirm.hidden = true;
    endChat();
    ui.input.focus();
  });
  ui.window.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      e.stopPropagation();
      if (!ui.confirm.hidden) { ui.confirm.hidden = true; ui.input.focus(); } else setOpen(false, true);
    }
  });
}

export function setOpen(open, moveFocus) {
  isOpen = open;
  ui.window.hidden = !open;
  ui.root.classList.toggle("open", open);
  ui.launcher.setAttribute("aria-expanded", open ? "true" : "false");
  ui.launcherIcon.textContent = "";
  ui.launcherIcon.appendChild(icon(open ? "down" : "chat", open ? 28 : 26));
  session.set(K_OPEN, open ? "1" : "0");
  placeGreeting();
  if (open) {
    unread = 0;
    updateChrome();
    scrollToBottom();
    if (moveFocus && !coarsePointer()) focusComposer();
    scheduleMarkRead();
  } else {
    ui.confirm.hidden = true;
    if (moveFocus) ui.launcher.focus();
  }
  updateBadge();
}

// The message input, or the first field of the offline form when that is shown instead.
export function focusComposer() {
  if (!ui.footer.hidden) ui.input.focus();
  else if (!ui.offline.hidden) ui.offName.focus();
}

// An agent message arrived live.
export function countUnread() {
  unread++;
  updateBadge();
}

export function updateBadge() {
  ui.badge.hidden = !(unread > 0 && !isOpen);
  ui.badge.textContent = unread > 99 ? "99+" : String(unread);
  var label = isOpen ? T.closeChat : unread > 0 ? fmt(T.openChatUnread, { n: unread }) : T.openChat;
  ui.launcher.setAttribute("aria-label", label);
  ui.launcher.title = label;
}

export function setConnState(state) {
  connState = state;
  ui.conn.setAttribute("data-state", state);
  updateChrome();
}

export function updateChrome() {
  if (!ui) return;
  var open = chatIsOpen();
  ui.endBtn.hidden = !open;
  ui.endBtn.disabled = !ready;
  if (!open) ui.confirm.hidden = true;
  ui.name.hidden = !!visitorName || open || outbox.length > 0;
  ui.input.placeholder = chat && chat.state === "closed" ? T.inputPlaceholderNew : T.inputPlaceholder;
  ui.send.disabled = ui.input.value.trim() === "";
  ui.agentName.textContent = open && chat.state === "taken" ? chat.agentName : "";
  ui.agentName.hidden = ui.agentName.textContent === "";

  // Nobody accepts chats and there is nothing to continue: the offline form replaces the composer.
  var offlineMode = !agentsAvailable && !open && outbox.length === 0;
  ui.footer.hidden = offlineMode;
  ui.offline.hidden = !offlineMode || offlineSent;
  ui.offlineSent.hidden = !offlineMode || !offlineSent;
  ui.intro.hidden = ui.list.childElementCount > 0 || offlineMode;
  // Connected, but nobody to answer (the offline form is shown): the header must not say "Online".
  var away = offlineMode && connState === "connected";
  ui.conn.setAttribute("data-available", away ? "false" : "true");
  ui.connText.textContent = away ? T.state_away : T["state_" + connState];

  var rated = rating && chat && chat.chat_id === rating.chat_id && chat.state === "closed";
  ui.rating.hidden = !rated || rating.status === "done";
  ui.ratingThanks.hidden = !rated || rating.status !== "done";
  if (rated) {
    ui.rateGood.setAttribute("aria-pressed", rating.choice === "good" ? "true" : "false");
    ui.rateBad.setAttribute("aria-pressed", rating.choice === "bad" ? "true" : "false");
    ui.rateSubmit.disabled = !rating.choice || rating.status === "sending";
  }

  updateTranscriptMail();

  var queued = open && (chat.state === "queued" || chat.state === "incoming");
  ui.waiting.hidden = !queued || ui.list.childElementCount === 0;
  var pos = queued && queueInfo && queueInfo.chat_id === chat.chat_id && queueInfo.position > 0 ? queueInfo : null;
  ui.waitingPos.hidden = !pos;
  if (pos) {
    // "You are number 2 in the queue · about 2 min", the estimate kept on one line.
    var parts = fmt(pos.position === 1 ? T.queueNext : T.queuePosition, { n: pos.position, wait: "\u0000" })
      .split("\u0000");
    ui.waitingPos.textContent = parts[0];
    if (parts.length > 1) {
      ui.waitingPos.appendChild(el("span", { class: "nowrap", text: formatWait(pos.wait) }));
      ui.waitingPos.appendChild(document.createTextNode(parts.slice(1).join("")));
    }
  }
  var n = ui.input.value.length;
  ui.counter.hidden = n < MAX_TEXT * 0.9;
  ui.counter.textContent = fmt(T.counter, { n: n, max: MAX_TEXT });
  ui.counter.classList.toggle("full", n >= MAX_TEXT);
  updateAttach();
}

function formatWait(seconds) {
  if (!(seconds > 0) || seconds < 45) return T.waitSoon;
  return fmt(T.waitMinutes, { n: Math.max(1, Math.round(seconds / 60)) });
}

export function nearBottom() {
  var b = ui.body;
  return b.scrollHeight - b.scrollTop - b.clientHeight < 80;
}
export function scrollToBottom() {
  ui.body.scrollTop = ui.body.scrollHeight;
}
// Run a DOM change, keeping the list pinned to the bottom if it was there (or if `force`).
export function mutate(fn, force) {
  var stick = force || nearBottom();
  fn();
  updateChrome();
  if (stick) scrollToBottom();
}

async function endChat() {
  if (!chatIsOpen() || !ready) return;
  try {
    var res = await request("close_chat", { client_id: uuid() });
    if (res && res.event) applyEvent(res.event, true);
  } catch (e) {
    if (e.code === "chat_closed" || e.code === "not_found") markChatEndedLocally();
  }
}
