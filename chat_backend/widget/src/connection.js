// The socket to /ws/visitor: login, resume and the transcript after every (re)connect, request and
// response matching, the application ping, and reconnecting with full-jitter backoff (or soon, when a
// node going away closed the socket: reconnect.js).

import {
  DEAD_AFTER, FATAL_LOGIN, LOGIN_TIMEOUT, MAX_FRAME, PING_EVERY, PROTOCOL, REQUEST_TIMEOUT,
} from "./config.js";
import { answeredInvitations, chatUI, loadUI, setAvailability, setConnState, uiLoading, withUI } from "./lazy.js";
import { useSiteOrigins } from "./page_origins.js";
import { GOING_AWAY_CODES, reconnectDelay } from "./reconnect.js";
import { siteId, wsUrl } from "./site.js";
import { siteDataAfterLogin } from "./site_data.js";
import { K_TOKEN, store } from "./storage.js";
import { byteLength } from "./text.js";
import { currentPage, deviceInfo, loggedInWithPage, pageUrl, sendPageView } from "./tracking.js";

let ws = null;
export let connGen = 0;
export let loggedIn = false;
export let ready = false; // logged in, transcript loaded, resumed
let everReady = false;
let attempt = 0;
let goingAwayStreak = 0; // closes by a node going away since we were last connected
let reconnectTimer = null;
let lastFrameAt = 0;
let reqSeq = 0;
let pending = {}; // req_id -> {resolve, reject, timer}

let visitorId = null;
let loginCursor = 0;
export let loginName = ""; // the visitor's name as the server knows it (the chat UI's composer takes it)
export let loginAttachments = null; // the login's file limits {enabled, max_bytes, allowed} (attachments.js)

function protoError(code, message, retryAfter) {
  var e = new Error(message || code);
  e.code = code;
  e.retryAfter = typeof retryAfter === "number" ? retryAfter : null;
  return e;
}

// --- connection ----------------------------------------------------------------------------

export function sendFrameText(action, reqId, payload) {
  return JSON.stringify({ v: PROTOCOL, type: "req", action: action, req_id: reqId, payload: payload });
}

// Fire-and-forget request (sneak_peek, mark_read, activity have no result; an `err` is ignored).
export function sendFrame(action, payload) {
  if (!ws || ws.readyState !== 1) return false;
  try {
    ws.send(sendFrameText(action, "w" + (++reqSeq), payload));
    return true;
  } catch (e) {
    return false; // closing
  }
}

export function request(action, payload, timeout) {
  return new Promise(function (resolve, reject) {
    if (!ws || ws.readyState !== 1) return reject(protoError("disconnected"));
    var id = "w" + (++reqSeq);
    var text = sendFrameText(action, id, payload);
    if (byteLength(text) > MAX_FRAME) return reject(protoError("frame_too_large"));
    var timer = setTimeout(function () {
      delete pending[id];
      reject(protoError("timeout"));
    }, timeout || REQUEST_TIMEOUT);
    pending[id] = { resolve: resolve, reject: reject, timer: timer };
    try {
      ws.send(text);
    } catch (e) {
      clearTimeout(timer);
      delete pending[id];
      reject(protoError("disconnected"));
    }
  });
}

function failPending() {
  var all = pending;
  pending = {};
  Object.keys(all).forEach(function (id) {
    clearTimeout(all[id].timer);
    all[id].reject(protoError("disconnected"));
  });
}

// Pushes for the chat UI (chat_ui.js onPush): the first one loads it; they wait for it in order.
const PUSHES = ["event", "typing", "queue_position", "read", "call_incoming", "call_state", "call_signal",
  "call_media", "preview_request"];

// A greeting: shown by the chat UI, unless this visitor answered it already (then the chat UI is not
// needed; a dismissal is told again, the last one may have been lost).
function onInvitation(inv) {
  if (!chatUI && inv && typeof inv === "object" && typeof inv.invitation_id === "string") {
    var done = answeredInvitations()[inv.invitation_id.slice(0, 64)];
    if (done === "dismissed") sendFrame("dismiss_invitation", { invitation_id: inv.invitation_id.slice(0, 64) });
    if (done) return;
  }
  withUI(function (m) { m.showInvitation(inv); });
}

function onFrame(data) {
  lastFrameAt = Date.now();
  if (typeof data !== "string") return;
  var f;
  try { f = JSON.parse(data); } catch (e) { return; }
  if (!f || typeof f !== "object") return;
  var payload = f.payload && typeof f.payload === "object" ? f.payload : {};
  if ((f.type === "res" || f.type === "err") && typeof f.req_id === "string" && pending[f.req_id]) {
    var p = pending[f.req_id];
    delete pending[f.req_id];
    clearTimeout(p.timer);
    if (f.type === "res") p.resolve(payload);
    else p.reject(protoError(payload.code || "internal", payload.message, payload.retry_after));
    return;
  }
  if (f.type === "err") {
    if (payload.code === "login_required" || payload.code === "login_timeout") dropSocket();
    return;
  }
  if (f.type !== "push") return;
  if (f.action === "availability") setAvailability(payload.agents_available);
  else if (f.action === "invitation") onInvitation(payload);
  else if (PUSHES.indexOf(f.action) >= 0) withUI(function (m) { m.onPush(f.action, payload); });
  // Unknown pushes (a newer server) are ignored.
}

export function connect() {
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  if (ws) return;
  setConnState(everReady ? "reconnecting" : "connecting");
  var sock;
  try {
    sock = new WebSocket(wsUrl);
  } catch (e) {
    scheduleReconnect();
    return;
  }
  ws = sock;
  var gen = ++connGen;
  lastFrameAt = Date.now(); // the watchdog also bounds the time to open
  sock.onopen = function () {
    if (ws !== sock) return;
    lastFrameAt = Date.now();
    startSession(gen);
  };
  sock.onmessage = function (e) {
    if (ws === sock) onFrame(e.data);
  };
  sock.onerror = function () { /* a close event follows */ };
  sock.onclose = function (e) {
    if (ws !== sock) return;
    var delay = reconnectDelay(e.code, attempt, goingAwayStreak, Math.random);
    if (GOING_AWAY_CODES.indexOf(e.code) >= 0) goingAwayStreak++;
    dropSocket(delay);
  };
}

// Forget the socket and schedule a reconnect (after `delay` ms, or with backoff).
function dropSocket(delay, state) {
  var sock = ws;
  ws = null;
  ready = false;
  loggedIn = false;
  connGen++;
  if (sock) {
    sock.onopen = sock.onmessage = sock.onclose = sock.onerror = null;
    try { sock.close(1000); } catch (e) { /* already closed */ }
  }
  failPending();
  if (chatUI) chatUI.onDisconnect();
  setConnState(state || (navigator.onLine === false ? "offline" : everReady ? "reconnecting" : "connecting"));
  scheduleReconnect(delay);
}

// Full-jitter exponential backoff: random(0, min(30 s, 0.5 s * 2^attempt)), unless told `delay`.
function scheduleReconnect(delay) {
  clearTimeout(reconnectTimer);
  var wait = typeof delay === "number" ? delay : reconnectDelay(undefined, attempt, 0, Math.random);
  attempt = Math.min(attempt + 1, 16);
  reconnectTimer = setTimeout(connect, wait);
}

async function startSession(gen) {
  if (uiLoading()) {
    // A call, a chat or an open window of this tab: the chat UI (named in the login) comes first.
    try { await loadUI(); } catch (e) { /* the login goes without it */ }
    if (gen !== connGen) return;
  }
  var token = store.get(K_TOKEN);
  var login;
  try {
    var lp = { site_id: siteId, protocol: PROTOCOL, page: currentPage(), device: deviceInfo() };
    if (token) lp.visitor_token = token;
    if (chatUI) chatUI.loginParams(lp); // the call this tab shows, or showed before a reload
    var sentUrl = pageUrl;
    login = await request("login", lp, LOGIN_TIMEOUT);
  } catch (e) {
    if (gen !== connGen) return;
    if (e.code === "invalid_token" && token) {
      // The stored visitor is gone (expired, other site, server reset): become a new visitor,
      // unless another tab of this site already did and stored its new token.
      if (store.get(K_TOKEN) === token) store.del(K_TOKEN);
      visitorId = null;
      if (chatUI) chatUI.resetConversation();
      attempt = 0;
      dropSocket(0);
    } else if (FATAL_LOGIN.indexOf(e.code) >= 0) {
      attempt = 16;
      dropSocket(undefined, "offline");
    } else if (e.code === "rate_limited") {
      dropSocket(Math.max(1, e.retryAfter || 5) * 1000);
    } else {
      dropSocket();
    }
    return;
  }
  if (gen !== connGen) return;
  loggedIn = true;
  loggedInWithPage(sentUrl);
  useSiteOrigins(Array.isArray(login.site_origins) ?
    login.site_origins.filter(function (o) { return typeof o === "string"; }) : []);
  siteDataAfterLogin();
  sendPageView(); // moved on while logging in
  if (typeof login.visitor_token === "string" && login.visitor_token) store.set(K_TOKEN, login.visitor_token);
  if (visitorId && login.visitor_id !== visitorId && chatUI) chatUI.resetConversation();
  visitorId = login.visitor_id;
  if (typeof login.name === "string" && login.name) {
    loginName = login.name;
    if (chatUI) chatUI.setVisitorName(login.name);
  }
  loginCursor = typeof login.cursor === "number" ? login.cursor : 0;
  loginAttachments = login.attachments && typeof login.attachments === "object" ? login.attachments : null;
  var summary = login.chat && typeof login.chat === "object" && login.chat.chat_id ? login.chat : null;
  if (login.invitation) onInvitation(login.invitation);

  try {
    // An open chat: its transcript is shown, so the chat UI comes now (pushes wait for it meanwhile).
    if (summary && !chatUI) {
      await loadUI();
      if (gen !== connGen) return;
    }
    if (summary) chatUI.adoptLoginChat(summary);
    setAvailability(login.agents_available !== false); // after the open chat is known: no flash of the form
    if (summary) await chatUI.loadTranscript(gen, summary.chat_id, null);
    // Resume from the newest event we hold; with nothing shown yet, from the login cursor.
    var held = chatUI ? chatUI.maxEventId() : 0;
    var cursor = summary ? Math.max(held, loginCursor) : (held || loginCursor);
    try {
      await request("resume", { cursor: cursor });
    } catch (e) {
      if (e.code !== "resync_required") throw e;
      if (summary) await chatUI.loadTranscript(gen, summary.chat_id, 0);
      try {
        await request("resume", { cursor: loginCursor });
      } catch (e2) {
        if (e2.code !== "resync_required") throw e2;
      }
    }
    if (gen !== connGen) return;
    // The server says there is no open chat: the one on screen ended while we were away.
    if (!summary && chatUI) chatUI.markChatEndedLocally();
  } catch (e) {
    if (gen === connGen) dropSocket();
    return;
  }
  ready = true;
  everReady = true;
  attempt = 0;
  goingAwayStreak = 0;
  setConnState("connected");
  sendActivity();
  if (chatUI) chatUI.afterReady();
}

// Whether the visitor looks at this tab (the operator sees it).
export function sendActivity() {
  if (ready) sendFrame("activity", { active: document.visibilityState !== "hidden" });
}

// Application ping every 20 s; 45 s without any frame from the server means the socket is dead.
// One 5 s tick does both. A hidden tab may get its timers throttled to one a minute: then the
// tick pings first and only declares the socket dead when that ping stays unanswered for 10 s.
let lastPingAt = 0;
export function startTimers() {
  setInterval(function () {
    if (!ws) return;
    var now = Date.now();
    if (loggedIn && now - lastPingAt >= PING_EVERY) {
      lastPingAt = now;
      request("ping", {}).catch(function () { /* the watchdog decides */ });
    }
    var silent = now - lastFrameAt > DEAD_AFTER;
    var pingUnanswered = lastPingAt > lastFrameAt && now - lastPingAt > 10000;
    if (silent && (!loggedIn || pingUnanswered)) dropSocket();
  }, 5000);
}

// Drop the connection and reconnect now (the site API's `reconnect`).
export function reconnectNow() {
  attempt = 0;
  if (ws) dropSocket(0);
  else connect();
}

// The browser's word on the network and on the tab's visibility.
export function watchNetwork() {
  window.addEventListener("online", function () {
    if (!ws) { attempt = 0; connect(); }
  });
  window.addEventListener("offline", function () {
    if (!ready) setConnState("offline");
  });
  document.addEventListener("visibilitychange", function () {
    var visible = document.visibilityState !== "hidden";
    if (visible && !ws && reconnectTimer) {
      clearTimeout(reconnectTimer);
      reconnectTimer = setTimeout(connect, 200);
    }
    sendActivity();
    if (visible && chatUI) chatUI.scheduleMarkRead();
  });
}
