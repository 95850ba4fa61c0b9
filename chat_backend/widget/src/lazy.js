// The chat UI (chat_ui.js and everything it imports: panel, composer, transcript, rating, offline
// form, invitations, transcript mail, the call panel, strings, the panel's styles) is a chunk of its
// own, imported when it is first needed: the launcher opened, a chat or a greeting the login names, a
// push that shows something. Until then the connection, tracking and the launcher (launcher.js) run
// without it; pushes that need it wait here, in order, and are handed to it once it is there.

import { K_AVAILABLE, K_INVITES, K_OFFLINE_SENT, session, store } from "./storage.js";

export let chatUI = null; // the chat UI module, once loaded and started
export let connState = "connecting";
let loading = null;
let waiting = []; // what arrived before the chat UI: functions of it, run in order once it is there

export function setConnState(state) {
  connState = state;
  if (chatUI) chatUI.setConnState(state);
}

// The chat UI is on its way (the login waits for it: a call of this tab is named there).
export function uiLoading() {
  return !!loading && !chatUI;
}

export function loadUI() {
  if (!loading) {
    loading = import("./chat_ui.js").then(function (m) {
      m.start();
      chatUI = m;
      var list = waiting;
      waiting = [];
      list.forEach(function (fn) { fn(m); });
      return m;
    }, function (e) {
      loading = null; // the next need asks again; what waits is retried in 5 s
      if (waiting.length) setTimeout(function () { loadUI().catch(function () { /* later */ }); }, 5000);
      throw e;
    });
  }
  return loading;
}

// Run `fn(chatUI)` now if the chat UI is there, else once it is (importing it now).
export function withUI(fn) {
  if (chatUI) {
    fn(chatUI);
    return;
  }
  waiting.push(fn);
  loadUI().catch(function () { /* retried */ });
}

// Whether agents accept chats: the chat UI's offline form follows it; before it is loaded, this tab's
// sessionStorage keeps the latest word for it (offline.js restores it from there).
export function setAvailability(available) {
  if (chatUI) {
    chatUI.setAvailability(available);
    return;
  }
  session.set(K_AVAILABLE, available !== false ? "1" : "0");
  if (available !== false) session.set(K_OFFLINE_SENT, "0");
}

// {invitation_id: "dismissed" | "replied"}, the latest 20 (localStorage).
export function answeredInvitations() {
  try {
    var done = JSON.parse(store.get(K_INVITES) || "{}");
    return done && typeof done === "object" && !Array.isArray(done) ? done : {};
  } catch (e) {
    return {};
  }
}
