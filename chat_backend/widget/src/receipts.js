// Read receipts both ways ("Read" under the visitor's message the agent has read; `mark_read` for
// the agent's messages the visitor has seen) and the visitor's activity (tab visible or not).

import { MARK_READ_EVERY } from "./config.js";
import { ready, sendFrame } from "./connection.js";
import { isOpen, ui } from "./panel.js";
import { chat, chatIsOpen } from "./transcript.js";

export let agentMsgSeq = {}; // chat_id -> highest seq of an agent message shown
export let readSent = {}; // chat_id -> highest seq the server knows we have read
export let agentReadSeq = {}; // chat_id -> highest seq the agent has read (`read` pushes)
let markTimer = null;
let markLastAt = 0;

// A new visitor: nothing read yet.
export function resetReadMarks() {
  agentMsgSeq = {};
  readSent = {};
  agentReadSeq = {};
}

// "Read" goes under the visitor's latest message (of the current chat) that the agent has read.
export function showReceipt() {
  var target = null;
  var upTo = chat ? agentReadSeq[chat.chat_id] : 0;
  if (upTo > 0) {
    var kids = ui.list.children;
    for (var i = kids.length - 1; i >= 0; i--) {
      var k = kids[i]._lc;
      if (k && k.kind === "visitor" && k.seqKnown && k.chatId === chat.chat_id && k.seq <= upTo) {
        target = kids[i];
        break;
      }
    }
  }
  if (!target) {
    if (ui.receipt.parentNode) ui.receipt.parentNode.removeChild(ui.receipt);
  } else if (ui.receipt.parentNode !== target._lc.meta) {
    target._lc.meta.appendChild(ui.receipt);
  }
}

export function onRead(p) {
  if (p.reader !== "agent" || typeof p.chat_id !== "string" || typeof p.seq !== "number") return;
  if (agentReadSeq[p.chat_id] >= p.seq) return;
  agentReadSeq[p.chat_id] = p.seq;
  showReceipt();
}

// Tell the server we have seen the agent's messages: only while they can be seen (window open,
// tab visible), only when the seq grows, at most every MARK_READ_EVERY ms (trailing edge kept).
function canSeeMessages() {
  return isOpen && document.visibilityState !== "hidden";
}
export function scheduleMarkRead() {
  if (markTimer || !ready || !canSeeMessages() || !chatIsOpen()) return;
  if (!((agentMsgSeq[chat.chat_id] || 0) > (readSent[chat.chat_id] || 0))) return;
  var wait = Math.max(0, MARK_READ_EVERY - (Date.now() - markLastAt));
  markTimer = setTimeout(function () {
    markTimer = null;
    flushMarkRead();
  }, wait);
}
function flushMarkRead() {
  if (!ready || !canSeeMessages() || !chatIsOpen()) return;
  var id = chat.chat_id;
  var seq = agentMsgSeq[id] || 0;
  if (!(seq > (readSent[id] || 0))) return;
  if (sendFrame("mark_read", { seq: seq })) {
    readSent[id] = seq;
    markLastAt = Date.now();
  }
}
