// The launcher every page shows before the chat UI chunk is loaded (lazy.js): a shadow root of its
// own with the launcher's CSS only. The chat UI, once loaded, builds the whole widget (with its own
// launcher, badge and window) and removes this one.

import { cssSupports, el, icon } from "./dom.js";
import { LAUNCHER_STYLE } from "./launcher_style.js";
import { script } from "./site.js";

const LABEL = { en: "Open chat", ja: "チャットを開く" }; // strings.js's openChat

let host = null;

export function mountLauncher(onOpen) {
  host = document.createElement("livechat-widget");
  host.setAttribute("data-livechat", "");
  var shadow = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent = LAUNCHER_STYLE;
  shadow.appendChild(style);
  var pref = (script.getAttribute("data-lang") || navigator.language || "en").toLowerCase();
  var lang = pref.indexOf("ja") === 0 ? "ja" : "en";
  var root = el("div", { class: "root", lang: lang });
  var accent = script.getAttribute("data-color");
  if (accent && cssSupports("color", accent)) {
    root.style.setProperty("--accent", accent);
    root.style.setProperty("--accent2", accent);
  }
  var button = el("button", { type: "button", class: "launcher", "data-testid": "launcher",
    "aria-label": LABEL[lang], title: LABEL[lang], "aria-expanded": "false" },
  [el("span", { class: "launcher-icon" }, [icon("chat", 26)])]);
  button.addEventListener("click", onOpen);
  root.appendChild(button);
  shadow.appendChild(root);
  document.body.appendChild(host);
}

// Removed for the chat UI's own launcher; true when this one had the keyboard focus (the chat UI
// gives it to its launcher then).
export function unmountLauncher() {
  var focused = !!host && document.activeElement === host;
  if (host) host.remove();
  host = null;
  return focused;
}
