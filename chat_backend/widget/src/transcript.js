// The conversation: durable events (messages, chat states; page pushes, ratings and calls are handed
// to their modules) placed in order in the message list, the chat the visitor is in, the place in
// the queue and the agent's typing indicator.

import { attachmentOf, forgetAttachments, showAttachment } from "./attachment_view.js";
import { applyCallEvent, call, endCall } from "./calls.js";
import { peekReset } from "./composer.js";
import { TYPING_TTL } from "./config.js";
import { el, renderText } from "./dom.js";
import { failed, forgetFailed, outbox, removeFromOutbox, retrySend } from "./outbox.js";
import { applyPagePush, resetPagePushes } from "./page_push.js";
import { countUnread, isOpen, mutate, nearBottom, scrollToBottom, ui, updateChrome } from "./panel.js";
import { applyRating, clearRating, offerRating } from "./rating.js";
import {
  agentMsgSeq, agentReadSeq, readSent, resetReadMarks, scheduleMarkRead, showReceipt,
} from "./receipts.js";
import { T, fmt, formatTime } from "./strings.js";
import { clearTranscriptMail } from "./transcript_mail.js";

export let maxEventId = 0;
export let chat = null; // {chat_id, state, agentName, stateSeq, hadAgent, agentReplied}
let chatOrder = {}; // chat_id -> display order of the chat
let chatCount = 0;
export let chatMaxSeq = {}; // chat_id -> highest seq seen
export let byEventId = {}; // event_id -> element (or true for events without one)
export let byClientId = {}; // client_id -> visitor bubble
let typingTimer = null;
export let queueInfo = null; // {chat_id, position, wait} from the latest `queue_position`

export function chatIsOpen() {
  return !!(chat && chat.state !== "closed");
}

// --- rendering of events ---------------------------------------------------------------------

// Items in the list are ordered by (chat order, seq); unacknowledged sends come last.
export function place(node, order, seq) {
  node._lc.order = order;
  node._lc.seq = seq;
  node._lc.pendingSend = false;
  var oldNext = node.parentNode ? node.nextElementSibling : null;
  var kids = ui.list.children;
  var after = null;
  for (var i = kids.length - 1; i >= 0; i--) {
    var k = kids[i];
    if (k === node || !k._lc || k._lc.pendingSend) continue;
    if (k._lc.order < order || (k._lc.order === order && k._lc.seq < seq)) { after = k; break; }
  }
  var ref = after ? after.nextSibling : ui.list.firstChild;
  if (ref !== node) ui.list.insertBefore(node, ref);
  [node, node.nextElementSibling, oldNext].forEach(regroup);
}

// Consecutive messages of the same author are grouped: only the first shows the name.
function authorKey(node) {
  return node && node._lc && node._lc.authorKey ? node._lc.authorKey : null;
}
function regroup(node) {
  if (!node || !node._lc) return;
  var key = authorKey(node);
  node.classList.toggle("cont", !!key && key === authorKey(node.previousElementSibling));
}

function buildBubble(kind, name) {
  var node = el("div", { class: "msg " + kind, "data-testid": "message", "data-author": kind });
  var author = el("div", { class: "author", text: name });
  var bubble = el("div", { class: "bubble", dir: "auto", "data-testid": "message-text" });
  var meta = el("div", { class: "meta" });
  node.appendChild(author);
  node.appendChild(bubble);
  node.appendChild(meta);
  node._lc = { bubble: bubble, meta: meta, author: author, authorKey: kind + "\u0000" + name, kind: kind };
  return node;
}

export function setMeta(node, status, createdAt, clientId) {
  node.setAttribute("data-status", status);
  var meta = node._lc.meta;
  var receipt = ui.receipt.parentNode === meta;
  meta.textContent = "";
  if (status === "sending") {
    meta.appendChild(el("span", { text: T.sending }));
  } else if (status === "failed") {
    meta.appendChild(el("span", { class: "failed", text: node._lc.failReason || T.failed }));
    if (node._lc.failReason === T.tooLong) return; // retrying cannot help
    var retry = el("button", { type: "button", class: "retry", "data-testid": "retry", text: T.retry });
    retry.addEventListener("click", function () { retrySend(clientId); });
    meta.appendChild(retry);
  } else {
    meta.appendChild(el("time", { datetime: createdAt || null, text: formatTime(createdAt) }));
    if (receipt) meta.appendChild(ui.receipt);
  }
}

export function renderPendingSend(item) {
  var node = renderPendingNode(item.client_id);
  renderText(node._lc.bubble, item.text);
  setMeta(node, "sending", null, item.client_id);
  return node;
}

// The visitor's bubble for a send not yet stored (a message, a file's upload), last in the list.
export function renderPendingNode(clientId) {
  var node = buildBubble("visitor", "");
  node.setAttribute("data-client-id", clientId);
  node._lc.pendingSend = true;
  byClientId[clientId] = node;
  ui.list.appendChild(node);
  regroup(node);
  return node;
}

function registerChat(chatId) {
  if (!Object.prototype.hasOwnProperty.call(chatOrder, chatId)) chatOrder[chatId] = chatCount++;
  return chatOrder[chatId];
}

export function applyEvent(ev, live) {
  if (!ev || typeof ev !== "object" || typeof ev.chat_id !== "string") return;
  if (ev.audience && ev.audience !== "all") return; // never shown to visitors (defence in depth)
  var seq = typeof ev.seq === "number" ? ev.seq : 0;
  if (typeof ev.event_id === "number") {
    if (ev.event_id > maxEventId) maxEventId = ev.event_id;
    if (byEventId[ev.event_id]) return; // already shown
  }
  if (!(chatMaxSeq[ev.chat_id] >= seq)) chatMaxSeq[ev.chat_id] = seq;
  if (ev.kind === "message") applyMessage(ev, registerChat(ev.chat_id), seq, live);
  else if (ev.kind === "chat_state") applyChatState(ev, registerChat(ev.chat_id), seq, live);
  else if (ev.kind === "rating") applyRating(ev);
  else if (ev.kind === "page_push") applyPagePush(ev, registerChat(ev.chat_id), seq);
  else if (ev.kind === "call") applyCallEvent(ev, registerChat(ev.chat_id), seq);
  // Anything else (an internal note, which the server never sends us, or a kind added later):
  // nothing to show.
}

function applyMessage(ev, order, seq, live) {
  var author = ev.author && typeof ev.author === "object" ? ev.author : { kind: "system" };
  var kind = author.kind === "visitor" || author.kind === "agent" ? author.kind : "system";
  var text = typeof ev.text === "string" ? ev.text : "";
  var clientId = typeof ev.client_id === "string" ? ev.client_id : null;
  var node = kind === "visitor" && clientId ? byClientId[clientId] : null;
  var file = attachmentOf(ev); // a file: its upload's row (same client_id) becomes its message

  // A message in a chat we did not know yet: it is the visitor's chat now.
  if (!chat || (chat.chat_id !== ev.chat_id && (chat.state === "closed" || order > chatOrder[chat.chat_id]))) {
    chat = { chat_id: ev.chat_id, state: "incoming", agentName: "", stateSeq: -1 };
  }

  mutate(function () {
    if (node && node._lc.seqKnown) return; // same send echoed as push and as res: keep one bubble
    if (!node) {
      var name = kind === "agent" ? (author.name || T.agent) : kind === "system" ? (author.name || "") : "";
      node = buildBubble(kind, name);
      if (!file) renderText(node._lc.bubble, text);
    }
    if (file) {
      if (node._lc.upload) node._lc.upload.finish();
      showAttachment(node, file);
    }
    if (clientId && kind === "visitor") {
      node.setAttribute("data-client-id", clientId);
      byClientId[clientId] = node;
      delete failed[clientId];
      removeFromOutbox(clientId);
    }
    node._lc.seqKnown = true;
    node._lc.chatId = ev.chat_id;
    if (typeof ev.event_id === "number") node.setAttribute("data-event-id", String(ev.event_id));
    node.setAttribute("data-seq", String(seq));
    node.setAttribute("data-chat-id", ev.chat_id);
    setMeta(node, "sent", ev.created_at, clientId);
    place(node, order, seq);
  }, kind === "visitor" && live);
  if (typeof ev.event_id === "number") byEventId[ev.event_id] = node;

  if (kind === "agent") {
    if (chat && chat.chat_id === ev.chat_id && !chat.agentReplied) {
      chat.agentReplied = true; // "E-mail me this conversation" from now on
      updateChrome();
    }
    hideTyping();
    if (live && !isOpen) countUnread();
    if (!(agentMsgSeq[ev.chat_id] >= seq)) agentMsgSeq[ev.chat_id] = seq;
    scheduleMarkRead();
  } else if (kind === "visitor") {
    showReceipt();
  }
}

function applyChatState(ev, order, seq, live) {
  if (typeof ev.event_id === "number") byEventId[ev.event_id] = true;
  var agentName = ev.agent && typeof ev.agent.name === "string" ? ev.agent.name : "";
  var transferred = !!(ev.transferred_from && typeof ev.transferred_from === "object");
  var isCurrent = chat && chat.chat_id === ev.chat_id;
  var applied = false;
  if (isCurrent) {
    if (seq >= chat.stateSeq) {
      applied = chat.state !== ev.state || transferred;
      chat.state = ev.state;
      chat.stateSeq = seq;
      if (agentName) chat.agentName = agentName;
      if (ev.state === "taken") chat.hadAgent = true;
    }
  } else if (ev.state !== "closed" &&
    (!chat || chat.state === "closed" || order > chatOrder[chat.chat_id])) {
    chat = { chat_id: ev.chat_id, state: ev.state, agentName: agentName, stateSeq: seq,
      hadAgent: ev.state === "taken" };
    applied = true;
  }
  // Out of the queue: forget the place (a later re-queueing gets fresh `queue_position` pushes).
  if (applied && ev.state !== "queued" && ev.state !== "incoming" && queueInfo && queueInfo.chat_id === ev.chat_id) {
    queueInfo = null;
  }
  var text = null;
  if (ev.state === "taken") text = fmt(transferred ? T.takenOver : T.joined, { name: agentName || T.agent });
  else if (ev.state === "queued" && transferred) text = T.transferring;
  else if (ev.state === "closed") text = ev.reason === "inactive" ? T.endedInactive : T.ended;
  if (text !== null) {
    mutate(function () {
      var node = el("div", { class: "notice", "data-testid": "chat-event", "data-state": ev.state,
        "data-seq": String(seq), dir: "auto", text: text });
      if (typeof ev.reason === "string") node.setAttribute("data-reason", ev.reason);
      if (transferred) node.setAttribute("data-transfer", "");
      node._lc = { authorKey: null };
      place(node, order, seq);
    });
  }
  if (ev.state === "closed" && chat && chat.chat_id === ev.chat_id) {
    hideTyping();
    peekReset();
    offerRating();
  }
  // Closed or handed to someone else: the server ends the call too (`chat_ended`); do not wait for it.
  // Not for the history a page loads (the chat was queued before a call carried to this page began):
  // a call that ended meanwhile has its own `call` event.
  if (live && call && call.chatId === ev.chat_id && call.phase !== "ended" &&
    (ev.state === "closed" || ev.state === "queued" || transferred)) {
    endCall("chat_ended", "system", null);
  }
  updateChrome();
}

// Shown when the server says the chat is gone but no closing event reached us (e.g. resync).
export function markChatEndedLocally() {
  if (!chatIsOpen()) return;
  chat.state = "closed";
  offerRating();
  mutate(function () {
    var node = el("div", { class: "notice", "data-testid": "chat-event", "data-state": "closed", text: T.ended });
    node._lc = { authorKey: null, pendingSend: false, order: chatOrder[chat.chat_id], seq: Infinity };
    var kids = ui.list.children;
    var ref = null;
    for (var i = 0; i < kids.length; i++) if (kids[i]._lc && kids[i]._lc.pendingSend) { ref = kids[i]; break; }
    ui.list.insertBefore(node, ref);
  });
  hideTyping();
}

export function resetConversation() {
  ui.list.textContent = "";
  forgetAttachments();
  chat = null;
  chatOrder = {};
  chatCount = 0;
  chatMaxSeq = {};
  byEventId = {};
  byClientId = {};
  forgetFailed();
  maxEventId = 0;
  queueInfo = null;
  resetReadMarks();
  clearRating();
  clearTranscriptMail();
  resetPagePushes();
  if (ui.receipt.parentNode) ui.receipt.parentNode.removeChild(ui.receipt);
  hideTyping();
  outbox.forEach(renderPendingSend);
  updateChrome();
}

// --- queue position ----------------------------------------------------------------------------

export function onQueuePosition(p) {
  if (!chat || p.chat_id !== chat.chat_id || typeof p.position !== "number") return;
  if (chat.state !== "queued" && chat.state !== "incoming") return; // late: already taken or closed
  queueInfo = { chat_id: p.chat_id, position: p.position, wait: typeof p.estimated_wait === "number" ? p.estimated_wait : 0 };
  var stick = nearBottom();
  updateChrome();
  if (stick) scrollToBottom();
}

// --- typing indicator ----------------------------------------------------------------------

export function onTyping(p) {
  if (!p || !p.author || p.author.kind !== "agent") return;
  if (chat && p.chat_id && p.chat_id !== chat.chat_id) return;
  if (p.typing) {
    var stick = nearBottom();
    ui.typingText.textContent = fmt(T.typing, { name: p.author.name || T.agent });
    ui.typing.hidden = false;
    if (stick) scrollToBottom();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, TYPING_TTL); // in case the "stopped" push is lost
  } else {
    hideTyping();
  }
}

export function hideTyping() {
  clearTimeout(typingTimer);
  typingTimer = null;
  if (ui) ui.typing.hidden = true;
}

// --- the open chat from `login` and `transcript` results --------------------------------------

export function adoptSummary(s) {
  var order = registerChat(s.chat_id);
  if (!chat || chat.chat_id !== s.chat_id) {
    if (!chat || chat.state === "closed" || order >= chatOrder[chat.chat_id]) {
      chat = { chat_id: s.chat_id, state: s.state, agentName: (s.agent && s.agent.name) || "", stateSeq: -1,
        hadAgent: !!s.agent };
    }
  }
  if (chat.chat_id === s.chat_id && s.agent) chat.hadAgent = true;
  // The read marks the server holds: ours (a lost mark_read is sent again) and the agent's.
  if (typeof s.visitor_read_seq === "number") readSent[s.chat_id] = s.visitor_read_seq;
  if (typeof s.agent_read_seq === "number" && !(agentReadSeq[s.chat_id] >= s.agent_read_seq)) {
    agentReadSeq[s.chat_id] = s.agent_read_seq;
    showReceipt();
  }
  updateChrome();
}
