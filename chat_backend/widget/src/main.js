/*!
 * Live chat website widget. Built from the ES modules in chat_backend/widget/src/ (see the README
 * there) into a small loader (/widget.js, src/loader.js) and content-hashed chunks; this module is
 * the entry chunk the loader imports. Do not edit the build by hand. No dependencies at run time.
 *
 *   <script src="https://chat.example.com/widget.js" data-site="SITE_ID" async></script>
 *
 * Optional attributes on the script tag: data-title (header title), data-color (accent colour),
 * data-lang ("ja" | "en"; default from navigator.language).
 * See docs/widget.md for the behaviour, the protocol use and the data-testids.
 *
 * Site API: LiveChatWidget.identify({name, email, phone, id}), .setCustomData({...}),
 * .setCart({items: [{name, price, quantity}], total, currency}); or, before this file has loaded,
 * window.LiveChatWidgetQueue = [["setCart", {...}], ...].
 *
 * Security: every string that comes from the server or the visitor is written with textContent;
 * http(s) URLs in messages become <a> elements built with DOM APIs (rel="noopener noreferrer").
 * The widget never turns text into markup (no inner-HTML assignment) and loads nothing but its own
 * chunks, from the server /widget.js came from.
 */

// The entry chunk: `boot(tag, pending)`, called by the loader with the script tag it found and the
// open/close/toggle calls made before, publishes the site API (`window.LiveChatWidget`, replacing the
// loader's stand-in; `LiveChatWidgetQueue`) and, once the page has a body, shows the launcher and
// connects (login, resume, page views). The chat UI is a chunk of its own (lazy.js), imported when the
// launcher is first opened, or at once when this tab has a chat, a call or an open window to show.
// Importing this module does nothing by itself.

import { connect, reconnectNow, startTimers, watchNetwork } from "./connection.js";
import { isWebUrl } from "./dom.js";
import { mountLauncher } from "./launcher.js";
import { chatUI, connState, loadUI } from "./lazy.js";
import { pageAllowed } from "./page_origins.js";
import { siteId, useScript } from "./site.js";
import { API, runQueue } from "./site_data.js";
import { K_CALL, K_CALL_CARRY, K_OPEN, K_OUTBOX, K_PREVIEW, session, store, useSiteKeys } from "./storage.js";
import { describeDevice, watchNavigation } from "./tracking.js";

let booted = false;
let built = false;

// Open the window (importing the chat UI first if need be).
function openChat() {
  loadUI().then(function (m) { m.setOpen(true, true); }, function () { /* the launcher stays */ });
}

export function boot(tag, pending) {
  if (booted || (window.LiveChatWidget && window.LiveChatWidget.loaded)) return;
  booted = true;
  const began = window.performance && performance.now ? performance.now() : 0;
  useScript(tag);
  useSiteKeys(siteId);

  window.LiveChatWidget = Object.freeze({
    loaded: true,
    version: "1",
    open: function () { if (built) openChat(); },
    close: function () { if (chatUI) chatUI.setOpen(false, false); },
    toggle: function () {
      if (chatUI) chatUI.setOpen(!chatUI.isOpen, true);
      else if (built) openChat();
    },
    /** Drop the connection and reconnect now (for tests and "retry" links). */
    reconnect: function () { if (built) reconnectNow(); },
    state: function () { return connState; },
    /** Who the visitor is, as the site knows it: {name, email, phone, id}. */
    identify: API.identify,
    /** Replaces the visitor's custom data: {key: value, ...} (at most 50 fields). */
    setCustomData: API.setCustomData,
    /** The visitor's cart: {items: [{name, price, quantity}], total, currency}; no items clears it. */
    setCart: API.setCart,
    /** Pure helpers, exposed so that tests can check them directly. */
    internals: Object.freeze({ pageAllowed: pageAllowed, describeDevice: describeDevice, isWebUrl: isWebUrl }),
  });
  runQueue();

  const api = window.LiveChatWidget;
  const ready = function () {
    init();
    (pending || []).forEach(function (name) { if (name in api) api[name](); });
  };
  if (document.body) ready();
  else document.addEventListener("DOMContentLoaded", ready);
  if (began && performance.measure) {
    try { performance.measure("livechat:boot", { start: began }); } catch (e) { /* old browser */ }
  }
}

// Something of this tab to show at once: the window left open, sends not yet acknowledged, a call,
// a preview of this tab's pages.
function chatUINeeded() {
  return session.get(K_OPEN) === "1" || !!store.get(K_OUTBOX) || !!session.get(K_CALL) ||
    !!session.get(K_CALL_CARRY) || !!session.get(K_PREVIEW);
}

function init() {
  if (built) return;
  built = true;
  mountLauncher(openChat);
  if (chatUINeeded()) loadUI().catch(function () { /* the login goes without it; the launcher stays */ });
  watchNetwork();
  startTimers();
  watchNavigation();
  connect();
}
