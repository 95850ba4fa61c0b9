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
// open/close/toggle calls made before, restores what this tab kept, publishes the site API
// (`window.LiveChatWidget`, replacing the loader's stand-in; `LiveChatWidgetQueue`) and builds the
// widget once the page has a body. Importing this module does nothing by itself.

import { restoreCallId, wireCall } from "./calls.js";
import { restoreVisitorName, wireComposer } from "./composer.js";
import { connect, reconnectNow, startTimers, watchNetwork } from "./connection.js";
import { isWebUrl } from "./dom.js";
import { wireGreeting } from "./invitations.js";
import { restoreAvailability, wireOffline } from "./offline.js";
import { outbox, restoreOutbox } from "./outbox.js";
import { pageAllowed } from "./page_push.js";
import {
  connState, isOpen, mount, setConnState, setOpen, ui, updateBadge, updateChrome, wirePanel,
} from "./panel.js";
import { wireRating } from "./rating.js";
import { script, siteId, useScript } from "./site.js";
import { API, runQueue } from "./site_data.js";
import { K_OPEN, session, useSiteKeys } from "./storage.js";
import { useLanguage } from "./strings.js";
import { describeDevice, watchNavigation } from "./tracking.js";
import { renderPendingSend } from "./transcript.js";
import { wireTranscriptMail } from "./transcript_mail.js";

let booted = false;

export function boot(tag, pending) {
  if (booted || (window.LiveChatWidget && window.LiveChatWidget.loaded)) return;
  booted = true;
  const began = window.performance && performance.now ? performance.now() : 0;
  useScript(tag);
  useLanguage(script);
  useSiteKeys(siteId);
  restoreVisitorName();
  restoreOutbox();
  restoreAvailability();
  restoreCallId();

  window.LiveChatWidget = Object.freeze({
    loaded: true,
    version: "1",
    open: function () { if (ui) setOpen(true, true); },
    close: function () { if (ui) setOpen(false, false); },
    toggle: function () { if (ui) setOpen(!isOpen, true); },
    /** Drop the connection and reconnect now (for tests and "retry" links). */
    reconnect: function () { if (ui) reconnectNow(); },
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

function init() {
  if (ui) return;
  mount();
  wirePanel();
  wireComposer();
  watchNetwork();
  wireRating();
  wireGreeting();
  wireOffline();
  wireTranscriptMail();
  wireCall();
  setConnState("connecting");
  outbox.forEach(renderPendingSend);
  updateChrome();
  updateBadge();
  if (session.get(K_OPEN) === "1") setOpen(true, false);
  startTimers();
  watchNavigation();
  connect();
}
