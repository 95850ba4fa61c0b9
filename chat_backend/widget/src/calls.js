// Video calls (chat_protocol/calls.py): the call's life from `call_incoming` to its end, the
// server's `call_state` and `call_media` pushes, and the call lines of the transcript. The WebRTC
// side is in call_media.js, the panel in call_panel.js.
//
// The WebRTC code (call_media.js) is a chunk of its own, imported when a call rings (`media()`); until
// it is there no media exist, so stopping them is a no-op and signals wait in the import's promise
// (in order: every use goes through the same promise).
//
// The operator calls; the widget shows who calls and the recording notice, and answers. The agent
// makes the WebRTC offer, the widget the answer; ICE candidates trickle both ways and the ones that
// arrive before the offer has been applied wait in `pendingIce`. The visitor starts with the camera
// off and the microphone on.
//
// Camera on/off without renegotiation: the agent's offer carries a `sendrecv` video transceiver
// (`addTransceiver("video", {direction: "sendrecv"})`) next to its audio. The widget answers both
// m-lines `sendrecv` with no track on the video sender (and none on the audio sender until the
// microphone is granted), so that turning the camera on or off later is `sender.replaceTrack(track |
// null)` on a negotiated transceiver: no new offer, and only the agent ever offers. An offer without a
// video m-line leaves the camera button disabled (the widget cannot offer by protocol).
//
// A page push accepted during a call carries the call to the new page: before the browser leaves,
// carryCallAcrossPush keeps the call's id, the operator's name, the ICE servers and the visitor's
// microphone and camera choice in sessionStorage; the new page's login names the call
// (`reloaded_call_id`) and, when the server says `connecting` for it, the widget takes the call up
// again (resumeCall): the microphone (and the camera, if it was on) and a fresh answer to the
// operator's fresh offer. A reload of that page later ends the call as any reload does.

import { formatDuration, renderCall } from "./call_panel.js";
import { MAX_NAME } from "./config.js";
import { request } from "./connection.js";
import { coarsePointer, el } from "./dom.js";
import { focusComposer, isOpen, mutate, setOpen, ui } from "./panel.js";
import { K_CALL, K_CALL_CARRY, session } from "./storage.js";
import { T, fmt } from "./strings.js";
import { scalarText } from "./text.js";
import { byEventId, chat, place } from "./transcript.js";

const CALL_NOTICE_MS = 8000; // the "call ended" notice stays this long
const RING_FALLBACK_MS = 45000; // calls.RING_TIMEOUT_S, when `expires_at` makes no sense on this clock
const MAX_NOTICE = 500; // calls.MAX_NOTICE_CHARS
const END_REASONS = ["declined", "no_answer", "cancelled", "hangup", "page_reloaded", "disconnected", "failed",
  "chat_ended", "elsewhere"];

let mediaModule = null; // call_media.js once imported
let mediaLoading = null;

// The WebRTC module, imported once (the first call that rings, or the first signal).
function media() {
  if (!mediaLoading) mediaLoading = import("./call_media.js").then(function (m) { mediaModule = m; return m; });
  return mediaLoading;
}

function stopCallMedia(c) {
  if (mediaModule) mediaModule.stopCallMedia(c);
}

// `call_signal` (connection.js): the agent's offer or ICE candidates, applied in order.
export function onCallSignalLater(p) {
  media().then(function (m) { m.onCallSignal(p); });
}

export let call = null; // the video call shown in the call panel (see newCall)
export let reloadedCallId = null; // a call this tab showed before the page was reloaded
let carried = null; // the call the previous page carried across an accepted page push

export function restoreCallId() {
  reloadedCallId = session.get(K_CALL) || null;
  carried = null;
  var raw = session.get(K_CALL_CARRY);
  if (raw) {
    session.set(K_CALL_CARRY, ""); // once: a reload of this page does not carry the call again
    try {
      var saved = JSON.parse(raw);
      if (saved && typeof saved.id === "string" && saved.id === reloadedCallId && typeof saved.chatId === "string") {
        carried = saved;
      }
    } catch (e) { /* not ours */ }
  }
}

// The visitor opens a pushed page during a call: what the next page needs to take the call up again.
export function carryCallAcrossPush() {
  var c = call;
  if (!c || !c.accepted || c.phase === "ended" || c.phase === "incoming") return;
  session.set(K_CALL_CARRY, JSON.stringify({
    id: c.id, chatId: c.chatId, agentName: c.agentName, iceServers: c.iceServers, micOn: c.micOn,
    camOn: !!(c.camTrack && c.camOn), connectedAt: c.connectedAt || 0,
  }));
}

// `call_state connecting` for the call the previous page carried: the call goes on here.
function resumeCall(saved) {
  carried = null;
  if (call && call.phase !== "ended") stopCallMedia(call);
  if (call) clearCallTimers(call);
  var c = newCall(saved.id.slice(0, 64), saved.chatId);
  c.agentName = scalarText(saved.agentName, MAX_NAME).trim() || (chat && chat.agentName) || T.agent;
  c.micOn = saved.micOn !== false;
  c.wantCam = saved.camOn === true;
  var since = typeof saved.connectedAt === "number" ? saved.connectedAt : 0;
  c.resumedFrom = since > 0 && since <= Date.now() ? since : 0;
  c.accepted = true;
  c.phase = "reconnecting";
  call = c;
  reloadedCallId = null;
  rememberCall(c.id);
  if (!isOpen) setOpen(true, false);
  renderCall();
  media().then(function (m) {
    c.iceServers = m.iceServersFrom(saved.iceServers);
    if (call === c && c.phase !== "ended") m.startMicrophone(c);
  });
}

function newCall(id, chatId) {
  return {
    id: id, chatId: chatId, agentName: "", notice: "", iceServers: [], phase: "incoming", accepted: false,
    reason: null, endedBy: null, durationS: null, pc: null, remoteStream: null, remoteSet: false,
    pendingIce: [], signals: Promise.resolve(), audioTx: null, videoTx: null, micTrack: null, micOn: true,
    micFailed: false, camTrack: null, camOn: false, camBusy: false, connectedAt: 0, reported: null,
    remoteMic: true, remoteCam: true, collapsed: false, info: "", ringTimer: null, tickTimer: null, hideTimer: null,
    micGen: 0, wantCam: false, resumedFrom: 0,
  };
}

function rememberCall(id) {
  session.set(K_CALL, id || "");
}

// `call_incoming`: show who calls (and the recording notice) with Accept / Decline; tell the server.
export function onCallIncoming(p) {
  if (typeof p.call_id !== "string" || !p.call_id || typeof p.chat_id !== "string") return;
  if (call && call.id === p.call_id) return; // the same push again
  if (call && call.phase !== "ended") stopCallMedia(call); // the server allows one call: the old one is over
  if (call) clearCallTimers(call);
  var c = newCall(p.call_id.slice(0, 64), p.chat_id);
  c.agentName = scalarText(p.agent_name, MAX_NAME).trim() || (chat && chat.agentName) || T.agent;
  c.notice = scalarText(p.recording_notice, MAX_NOTICE).trim();
  media().then(function (m) { c.iceServers = m.iceServersFrom(p.ice_servers); });
  var left = Date.parse(p.expires_at) - Date.now();
  c.ringTimer = setTimeout(function () {
    if (call === c && c.phase === "incoming") endCall("no_answer", "system", null);
  }, left > 0 && left <= 120000 ? left + 1000 : RING_FALLBACK_MS);
  call = c;
  reloadedCallId = null;
  rememberCall(c.id);
  var wasOpen = isOpen;
  if (!isOpen) setOpen(true, false);
  renderCall();
  if (!wasOpen && !coarsePointer()) ui.callAccept.focus();
  request("call_ringing", { call_id: c.id }).catch(function (e) {
    if (call === c && c.phase === "incoming" && (e.code === "not_found" || e.code === "forbidden")) {
      endCall(null, null, null);
    }
  });
}

function acceptCall() {
  var c = call;
  if (!c || c.phase !== "incoming" || c.accepted) return;
  c.accepted = true;
  c.phase = "connecting";
  c.info = "";
  clearTimeout(c.ringTimer);
  renderCall();
  // Focus on the panel (announced as the call region); Tab reaches the controls. Not on hang-up: a
  // second Enter must not end the call just accepted.
  if (!coarsePointer()) ui.call.focus();
  // Ask for the microphone at once (still inside the click, and the prompt runs while the server
  // forwards the answer and the agent makes its offer). The camera stays off.
  media().then(function (m) { if (call === c && c.phase !== "ended") m.startMicrophone(c); });
  // `call_media` follows once the microphone is granted or refused (startMicrophone).
  request("call_answer", { call_id: c.id, accept: true }).catch(function (e) {
    if (call !== c || c.phase === "ended") return;
    if (e.code === "not_found" || e.code === "forbidden") {
      endCall(null, null, null);
      return;
    }
    // Not answered (no connection, rate limit): back to the question, the media released.
    stopCallMedia(c);
    c.accepted = false;
    c.phase = "incoming";
    c.micTrack = null;
    c.micFailed = false;
    c.info = T.callAnswerFailed;
    renderCall();
  });
}

function declineCall() {
  var c = call;
  if (!c || c.phase !== "incoming") return;
  request("call_answer", { call_id: c.id, accept: false }).catch(function () { /* it rings out anyway */ });
  endCall("declined", "visitor", null);
}

function hangupCall() {
  var c = call;
  if (!c || c.phase === "ended") return;
  request("call_hangup", { call_id: c.id }).catch(function () { /* the server ends it when we are gone */ });
  endCall("hangup", "visitor", c.connectedAt ? (Date.now() - c.connectedAt) / 1000 : 0);
}

export function markConnected(c) {
  c.phase = "connected";
  if (!c.connectedAt) {
    c.connectedAt = c.resumedFrom || Date.now();
    c.tickTimer = setInterval(function () {
      if (call === c && c.phase !== "ended") ui.callTimer.textContent = formatDuration((Date.now() - c.connectedAt) / 1000);
    }, 1000);
  }
  renderCall();
}

// `call_state` from the server, the authority on the call's life.
export function onCallState(p) {
  if (typeof p.call_id !== "string") return;
  var reason = END_REASONS.indexOf(p.reason) >= 0 ? p.reason : null;
  var endedBy = p.ended_by === "agent" || p.ended_by === "visitor" || p.ended_by === "system" ? p.ended_by : null;
  var duration = typeof p.duration_s === "number" ? p.duration_s : null;
  var c = call;
  if (!c || c.id !== p.call_id) {
    if (carried && p.call_id === carried.id && p.state === "connecting") {
      resumeCall(carried);
      return;
    }
    // A call this tab showed before a reload, or one that ended because of this page's login.
    if (p.state === "ended" && (p.call_id === reloadedCallId || reason === "page_reloaded") &&
      (!c || c.phase === "ended")) {
      showCallEnded(p.call_id, typeof p.chat_id === "string" ? p.chat_id : "", reason, endedBy, duration);
    }
    return;
  }
  if (p.state === "ended") {
    endCall(reason, endedBy, duration);
  } else if (c.phase === "ended") {
    return;
  } else if (c.phase === "incoming") {
    // Answered in another tab of this visitor: this one has nothing to do.
    if (p.state !== "ringing") endCall("elsewhere", "visitor", null);
  } else if (p.state === "connected") {
    markConnected(c);
  } else if (p.state === "reconnecting") {
    c.phase = "reconnecting";
    renderCall();
  }
}

// `call_media`: the operator's microphone and camera.
export function onCallMedia(p) {
  var c = call;
  if (!c || p.call_id !== c.id || p.party === "visitor") return;
  c.remoteMic = p.microphone !== false;
  c.remoteCam = p.camera !== false;
  renderCall();
}

function clearCallTimers(c) {
  clearTimeout(c.ringTimer);
  clearInterval(c.tickTimer);
  clearTimeout(c.hideTimer);
}

export function endCall(reason, endedBy, durationS) {
  var c = call;
  if (!c) return;
  if (c.phase === "ended") {
    // The server's word after our own guess (e.g. it says who hung up, and for how long).
    if (reason && reason !== "elsewhere") c.reason = reason;
    if (endedBy) c.endedBy = endedBy;
    if (durationS !== null) c.durationS = durationS;
    renderCall();
    return;
  }
  var hadFocus = !!ui.shadow.activeElement && ui.call.contains(ui.shadow.activeElement);
  stopCallMedia(c);
  clearCallTimers(c);
  c.phase = "ended";
  c.reason = reason;
  c.endedBy = endedBy;
  c.durationS = durationS !== null ? durationS : c.connectedAt ? (Date.now() - c.connectedAt) / 1000 : null;
  c.info = "";
  rememberCall("");
  c.hideTimer = setTimeout(function () { if (call === c) hideCall(false); }, CALL_NOTICE_MS);
  renderCall();
  if (hadFocus && isOpen) {
    if (!coarsePointer()) focusComposer();
  }
}

// The end notice of a call this page did not run (the one before a reload).
function showCallEnded(callId, chatId, reason, endedBy, durationS) {
  reloadedCallId = null;
  rememberCall("");
  if (call) clearCallTimers(call);
  call = newCall(callId, chatId);
  call.phase = "ended";
  call.reason = reason;
  call.endedBy = endedBy;
  call.durationS = durationS;
  var c = call;
  c.hideTimer = setTimeout(function () { if (call === c) hideCall(false); }, CALL_NOTICE_MS);
  renderCall();
}

function hideCall(moveFocus) {
  if (!call) return;
  if (call.phase !== "ended") return;
  clearCallTimers(call);
  var hadFocus = !!ui.shadow.activeElement && ui.call.contains(ui.shadow.activeElement);
  call = null;
  renderCall();
  if ((moveFocus || hadFocus) && isOpen) focusComposer();
}

// A durable `call` event: one line in the transcript; and the end of the call on screen, if the
// push that should have said so did not come.
export function applyCallEvent(ev, order, seq) {
  if (typeof ev.event_id === "number") byEventId[ev.event_id] = true;
  if (ev.state !== "started" && ev.state !== "ended") return;
  var reason = typeof ev.reason === "string" ? ev.reason : "";
  var text;
  if (ev.state === "started") text = T.callStarted;
  else if (reason === "declined") text = T.callDeclined;
  else if (reason === "no_answer" || reason === "cancelled") text = T.callMissed;
  else text = fmt(T.callEndedLine, { duration: formatDuration(typeof ev.duration_s === "number" ? ev.duration_s : 0) });
  mutate(function () {
    var node = el("div", { class: "notice call-line", "data-testid": "call-event", "data-call-state": ev.state,
      "data-seq": String(seq), dir: "auto", text: text });
    if (reason) node.setAttribute("data-reason", reason);
    node._lc = { authorKey: null };
    place(node, order, seq);
  });
  if (ev.state === "ended" && typeof ev.call_id === "string") {
    var endedBy = ev.ended_by === "agent" || ev.ended_by === "visitor" || ev.ended_by === "system" ? ev.ended_by : null;
    var r = END_REASONS.indexOf(reason) >= 0 ? reason : null;
    var duration = typeof ev.duration_s === "number" ? ev.duration_s : null;
    if (call && call.id === ev.call_id) endCall(r, endedBy, duration);
    else if (ev.call_id === reloadedCallId && (!call || call.phase === "ended")) {
      showCallEnded(ev.call_id, ev.chat_id, r, endedBy, duration);
    }
  }
}

export function wireCall() {
  ui.callAccept.addEventListener("click", acceptCall);
  ui.callDecline.addEventListener("click", declineCall);
  ui.callHangup.addEventListener("click", hangupCall);
  ui.callMic.addEventListener("click", function () { if (mediaModule) mediaModule.toggleMicrophone(); });
  ui.callCam.addEventListener("click", function () { if (mediaModule) mediaModule.toggleCamera(); });
  ui.callCollapse.addEventListener("click", function () {
    if (!call) return;
    call.collapsed = !call.collapsed;
    renderCall();
  });
  ui.callDismiss.addEventListener("click", function () { hideCall(true); });
  // A reload or a navigation away: no camera or microphone stays open. The server ends the call when
  // the next page logs in (`page_reloaded`); K_CALL lets that page say why.
  window.addEventListener("pagehide", function () {
    if (call && call.phase !== "ended") stopCallMedia(call);
  });
  // Back from the back/forward cache: that call is over (its media were stopped on the way out).
  window.addEventListener("pageshow", function (e) {
    if (e.persisted && call && call.phase !== "ended") endCall("page_reloaded", "system", null);
  });
}
