// The script tag that loaded the widget: the site's id and the server to talk to.

export let script = null;
export let siteId = "";
export let wsUrl = "";

// The tag this file was loaded by (or, when `document.currentScript` is not set, the last tag that
// loads a widget.js with a data-site), or null.
export function findScript() {
  return document.currentScript || (function () {
    var all = document.querySelectorAll("script[data-site]");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/\/widget\.js(\?|#|$)/.test(all[i].src)) return all[i];
    }
    return null;
  })();
}

export function useScript(tag) {
  script = tag;
  siteId = script.getAttribute("data-site") || "";
  var srcUrl = new URL(script.src, document.baseURI);
  wsUrl = (srcUrl.protocol === "https:" ? "wss://" : "ws://") + srcUrl.host + "/ws/visitor";
}
