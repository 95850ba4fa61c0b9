// The loader: the one classic script sites embed as /widget.js (see docs/widget.md, "How it loads").
// It stays small because the browser revalidates it on every page view: it finds its script tag,
// publishes a stand-in `window.LiveChatWidget` whose calls are queued, and imports the widget's entry
// chunk (content-hashed, cached for a year) from the same server. The entry's `boot()` replaces the
// stand-in and replays what was queued. Nothing runs when a widget is already on the page.
//
// `__WIDGET_ENTRY__` is the entry chunk's file name, `__WIDGET_PRELOAD__` the chunks it imports
// statically, both set by build.mjs. Those are imported at the same time as the entry (their module
// bodies only declare things), which saves a round trip: the browser fetches each URL once.

/* global __WIDGET_ENTRY__, __WIDGET_PRELOAD__ */

import { findScript } from "./site.js";

(function () {
  if (window.LiveChatWidget) return; // another copy (or its stand-in) is already on the page
  var tag = findScript();
  if (!tag || !tag.src) return;
  if (window.performance && performance.mark) performance.mark("livechat:loader");
  if (!Array.isArray(window.LiveChatWidgetQueue)) window.LiveChatWidgetQueue = [];
  var pending = []; // open/close/toggle asked for before the widget was there, replayed by boot()

  function queued(name) {
    return function (arg) { window.LiveChatWidgetQueue.push([name, arg]); };
  }
  function later(name) {
    return function () {
      if (window.LiveChatWidget !== stub) window.LiveChatWidget[name]();
      else pending.push(name);
    };
  }
  var stub = {
    loaded: false,
    version: "1",
    open: later("open"),
    close: later("close"),
    toggle: later("toggle"),
    reconnect: function () { /* not connected yet */ },
    state: function () { return "loading"; },
    identify: queued("identify"),
    setCustomData: queued("setCustomData"),
    setCart: queued("setCart"),
  };
  window.LiveChatWidget = stub;

  var url = new URL("widget/chunks/" + __WIDGET_ENTRY__, tag.src).href;
  __WIDGET_PRELOAD__.forEach(function (name) {
    import(new URL("widget/chunks/" + name, tag.src).href).catch(function () { /* the entry's import says */ });
  });
  // A failed import() is remembered for its URL: a retry asks with a query the server ignores.
  var attempt = function (left) {
    import(left < 2 ? url + "?retry=" + left : url).then(function (m) { m.boot(tag, pending); }, function () {
      if (left > 0) setTimeout(function () { attempt(left - 1); }, 5000);
    });
  };
  attempt(2);
})();
