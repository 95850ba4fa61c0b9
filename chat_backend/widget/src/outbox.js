// The outbox: the visitor's messages until the server has stored them (kept in localStorage, so a
// reload loses nothing), sent one at a time with the same client_id on every retry.

import { MAX_FRAME, MAX_TEXT, OUTBOX_MAX_AGE, PERMANENT_SEND } from "./config.js";
import { connGen, ready, request, sendFrameText } from "./connection.js";
import { mutate, updateChrome } from "./panel.js";
import { clearRating } from "./rating.js";
import { K_OUTBOX, store } from "./storage.js";
import { T } from "./strings.js";
import { byteLength } from "./text.js";
import { applyEvent, byClientId, markChatEndedLocally, renderPendingSend, setMeta } from "./transcript.js";
import { uuid } from "./uuid.js";

export let outbox = []; // unacknowledged sends, persisted
export let failed = {}; // client_id -> outbox item that the server refused
let pumping = false;

export function restoreOutbox() {
  outbox = loadOutbox();
}

function loadOutbox() {
  var raw = store.get(K_OUTBOX);
  if (!raw) return [];
  try {
    var items = JSON.parse(raw);
    if (!Array.isArray(items)) return [];
    var now = Date.now();
    return items.filter(function (it) {
      return it && typeof it.client_id === "string" && it.client_id.length >= 8 && it.client_id.length <= 64 &&
        typeof it.text === "string" && it.text.length > 0 && it.text.length <= MAX_TEXT &&
        (it.name === null || it.name === undefined || typeof it.name === "string") &&
        (it.invitation_id === undefined || (typeof it.invitation_id === "string" && it.invitation_id.length <= 64)) &&
        typeof it.at === "number" && now - it.at < OUTBOX_MAX_AGE;
    });
  } catch (e) {
    return [];
  }
}
function saveOutbox() {
  if (outbox.length) store.set(K_OUTBOX, JSON.stringify(outbox));
  else store.del(K_OUTBOX);
}
export function removeFromOutbox(clientId) {
  var before = outbox.length;
  outbox = outbox.filter(function (it) { return it.client_id !== clientId; });
  if (outbox.length !== before) saveOutbox();
}

// A new visitor: nothing refused yet.
export function forgetFailed() {
  failed = {};
}

function sleep(ms) {
  return new Promise(function (resolve) { setTimeout(resolve, ms); });
}

// A new message: shown at once as "Sending…", kept in the outbox until the server stored it.
export function enqueueSend(text, name, invitationId) {
  if (text.length > MAX_TEXT) text = text.slice(0, MAX_TEXT);
  var item = { client_id: uuid(), text: text, name: name || null, at: Date.now() };
  if (invitationId) item.invitation_id = invitationId;
  clearRating(); // a new message skips the rating prompt
  var node;
  mutate(function () { node = renderPendingSend(item); }, true);
  if (byteLength(sendFrameText("send_message", "w000000", sendPayload(item))) > MAX_FRAME) {
    markFailed(item, node, T.tooLong);
    return;
  }
  outbox.push(item);
  saveOutbox();
  updateChrome();
  pump();
}

function sendPayload(item) {
  var p = { client_id: item.client_id, text: item.text };
  if (item.name) p.name = item.name;
  if (item.invitation_id) p.invitation_id = item.invitation_id;
  return p;
}

function markFailed(item, node, reason) {
  removeFromOutbox(item.client_id);
  failed[item.client_id] = item;
  node = node || byClientId[item.client_id];
  if (!node) return;
  node._lc.failReason = reason || T.failed;
  setMeta(node, "failed", null, item.client_id);
  updateChrome();
}

export function retrySend(clientId) {
  var item = failed[clientId];
  if (!item) return;
  delete failed[clientId];
  var node = byClientId[clientId];
  if (node) {
    delete byClientId[clientId];
    node.parentNode && node.parentNode.removeChild(node);
  }
  if (item.conflict) {
    item = { client_id: uuid(), text: item.text, name: item.name, at: Date.now(), invitation_id: item.invitation_id };
  }
  item.tries = 0;
  mutate(function () { renderPendingSend(item); }, true);
  outbox.push(item);
  saveOutbox();
  pump();
}

// Sends the outbox in order, one at a time (the first message opens the chat), with the same
// client_id on every retry: the server deduplicates, so each message is stored exactly once.
export function pump() {
  if (pumping || !ready) return;
  pumping = true;
  var gen = connGen;
  (async function () {
    while (ready && gen === connGen) {
      var item = null;
      for (var i = 0; i < outbox.length; i++) if (!failed[outbox[i].client_id]) { item = outbox[i]; break; }
      if (!item) break;
      try {
        var res = await request("send_message", sendPayload(item));
        if (res && res.event) applyEvent(res.event, true);
        removeFromOutbox(item.client_id);
        updateChrome();
      } catch (e) {
        if (gen !== connGen || e.code === "disconnected") break;
        item.tries = (item.tries || 0) + 1;
        if (e.code === "rate_limited") {
          await sleep(Math.max(1, e.retryAfter || 2) * 1000);
        } else if (PERMANENT_SEND.indexOf(e.code) >= 0 || item.tries > 5) {
          if (e.code === "client_id_conflict") item.conflict = true;
          markFailed(item, null, e.code === "frame_too_large" ? T.tooLong : T.failed);
        } else {
          // timeout, chat_closed (the next message opens a new chat), internal: retry, same client_id
          if (e.code === "chat_closed") markChatEndedLocally();
          await sleep(Math.min(8000, 500 * Math.pow(2, item.tries)));
        }
      }
    }
  })().then(function () { pumping = false; }, function () { pumping = false; });
}
