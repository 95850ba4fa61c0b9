// The chat UI chunk (see lazy.js): the panel and all it shows. `start()` builds it in place of the
// launcher of launcher.js; connection.js talks to it through the functions exported here.

import { wireAttachments } from "./attachments.js";
import { call, onCallIncoming, onCallMedia, onCallSignalLater, onCallState, reloadedCallId, restoreCallId, wireCall }
  from "./calls.js";
import { peekReset, restoreVisitorName, schedulePeek, setVisitorName, wireComposer } from "./composer.js";
import { TRANSCRIPT_PAGE } from "./config.js";
import { connGen, loginName, ready, request } from "./connection.js";
import { showInvitation, wireGreeting } from "./invitations.js";
import { unmountLauncher } from "./launcher.js";
import { connState } from "./lazy.js";
import { restoreAvailability, setAvailability, wireOffline } from "./offline.js";
import { outbox, pump, restoreOutbox } from "./outbox.js";
import { mount, scrollToBottom, setConnState, setOpen, ui, updateBadge, updateChrome, wirePanel } from "./panel.js";
import { onPreviewRequest, resumePreview } from "./preview.js";
import { wireRating } from "./rating.js";
import { onRead, scheduleMarkRead } from "./receipts.js";
import { script } from "./site.js";
import { K_OPEN, session } from "./storage.js";
import { useLanguage } from "./strings.js";
import {
  adoptSummary, applyEvent, chat, chatIsOpen, chatMaxSeq, hideTyping, markChatEndedLocally, maxEventId as heldEventId,
  onQueuePosition, onTyping, renderPendingSend, resetConversation,
} from "./transcript.js";
import { wireTranscriptMail } from "./transcript_mail.js";

export { isOpen } from "./panel.js";
export {
  markChatEndedLocally, resetConversation, scheduleMarkRead, setAvailability, setConnState, setOpen, setVisitorName,
  showInvitation,
};

export function start() {
  useLanguage(script);
  restoreVisitorName();
  if (loginName) setVisitorName(loginName);
  restoreOutbox();
  restoreAvailability();
  restoreCallId();
  mount();
  var hadFocus = unmountLauncher();
  wirePanel();
  wireComposer();
  wireRating();
  wireGreeting();
  wireOffline();
  wireTranscriptMail();
  wireCall();
  wireAttachments();
  setConnState(connState);
  outbox.forEach(renderPendingSend);
  updateChrome();
  updateBadge();
  if (session.get(K_OPEN) === "1") setOpen(true, false);
  else if (hadFocus) ui.launcher.focus();
  if (ready) afterReady(); // loaded after the session was up
}

export function onPush(action, payload) {
  if (action === "event") applyEvent(payload.event, true);
  else if (action === "typing") onTyping(payload);
  else if (action === "queue_position") onQueuePosition(payload);
  else if (action === "read") onRead(payload);
  else if (action === "call_incoming") onCallIncoming(payload);
  else if (action === "call_state") onCallState(payload);
  else if (action === "call_signal") onCallSignalLater(payload);
  else if (action === "call_media") onCallMedia(payload);
  else if (action === "preview_request") onPreviewRequest(payload);
}

// A reconnect of this page keeps its call; after a reload the server ends the call this tab ran.
export function loginParams(lp) {
  if (call && call.phase !== "ended") lp.call_id = call.id;
  else if (reloadedCallId) lp.reloaded_call_id = reloadedCallId;
}

export function adoptLoginChat(summary) {
  if (chatIsOpen() && chat.chat_id !== summary.chat_id) chat.state = "closed";
  adoptSummary(summary);
}

export function maxEventId() {
  return heldEventId;
}

export function onDisconnect() {
  hideTyping();
  peekReset();
}

// Logged in, transcript loaded, resumed.
export function afterReady() {
  resumePreview(chat);
  if (ui.input.value) schedulePeek();
  scheduleMarkRead();
  pump();
}

function disconnected() {
  var e = new Error("disconnected");
  e.code = "disconnected";
  return e;
}

// The open chat's events after `afterSeq` (null: after the newest shown), page by page.
export async function loadTranscript(gen, chatId, afterSeq) {
  var after = afterSeq === null ? chatMaxSeq[chatId] || 0 : afterSeq;
  for (var page = 0; page < 100; page++) {
    var res = await request("transcript", { after_seq: after, limit: TRANSCRIPT_PAGE });
    if (gen !== connGen) throw disconnected();
    if (res.chat && res.chat.chat_id) adoptSummary(res.chat);
    var events = Array.isArray(res.events) ? res.events.slice() : [];
    events.sort(function (a, b) { return (a && a.seq) - (b && b.seq); });
    for (var i = 0; i < events.length; i++) applyEvent(events[i], false);
    // A short page is the end, unless the server cut it to stay small (`has_more`).
    if (events.length < TRANSCRIPT_PAGE && res.has_more !== true) break;
    if (!events.length) break;
    var last = events[events.length - 1].seq;
    if (!(last > after)) break;
    after = last;
  }
  scrollToBottom();
}
