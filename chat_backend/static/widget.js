/*!
 * Live chat website widget. One file, no dependencies, no build step.
 *
 *   <script src="https://chat.example.com/widget.js" data-site="SITE_ID" async></script>
 *
 * Optional attributes on the script tag: data-title (header title), data-color (accent colour),
 * data-lang ("ja" | "en"; default from navigator.language).
 * See docs/widget.md for the behaviour, the protocol use and the data-testids.
 *
 * Security: every string that comes from the server or the visitor is written with textContent.
 * This file never uses innerHTML and loads nothing from anywhere.
 */
(function () {
  "use strict";

  if (window.LiveChatWidget && window.LiveChatWidget.loaded) return;

  // --- configuration -------------------------------------------------------------------------

  var PROTOCOL = 1;
  var MAX_TEXT = 20000; // characters, as chat_protocol.models.MAX_MESSAGE_CHARS
  var MAX_NAME = 100; // chat_protocol.models.MAX_NAME_CHARS
  var MAX_FRAME = 64 * 1024; // bytes, as chat_protocol.envelope.MAX_FRAME_BYTES
  var PING_EVERY = 20000;
  var DEAD_AFTER = 45000;
  var BACKOFF_MIN = 500;
  var BACKOFF_MAX = 30000;
  var PEEK_EVERY = 200;
  var REQUEST_TIMEOUT = 15000;
  var LOGIN_TIMEOUT = 10000;
  var TYPING_TTL = 15000;
  var TRANSCRIPT_PAGE = 500;
  var OUTBOX_MAX_AGE = 7 * 24 * 3600 * 1000;
  // Login errors that a retry will not fix soon: stay "offline" and retry slowly.
  var FATAL_LOGIN = ["origin_not_allowed", "unsupported_version", "forbidden", "not_found", "invalid_payload"];
  // Send errors that a retry with the same frame will not fix.
  var PERMANENT_SEND = [
    "invalid_payload", "frame_too_large", "client_id_conflict", "forbidden", "not_found", "bad_frame", "unknown_action",
  ];

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[data-site]");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/\/widget\.js(\?|#|$)/.test(all[i].src)) return all[i];
    }
    return null;
  })();
  if (!script || !script.src) return;

  var siteId = script.getAttribute("data-site") || "";
  var srcUrl = new URL(script.src, document.baseURI);
  var wsUrl = (srcUrl.protocol === "https:" ? "wss://" : "ws://") + srcUrl.host + "/ws/visitor";

  // --- strings -------------------------------------------------------------------------------

  var STRINGS = {
    en: {
      title: "Chat with us",
      hello: "Hi there 👋",
      welcome: "Questions about an order or a product? Send us a message and we will reply right here.",
      openChat: "Open chat",
      openChatUnread: "Open chat ({n} unread)",
      closeChat: "Close chat",
      minimize: "Minimize chat",
      endChat: "End chat",
      endConfirm: "End this chat?",
      endYes: "End chat",
      endNo: "Cancel",
      nameLabel: "Your name (optional)",
      namePlaceholder: "Your name (optional)",
      inputLabel: "Message",
      inputPlaceholder: "Type a message…",
      inputPlaceholderNew: "Send a message to start a new chat…",
      send: "Send",
      messages: "Messages",
      sending: "Sending…",
      failed: "Not sent",
      retry: "Retry",
      tooLong: "Too long to send",
      agent: "Agent",
      joined: "{name} joined the chat",
      queued: "An agent will be with you shortly.",
      ended: "The chat has ended",
      typing: "{name} is typing…",
      counter: "{n} / {max}",
      state_connecting: "Connecting…",
      state_connected: "Online",
      state_reconnecting: "Reconnecting…",
      state_offline: "Offline",
    },
    ja: {
      title: "チャットでお問い合わせ",
      hello: "こんにちは 👋",
      welcome: "ご注文や商品について、お気軽にメッセージをお送りください。担当者がこちらでお返事します。",
      openChat: "チャットを開く",
      openChatUnread: "チャットを開く（未読 {n} 件）",
      closeChat: "チャットを閉じる",
      minimize: "チャットを最小化",
      endChat: "チャットを終了",
      endConfirm: "このチャットを終了しますか？",
      endYes: "終了する",
      endNo: "キャンセル",
      nameLabel: "お名前（任意）",
      namePlaceholder: "お名前（任意）",
      inputLabel: "メッセージ",
      inputPlaceholder: "メッセージを入力…",
      inputPlaceholderNew: "メッセージを送ると新しいチャットが始まります…",
      send: "送信",
      messages: "メッセージ",
      sending: "送信中…",
      failed: "送信できませんでした",
      retry: "再送信",
      tooLong: "長すぎるため送信できません",
      agent: "担当者",
      joined: "{name}がチャットに参加しました",
      queued: "まもなく担当者がお応えします。",
      ended: "チャットは終了しました",
      typing: "{name}が入力中…",
      counter: "{n} / {max}",
      state_connecting: "接続中…",
      state_connected: "オンライン",
      state_reconnecting: "再接続中…",
      state_offline: "オフライン",
    },
  };
  var langPref = (script.getAttribute("data-lang") || navigator.language || "en").toLowerCase();
  var LANG = langPref.indexOf("ja") === 0 ? "ja" : "en";
  var T = STRINGS[LANG];

  function fmt(template, vars) {
    // A replacer function: "$&" and friends in visitor-supplied values stay literal.
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return Object.prototype.hasOwnProperty.call(vars, key) ? String(vars[key]) : "";
    });
  }

  // --- storage (localStorage may be missing or throw: fall back to memory) ------------------

  var memory = {};
  var store = {
    get: function (key) {
      try {
        var v = window.localStorage.getItem(key);
        if (v !== null) return v;
      } catch (e) { /* storage disabled */ }
      return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null;
    },
    set: function (key, value) {
      memory[key] = value;
      try { window.localStorage.setItem(key, value); } catch (e) { /* quota or disabled */ }
    },
    del: function (key) {
      delete memory[key];
      try { window.localStorage.removeItem(key); } catch (e) { /* disabled */ }
    },
  };
  var session = {
    get: function (key) {
      try { return window.sessionStorage.getItem(key); } catch (e) { return null; }
    },
    set: function (key, value) {
      try { window.sessionStorage.setItem(key, value); } catch (e) { /* disabled */ }
    },
  };
  var KEY = "livechat:" + siteId + ":";
  var K_TOKEN = KEY + "token";
  var K_OUTBOX = KEY + "outbox";
  var K_NAME = KEY + "name";
  var K_OPEN = KEY + "open";

  // --- small helpers -------------------------------------------------------------------------

  function uuid() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") {
      try { return c.randomUUID(); } catch (e) { /* insecure context */ }
    }
    var b = new Uint8Array(16);
    if (c && typeof c.getRandomValues === "function") c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = [];
    for (var j = 0; j < 16; j++) hex.push((b[j] + 0x100).toString(16).slice(1));
    return hex.slice(0, 4).join("") + "-" + hex.slice(4, 6).join("") + "-" + hex.slice(6, 8).join("") + "-" +
      hex.slice(8, 10).join("") + "-" + hex.slice(10, 16).join("");
  }

  var encoder = typeof TextEncoder === "function" ? new TextEncoder() : null;
  function byteLength(s) {
    return encoder ? encoder.encode(s).length : unescape(encodeURIComponent(s)).length;
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function protoError(code, message, retryAfter) {
    var e = new Error(message || code);
    e.code = code;
    e.retryAfter = typeof retryAfter === "number" ? retryAfter : null;
    return e;
  }

  var timeFormat = null;
  try {
    timeFormat = new Intl.DateTimeFormat(LANG === "ja" ? "ja-JP" : undefined, { hour: "2-digit", minute: "2-digit" });
  } catch (e) { /* old browser */ }
  function formatTime(value) {
    var d = value ? new Date(value) : new Date();
    if (isNaN(d.getTime())) return "";
    if (timeFormat) return timeFormat.format(d);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
        var v = attrs[k];
        if (v === null || v === undefined || v === false) continue;
        if (k === "text") node.textContent = v;
        else if (k === "class") node.className = v;
        else node.setAttribute(k, v === true ? "" : String(v));
      }
    }
    if (children) {
      for (var i = 0; i < children.length; i++) if (children[i]) node.appendChild(children[i]);
    }
    return node;
  }

  var SVG_NS = "http://www.w3.org/2000/svg";
  var ICONS = {
    chat: ["M21 11.5a8.4 8.4 0 0 1-.9 3.8 8.5 8.5 0 0 1-7.6 4.7 8.4 8.4 0 0 1-3.8-.9L3 21l1.9-5.7a8.4 8.4 0 0 1-.9-3.8 8.5 8.5 0 0 1 4.7-7.6 8.4 8.4 0 0 1 3.8-.9h.5a8.5 8.5 0 0 1 8 8v.5z"],
    down: ["M6 9l6 6 6-6"],
    send: ["M22 2L11 13", "M22 2l-7 20-4-9-9-4 20-7z"],
    end: ["M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4", "M16 17l5-5-5-5", "M21 12H9"],
  };
  function icon(name, size) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", String(size));
    svg.setAttribute("height", String(size));
    svg.setAttribute("fill", "none");
    svg.setAttribute("stroke", "currentColor");
    svg.setAttribute("stroke-width", "2");
    svg.setAttribute("stroke-linecap", "round");
    svg.setAttribute("stroke-linejoin", "round");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    ICONS[name].forEach(function (d) {
      var p = document.createElementNS(SVG_NS, "path");
      p.setAttribute("d", d);
      svg.appendChild(p);
    });
    return svg;
  }

  // --- styles (all inside the shadow root; px only, never rem: the host page owns rem) -------

  var STYLE = [
    ":host{all:initial!important;display:block!important;position:fixed!important;right:0!important;",
    "bottom:0!important;left:auto!important;top:auto!important;width:0!important;height:0!important;",
    "margin:0!important;padding:0!important;border:0!important;overflow:visible!important;",
    "z-index:2147483000!important;visibility:visible!important;opacity:1!important;transform:none!important;",
    "filter:none!important;contain:none!important;pointer-events:auto!important}",
    ".root{--accent:#2f6fed;--accent2:#5a8dff;--ink:#1d2433;--muted:#687083;--line:#e2e6ee;--surface:#f4f6fa;",
    "font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,\"Hiragino Sans\",",
    "\"Hiragino Kaku Gothic ProN\",\"Noto Sans JP\",\"Noto Sans CJK JP\",\"Yu Gothic UI\",Meiryo,IPAPGothic,sans-serif,",
    "\"Apple Color Emoji\",\"Segoe UI Emoji\",\"Noto Color Emoji\";",
    "font-size:14px;line-height:1.5;font-weight:400;font-style:normal;color:var(--ink);text-align:left;",
    "letter-spacing:normal;word-spacing:normal;text-transform:none;text-indent:0;text-shadow:none;",
    "-webkit-font-smoothing:antialiased;-moz-osx-font-smoothing:grayscale;direction:ltr}",
    ".root *,.root *::before,.root *::after{box-sizing:border-box;margin:0;padding:0;border:0 solid transparent;",
    "font:inherit;color:inherit;letter-spacing:inherit;text-transform:none;text-decoration:none;",
    "background:none;box-shadow:none;outline:none;min-width:0;float:none}",
    ".root [hidden]{display:none!important}",
    "button{cursor:pointer;-webkit-appearance:none;appearance:none;-webkit-tap-highlight-color:transparent;",
    "display:inline-flex;align-items:center;justify-content:center;text-align:center;user-select:none}",
    "button:disabled{cursor:default}",
    "button:focus-visible,input:focus-visible{outline:2px solid var(--accent);outline-offset:2px}",
    "svg{display:block;flex:none}",

    /* launcher */
    ".launcher{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;color:#fff;",
    "background:linear-gradient(135deg,var(--accent),var(--accent2));",
    "box-shadow:0 8px 24px rgba(47,111,237,.35),0 2px 6px rgba(16,24,40,.14);",
    "transition:transform .15s ease,box-shadow .15s ease}",
    ".launcher:hover{transform:translateY(-1px) scale(1.04);box-shadow:0 12px 28px rgba(47,111,237,.42),0 2px 6px rgba(16,24,40,.14)}",
    ".launcher:focus-visible{outline:3px solid var(--accent);outline-offset:3px}",
    ".badge{position:absolute;top:-3px;right:-3px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;",
    "background:#e5484d;color:#fff;font-size:11px;font-weight:700;line-height:18px;border:2px solid #fff;",
    "display:flex;align-items:center;justify-content:center}",

    /* window */
    ".window{position:fixed;right:20px;bottom:92px;width:376px;height:600px;max-height:calc(100vh - 112px);",
    "display:flex;flex-direction:column;background:#fff;border-radius:16px;overflow:hidden;",
    "box-shadow:0 16px 48px rgba(16,24,40,.20),0 2px 8px rgba(16,24,40,.08);border:1px solid rgba(16,24,40,.06);",
    "animation:pop .18s ease-out;transform-origin:bottom right}",
    "@keyframes pop{from{opacity:0;transform:translateY(8px) scale(.98)}to{opacity:1;transform:none}}",
    "@media (max-width:480px){.window{right:0;bottom:0;width:100vw;height:100%;max-height:none;border-radius:0;border:0}",
    ".root.open .launcher{display:none}}",
    "@media (prefers-reduced-motion:reduce){.root *{animation:none!important;transition:none!important}}",

    ".header{flex:none;display:flex;align-items:center;gap:10px;padding:14px 10px 14px 16px;color:#fff;",
    "background:linear-gradient(135deg,var(--accent),var(--accent2))}",
    ".avatar{flex:none;width:38px;height:38px;border-radius:50%;background:rgba(255,255,255,.2);",
    "display:flex;align-items:center;justify-content:center}",
    ".titles{flex:1 1 auto;min-width:0}",
    ".title{display:block;font-size:15px;font-weight:600;line-height:1.3;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}",
    ".conn{display:flex;align-items:center;gap:6px;font-size:12px;line-height:1.4;opacity:.92;margin-top:2px}",
    ".dot{flex:none;width:8px;height:8px;border-radius:50%;background:#ffc24b;box-shadow:0 0 0 2px rgba(255,255,255,.25)}",
    ".conn[data-state=connected] .dot{background:#3ddc84}",
    ".conn[data-state=offline] .dot{background:#ff7a7a}",
    ".conn[data-state=connecting] .dot,.conn[data-state=reconnecting] .dot{animation:blink 1.2s ease-in-out infinite}",
    ".hbtn{flex:none;width:34px;height:34px;border-radius:9px;color:#fff;transition:background .12s}",
    ".hbtn:hover{background:rgba(255,255,255,.18)}",
    ".hbtn:focus-visible{outline:2px solid #fff;outline-offset:-2px}",
    ".hbtn:disabled{opacity:.45}",

    ".confirm{flex:none;display:flex;align-items:center;gap:8px;padding:10px 14px;background:#fff7e6;",
    "border-bottom:1px solid #f5dfb3;font-size:13px;color:#6b4e16}",
    ".confirm-text{flex:1}",
    ".btn{height:30px;padding:0 12px;border-radius:8px;font-size:13px;font-weight:600}",
    ".btn-ghost{color:#6b4e16}.btn-ghost:hover{background:rgba(107,78,22,.08)}",
    ".btn-danger{background:#d92d20;color:#fff}.btn-danger:hover{background:#b42318}",

    ".body{flex:1 1 auto;overflow-y:auto;overflow-x:hidden;padding:16px 14px 10px;background:var(--surface);",
    "overscroll-behavior:contain;display:flex;flex-direction:column}",
    ".intro{flex:none;align-self:stretch;background:#fff;border:1px solid var(--line);border-radius:12px;",
    "padding:14px 16px;margin-bottom:10px;box-shadow:0 1px 2px rgba(16,24,40,.04)}",
    ".intro-title{font-size:15px;font-weight:600;color:var(--ink);margin-bottom:4px}",
    ".intro-text{font-size:13px;line-height:1.6;color:var(--muted)}",
    ".list{display:flex;flex-direction:column}",
    ".msg{display:flex;flex-direction:column;max-width:84%;margin-top:10px}",
    ".msg.cont{margin-top:3px}",
    ".msg.visitor{align-self:flex-end;align-items:flex-end}",
    ".msg.agent,.msg.system{align-self:flex-start;align-items:flex-start}",
    ".author{font-size:12px;color:var(--muted);margin:0 10px 3px;max-width:100%;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}",
    ".msg.cont .author,.msg.visitor .author{display:none}",
    ".bubble{display:block;max-width:100%;padding:8px 12px;border-radius:16px;font-size:14px;line-height:1.5;",
    "white-space:pre-wrap;overflow-wrap:anywhere;word-break:normal;text-align:start;unicode-bidi:isolate}",
    ".visitor .bubble{background:var(--accent);color:#fff;border-bottom-right-radius:5px}",
    ".agent .bubble{background:#fff;color:var(--ink);border:1px solid var(--line);border-bottom-left-radius:5px}",
    ".system .bubble{background:#e9edf5;color:#3b4354;font-size:13px}",
    ".msg[data-status=sending] .bubble{opacity:.72}",
    ".msg[data-status=failed] .bubble{background:#fff;color:#b42318;border:1px solid #f4b9b3}",
    ".meta{display:flex;align-items:center;gap:6px;font-size:11px;line-height:1.4;color:var(--muted);margin:3px 8px 0}",
    ".meta:empty{display:none}",
    ".failed{color:#b42318}",
    ".retry{font-size:11px;font-weight:600;color:var(--accent);text-decoration:underline;padding:0 2px}",
    ".notice{align-self:center;max-width:92%;margin:14px 0 4px;padding:4px 12px;border-radius:999px;",
    "background:rgba(29,36,51,.06);color:var(--muted);font-size:12px;line-height:1.5;text-align:center;",
    "white-space:pre-wrap;overflow-wrap:anywhere}",
    ".waiting{flex:none;margin-top:14px}",
    ".typing{flex:none;display:flex;align-items:center;gap:8px;margin-top:10px;font-size:12px;color:var(--muted)}",
    ".dots{display:inline-flex;gap:4px;padding:10px 12px;background:#fff;border:1px solid var(--line);",
    "border-radius:16px;border-bottom-left-radius:5px}",
    ".dots i{display:block;width:6px;height:6px;border-radius:50%;background:#9aa3b5;animation:blink 1.2s infinite ease-in-out}",
    ".dots i:nth-child(2){animation-delay:.15s}.dots i:nth-child(3){animation-delay:.3s}",
    "@keyframes blink{0%,80%,100%{opacity:.35}40%{opacity:1}}",

    ".footer{flex:none;background:#fff;border-top:1px solid var(--line);padding:10px 12px 12px}",
    ".name{display:block;width:100%;height:36px;padding:0 12px;margin-bottom:8px;border:1px solid var(--line);",
    "border-radius:10px;background:#fff;font-size:13px;color:var(--ink)}",
    ".name:focus{border-color:var(--accent);box-shadow:0 0 0 3px rgba(47,111,237,.15)}",
    ".name:focus-visible{outline:none}",
    ".compose{display:flex;align-items:flex-end;gap:8px;padding:6px 6px 6px 12px;border:1px solid var(--line);",
    "border-radius:14px;background:#fff;transition:border-color .12s,box-shadow .12s}",
    ".compose:focus-within{border-color:var(--accent);box-shadow:0 0 0 3px rgba(47,111,237,.15)}",
    ".input{display:block;flex:1 1 auto;min-height:36px;max-height:136px;padding:7px 0;resize:none;",
    "font-size:14px;line-height:1.55;color:var(--ink);background:transparent;overflow-y:auto;",
    "white-space:pre-wrap;overflow-wrap:anywhere}",
    ".input::placeholder,.name::placeholder{color:#99a1b2;opacity:1}",
    ".send{flex:none;width:36px;height:36px;border-radius:10px;background:var(--accent);color:#fff;",
    "transition:background .12s,opacity .12s}",
    ".send:hover{background:#2159d3}",
    ".send:disabled{background:#c8d1e3}",
    ".counter{font-size:11px;color:var(--muted);text-align:right;margin-top:4px}",
    ".counter.full{color:#b42318}",
  ].join("");

  // --- state -----------------------------------------------------------------------------------

  var ui = null; // DOM references, set by build()
  var isOpen = false;
  var unread = 0;

  var ws = null;
  var connGen = 0;
  var loggedIn = false;
  var ready = false; // logged in, transcript loaded, resumed
  var everReady = false;
  var connState = "connecting";
  var attempt = 0;
  var reconnectTimer = null;
  var lastFrameAt = 0;
  var reqSeq = 0;
  var pending = {}; // req_id -> {resolve, reject, timer}

  var visitorId = null;
  var visitorName = store.get(K_NAME) || "";
  var loginCursor = 0;
  var maxEventId = 0;
  var chat = null; // {chat_id, state, agentName, stateSeq}
  var chatOrder = {}; // chat_id -> display order of the chat
  var chatCount = 0;
  var chatMaxSeq = {}; // chat_id -> highest seq seen
  var byEventId = {}; // event_id -> element (or true for events without one)
  var byClientId = {}; // client_id -> visitor bubble
  var outbox = loadOutbox(); // unacknowledged sends, persisted
  var failed = {}; // client_id -> outbox item that the server refused
  var pumping = false;
  var typingTimer = null;

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
  function removeFromOutbox(clientId) {
    var before = outbox.length;
    outbox = outbox.filter(function (it) { return it.client_id !== clientId; });
    if (outbox.length !== before) saveOutbox();
  }

  function chatIsOpen() {
    return !!(chat && chat.state !== "closed");
  }

  // --- DOM -------------------------------------------------------------------------------------

  function build() {
    var host = document.createElement("livechat-widget");
    host.setAttribute("data-livechat", "");
    var shadow = host.attachShadow({ mode: "open" });
    var style = document.createElement("style");
    style.textContent = STYLE;
    shadow.appendChild(style);

    var r = {};
    r.host = host;
    r.shadow = shadow;
    r.root = el("div", { class: "root", lang: LANG });

    var accent = script.getAttribute("data-color");
    if (accent && cssSupports("color", accent)) {
      r.root.style.setProperty("--accent", accent);
      r.root.style.setProperty("--accent2", accent);
    }
    var titleText = script.getAttribute("data-title") || T.title;

    // header
    r.connText = el("span", { class: "conn-text" });
    r.conn = el("div", { class: "conn", "data-testid": "connection-state", role: "status", "aria-live": "polite" },
      [el("span", { class: "dot", "aria-hidden": "true" }), r.connText]);
    r.title = el("h2", { class: "title", id: "lc-title", text: titleText });
    r.endBtn = el("button", {
      type: "button", class: "hbtn", "data-testid": "end-chat", "aria-label": T.endChat, title: T.endChat, hidden: true,
    }, [icon("end", 18)]);
    r.minBtn = el("button", {
      type: "button", class: "hbtn", "data-testid": "minimize", "aria-label": T.minimize, title: T.minimize,
    }, [icon("down", 20)]);
    var header = el("div", { class: "header" }, [
      el("div", { class: "avatar", "aria-hidden": "true" }, [icon("chat", 20)]),
      el("div", { class: "titles" }, [r.title, r.conn]),
      r.endBtn,
      r.minBtn,
    ]);

    // "end chat?" confirmation strip
    r.endYes = el("button", { type: "button", class: "btn btn-danger", "data-testid": "end-chat-yes", text: T.endYes });
    r.endNo = el("button", { type: "button", class: "btn btn-ghost", "data-testid": "end-chat-no", text: T.endNo });
    r.confirm = el("div", { class: "confirm", "data-testid": "end-chat-confirm", role: "alertdialog",
      "aria-label": T.endConfirm, hidden: true },
    [el("span", { class: "confirm-text", text: T.endConfirm }), r.endNo, r.endYes]);

    // message list
    r.intro = el("div", { class: "intro" }, [
      el("div", { class: "intro-title", text: T.hello }),
      el("div", { class: "intro-text", text: T.welcome }),
    ]);
    r.list = el("div", { class: "list", role: "log", "aria-live": "polite", "aria-label": T.messages,
      "data-testid": "message-list" });
    r.typingText = el("span", { class: "typing-text" });
    r.typing = el("div", { class: "typing", "data-testid": "agent-typing", "aria-live": "polite", hidden: true },
      [el("span", { class: "dots", "aria-hidden": "true" }, [el("i"), el("i"), el("i")]), r.typingText]);
    // While the chat waits in the queue (not a durable notice: it goes away once an agent joins).
    r.waiting = el("div", { class: "notice waiting", "data-testid": "chat-waiting", role: "status", hidden: true,
      text: T.queued });
    r.body = el("div", { class: "body" }, [r.intro, r.list, r.waiting, r.typing]);

    // composer
    r.name = el("input", { type: "text", class: "name", "data-testid": "name-input", maxlength: MAX_NAME,
      autocomplete: "name", "aria-label": T.nameLabel, placeholder: T.namePlaceholder, hidden: true });
    if (visitorName) r.name.value = visitorName;
    r.input = el("textarea", { class: "input", "data-testid": "message-input", rows: 1, maxlength: MAX_TEXT,
      "aria-label": T.inputLabel, placeholder: T.inputPlaceholder, enterkeyhint: "send" });
    r.send = el("button", { type: "button", class: "send", "data-testid": "send", "aria-label": T.send, title: T.send,
      disabled: true }, [icon("send", 18)]);
    r.counter = el("div", { class: "counter", "aria-live": "polite", hidden: true });
    var footer = el("div", { class: "footer" }, [r.name, el("div", { class: "compose" }, [r.input, r.send]), r.counter]);

    r.window = el("div", { class: "window", id: "lc-window", role: "dialog", "aria-labelledby": "lc-title",
      "data-testid": "chat-window", hidden: true }, [header, r.confirm, r.body, footer]);

    // launcher
    r.badge = el("span", { class: "badge", "data-testid": "unread", "aria-hidden": "true", hidden: true });
    r.launcherIcon = el("span", { class: "launcher-icon" }, [icon("chat", 26)]);
    r.launcher = el("button", { type: "button", class: "launcher", "data-testid": "launcher",
      "aria-label": T.openChat, "aria-expanded": "false", "aria-controls": "lc-window" }, [r.launcherIcon, r.badge]);

    r.root.appendChild(r.window);
    r.root.appendChild(r.launcher);
    shadow.appendChild(r.root);
    return r;
  }

  function cssSupports(prop, value) {
    try { return window.CSS.supports(prop, value); } catch (e) { return false; }
  }

  function wire() {
    ui.launcher.addEventListener("click", function () { setOpen(!isOpen, true); });
    ui.minBtn.addEventListener("click", function () { setOpen(false, true); });
    ui.endBtn.addEventListener("click", function () {
      ui.confirm.hidden = false;
      ui.endNo.focus();
    });
    ui.endNo.addEventListener("click", function () {
      ui.confirm.hidden = true;
      ui.input.focus();
    });
    ui.endYes.addEventListener("click", function () {
      ui.confirm.hidden = true;
      endChat();
      ui.input.focus();
    });
    ui.window.addEventListener("keydown", function (e) {
      if (e.key === "Escape") {
        e.stopPropagation();
        if (!ui.confirm.hidden) { ui.confirm.hidden = true; ui.input.focus(); } else setOpen(false, true);
      }
    });
    ui.input.addEventListener("keydown", function (e) {
      // isComposing / 229: Enter that confirms an IME conversion (Japanese input) must not send.
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        submit();
      }
    });
    ui.input.addEventListener("input", onInput);
    ui.name.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        ui.input.focus();
      }
    });
    ui.send.addEventListener("click", function () {
      submit();
      ui.input.focus();
    });
    window.addEventListener("online", function () {
      if (!ws) { attempt = 0; connect(); }
    });
    window.addEventListener("offline", function () {
      if (!ready) setConnState("offline");
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && !ws && reconnectTimer) {
        clearTimeout(reconnectTimer);
        reconnectTimer = setTimeout(connect, 200);
      }
    });
  }

  function setOpen(open, moveFocus) {
    isOpen = open;
    ui.window.hidden = !open;
    ui.root.classList.toggle("open", open);
    ui.launcher.setAttribute("aria-expanded", open ? "true" : "false");
    ui.launcherIcon.textContent = "";
    ui.launcherIcon.appendChild(icon(open ? "down" : "chat", open ? 28 : 26));
    session.set(K_OPEN, open ? "1" : "0");
    if (open) {
      unread = 0;
      scrollToBottom();
      if (moveFocus && !coarsePointer()) ui.input.focus();
    } else {
      ui.confirm.hidden = true;
      if (moveFocus) ui.launcher.focus();
    }
    updateBadge();
  }

  function coarsePointer() {
    try { return window.matchMedia("(pointer: coarse)").matches; } catch (e) { return false; }
  }

  function updateBadge() {
    ui.badge.hidden = !(unread > 0 && !isOpen);
    ui.badge.textContent = unread > 99 ? "99+" : String(unread);
    var label = isOpen ? T.closeChat : unread > 0 ? fmt(T.openChatUnread, { n: unread }) : T.openChat;
    ui.launcher.setAttribute("aria-label", label);
    ui.launcher.title = label;
  }

  function setConnState(state) {
    connState = state;
    ui.conn.setAttribute("data-state", state);
    ui.connText.textContent = T["state_" + state];
    updateChrome();
  }

  function updateChrome() {
    if (!ui) return;
    var open = chatIsOpen();
    ui.endBtn.hidden = !open;
    ui.endBtn.disabled = !ready;
    if (!open) ui.confirm.hidden = true;
    ui.name.hidden = !!visitorName || open || outbox.length > 0;
    ui.input.placeholder = chat && chat.state === "closed" ? T.inputPlaceholderNew : T.inputPlaceholder;
    ui.send.disabled = ui.input.value.trim() === "";
    ui.intro.hidden = ui.list.childElementCount > 0;
    ui.waiting.hidden = !(open && (chat.state === "queued" || chat.state === "incoming")) ||
      ui.list.childElementCount === 0;
    var n = ui.input.value.length;
    ui.counter.hidden = n < MAX_TEXT * 0.9;
    ui.counter.textContent = fmt(T.counter, { n: n, max: MAX_TEXT });
    ui.counter.classList.toggle("full", n >= MAX_TEXT);
  }

  function nearBottom() {
    var b = ui.body;
    return b.scrollHeight - b.scrollTop - b.clientHeight < 80;
  }
  function scrollToBottom() {
    ui.body.scrollTop = ui.body.scrollHeight;
  }
  // Run a DOM change, keeping the list pinned to the bottom if it was there (or if `force`).
  function mutate(fn, force) {
    var stick = force || nearBottom();
    fn();
    updateChrome();
    if (stick) scrollToBottom();
  }

  // --- rendering of events ---------------------------------------------------------------------

  // Items in the list are ordered by (chat order, seq); unacknowledged sends come last.
  function place(node, order, seq) {
    node._lc.order = order;
    node._lc.seq = seq;
    node._lc.pendingSend = false;
    var oldNext = node.parentNode ? node.nextElementSibling : null;
    var kids = ui.list.children;
    var after = null;
    for (var i = kids.length - 1; i >= 0; i--) {
      var k = kids[i];
      if (k === node || !k._lc || k._lc.pendingSend) continue;
      if (k._lc.order < order || (k._lc.order === order && k._lc.seq < seq)) { after = k; break; }
    }
    var ref = after ? after.nextSibling : ui.list.firstChild;
    if (ref !== node) ui.list.insertBefore(node, ref);
    [node, node.nextElementSibling, oldNext].forEach(regroup);
  }

  // Consecutive messages of the same author are grouped: only the first shows the name.
  function authorKey(node) {
    return node && node._lc && node._lc.authorKey ? node._lc.authorKey : null;
  }
  function regroup(node) {
    if (!node || !node._lc) return;
    var key = authorKey(node);
    node.classList.toggle("cont", !!key && key === authorKey(node.previousElementSibling));
  }

  function buildBubble(kind, name) {
    var node = el("div", { class: "msg " + kind, "data-testid": "message", "data-author": kind });
    var author = el("div", { class: "author", text: name });
    var bubble = el("div", { class: "bubble", dir: "auto", "data-testid": "message-text" });
    var meta = el("div", { class: "meta" });
    node.appendChild(author);
    node.appendChild(bubble);
    node.appendChild(meta);
    node._lc = { bubble: bubble, meta: meta, author: author, authorKey: kind + "\u0000" + name };
    return node;
  }

  function setMeta(node, status, createdAt, clientId) {
    node.setAttribute("data-status", status);
    var meta = node._lc.meta;
    meta.textContent = "";
    if (status === "sending") {
      meta.appendChild(el("span", { text: T.sending }));
    } else if (status === "failed") {
      meta.appendChild(el("span", { class: "failed", text: node._lc.failReason || T.failed }));
      if (node._lc.failReason === T.tooLong) return; // retrying cannot help
      var retry = el("button", { type: "button", class: "retry", "data-testid": "retry", text: T.retry });
      retry.addEventListener("click", function () { retrySend(clientId); });
      meta.appendChild(retry);
    } else {
      meta.appendChild(el("time", { datetime: createdAt || null, text: formatTime(createdAt) }));
    }
  }

  function renderPendingSend(item) {
    var node = buildBubble("visitor", "");
    node._lc.bubble.textContent = item.text;
    node.setAttribute("data-client-id", item.client_id);
    setMeta(node, "sending", null, item.client_id);
    node._lc.pendingSend = true;
    byClientId[item.client_id] = node;
    ui.list.appendChild(node);
    regroup(node);
    return node;
  }

  function registerChat(chatId) {
    if (!Object.prototype.hasOwnProperty.call(chatOrder, chatId)) chatOrder[chatId] = chatCount++;
    return chatOrder[chatId];
  }

  function applyEvent(ev, live) {
    if (!ev || typeof ev !== "object" || typeof ev.chat_id !== "string") return;
    if (ev.audience && ev.audience !== "all") return; // never shown to visitors (defence in depth)
    var seq = typeof ev.seq === "number" ? ev.seq : 0;
    if (typeof ev.event_id === "number") {
      if (ev.event_id > maxEventId) maxEventId = ev.event_id;
      if (byEventId[ev.event_id]) return; // already shown
    }
    if (!(chatMaxSeq[ev.chat_id] >= seq)) chatMaxSeq[ev.chat_id] = seq;
    var order = registerChat(ev.chat_id);
    if (ev.kind === "message") applyMessage(ev, order, seq, live);
    else if (ev.kind === "chat_state") applyChatState(ev, order, seq);
  }

  function applyMessage(ev, order, seq, live) {
    var author = ev.author && typeof ev.author === "object" ? ev.author : { kind: "system" };
    var kind = author.kind === "visitor" || author.kind === "agent" ? author.kind : "system";
    var text = typeof ev.text === "string" ? ev.text : "";
    var clientId = typeof ev.client_id === "string" ? ev.client_id : null;
    var node = kind === "visitor" && clientId ? byClientId[clientId] : null;

    // A message in a chat we did not know yet: it is the visitor's chat now.
    if (!chat || (chat.chat_id !== ev.chat_id && (chat.state === "closed" || order > chatOrder[chat.chat_id]))) {
      chat = { chat_id: ev.chat_id, state: "incoming", agentName: "", stateSeq: -1 };
    }

    mutate(function () {
      if (node && node._lc.seqKnown) return; // same send echoed as push and as res: keep one bubble
      if (!node) {
        var name = kind === "agent" ? (author.name || T.agent) : kind === "system" ? (author.name || "") : "";
        node = buildBubble(kind, name);
        node._lc.bubble.textContent = text;
      }
      if (clientId && kind === "visitor") {
        node.setAttribute("data-client-id", clientId);
        byClientId[clientId] = node;
        delete failed[clientId];
        removeFromOutbox(clientId);
      }
      node._lc.seqKnown = true;
      if (typeof ev.event_id === "number") node.setAttribute("data-event-id", String(ev.event_id));
      node.setAttribute("data-seq", String(seq));
      node.setAttribute("data-chat-id", ev.chat_id);
      setMeta(node, "sent", ev.created_at, clientId);
      place(node, order, seq);
    }, kind === "visitor" && live);
    if (typeof ev.event_id === "number") byEventId[ev.event_id] = node;

    if (kind === "agent") {
      hideTyping();
      if (live && !isOpen) {
        unread++;
        updateBadge();
      }
    }
  }

  function applyChatState(ev, order, seq) {
    if (typeof ev.event_id === "number") byEventId[ev.event_id] = true;
    var agentName = ev.agent && typeof ev.agent.name === "string" ? ev.agent.name : "";
    var isCurrent = chat && chat.chat_id === ev.chat_id;
    if (isCurrent) {
      if (seq >= chat.stateSeq) {
        chat.state = ev.state;
        chat.stateSeq = seq;
        if (agentName) chat.agentName = agentName;
      }
    } else if (ev.state !== "closed" &&
      (!chat || chat.state === "closed" || order > chatOrder[chat.chat_id])) {
      chat = { chat_id: ev.chat_id, state: ev.state, agentName: agentName, stateSeq: seq };
    }
    var text = null;
    if (ev.state === "taken") text = fmt(T.joined, { name: agentName || T.agent });
    else if (ev.state === "closed") text = T.ended;
    if (text !== null) {
      mutate(function () {
        var node = el("div", { class: "notice", "data-testid": "chat-event", "data-state": ev.state,
          "data-seq": String(seq), dir: "auto", text: text });
        node._lc = { authorKey: null };
        place(node, order, seq);
      });
    }
    if (ev.state === "closed" && chat && chat.chat_id === ev.chat_id) {
      hideTyping();
      peekReset();
    }
    updateChrome();
  }

  // Shown when the server says the chat is gone but no closing event reached us (e.g. resync).
  function markChatEndedLocally() {
    if (!chatIsOpen()) return;
    chat.state = "closed";
    mutate(function () {
      var node = el("div", { class: "notice", "data-testid": "chat-event", "data-state": "closed", text: T.ended });
      node._lc = { authorKey: null, pendingSend: false, order: chatOrder[chat.chat_id], seq: Infinity };
      var kids = ui.list.children;
      var ref = null;
      for (var i = 0; i < kids.length; i++) if (kids[i]._lc && kids[i]._lc.pendingSend) { ref = kids[i]; break; }
      ui.list.insertBefore(node, ref);
    });
    hideTyping();
  }

  function resetConversation() {
    ui.list.textContent = "";
    chat = null;
    chatOrder = {};
    chatCount = 0;
    chatMaxSeq = {};
    byEventId = {};
    byClientId = {};
    failed = {};
    maxEventId = 0;
    hideTyping();
    outbox.forEach(renderPendingSend);
    updateChrome();
  }

  // --- typing indicator ----------------------------------------------------------------------

  function onTyping(p) {
    if (!p || !p.author || p.author.kind !== "agent") return;
    if (chat && p.chat_id && p.chat_id !== chat.chat_id) return;
    if (p.typing) {
      var stick = nearBottom();
      ui.typingText.textContent = fmt(T.typing, { name: p.author.name || T.agent });
      ui.typing.hidden = false;
      if (stick) scrollToBottom();
      clearTimeout(typingTimer);
      typingTimer = setTimeout(hideTyping, TYPING_TTL); // in case the "stopped" push is lost
    } else {
      hideTyping();
    }
  }
  function hideTyping() {
    clearTimeout(typingTimer);
    typingTimer = null;
    if (ui) ui.typing.hidden = true;
  }

  // --- sneak peek (throttled: leading + trailing edge) ---------------------------------------

  var peekTimer = null;
  var peekLastAt = 0;
  var peekLastText = "";
  function peekCanSend() {
    return ready && chatIsOpen();
  }
  function sendPeek(text) {
    if (!peekCanSend() || text === peekLastText) return;
    peekLastAt = Date.now();
    peekLastText = text;
    sendFrame("sneak_peek", { text: text });
  }
  function schedulePeek() {
    if (peekTimer) return; // the trailing call reads the input when it fires
    var wait = PEEK_EVERY - (Date.now() - peekLastAt);
    if (wait <= 0) sendPeek(ui.input.value);
    else peekTimer = setTimeout(function () {
      peekTimer = null;
      sendPeek(ui.input.value);
    }, wait);
  }
  function peekNow(text) {
    clearTimeout(peekTimer);
    peekTimer = null;
    sendPeek(text);
  }
  function peekReset() {
    clearTimeout(peekTimer);
    peekTimer = null;
    peekLastText = "";
  }

  // --- composer ------------------------------------------------------------------------------

  function autosize() {
    var t = ui.input;
    t.style.height = "auto";
    t.style.height = Math.min(t.scrollHeight + 2, 136) + "px";
  }

  function onInput() {
    autosize();
    updateChrome();
    if (ui.input.value === "") peekNow("");
    else schedulePeek();
  }

  function submit() {
    var text = ui.input.value;
    if (text.trim() === "") return;
    if (text.length > MAX_TEXT) text = text.slice(0, MAX_TEXT);
    var name = "";
    if (!ui.name.hidden) {
      name = ui.name.value.trim().slice(0, MAX_NAME);
      if (name) {
        visitorName = name;
        store.set(K_NAME, name);
      }
    }
    var item = { client_id: uuid(), text: text, name: name || null, at: Date.now() };
    ui.input.value = "";
    autosize();
    peekNow("");
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

  function retrySend(clientId) {
    var item = failed[clientId];
    if (!item) return;
    delete failed[clientId];
    var node = byClientId[clientId];
    if (node) {
      delete byClientId[clientId];
      node.parentNode && node.parentNode.removeChild(node);
    }
    if (item.conflict) item = { client_id: uuid(), text: item.text, name: item.name, at: Date.now() };
    item.tries = 0;
    mutate(function () { renderPendingSend(item); }, true);
    outbox.push(item);
    saveOutbox();
    pump();
  }

  // Sends the outbox in order, one at a time (the first message opens the chat), with the same
  // client_id on every retry: the server deduplicates, so each message is stored exactly once.
  function pump() {
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

  async function endChat() {
    if (!chatIsOpen() || !ready) return;
    try {
      var res = await request("close_chat", { client_id: uuid() });
      if (res && res.event) applyEvent(res.event, true);
    } catch (e) {
      if (e.code === "chat_closed" || e.code === "not_found") markChatEndedLocally();
    }
  }

  // --- connection ----------------------------------------------------------------------------

  function sendFrameText(action, reqId, payload) {
    return JSON.stringify({ v: PROTOCOL, type: "req", action: action, req_id: reqId, payload: payload });
  }

  // Fire-and-forget request (sneak_peek has no result; an `err` answer is ignored).
  function sendFrame(action, payload) {
    if (!ws || ws.readyState !== 1) return;
    try { ws.send(sendFrameText(action, "w" + (++reqSeq), payload)); } catch (e) { /* closing */ }
  }

  function request(action, payload, timeout) {
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
    if (f.action === "event") applyEvent(payload.event, true);
    else if (f.action === "typing") onTyping(payload);
  }

  function connect() {
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
    sock.onclose = function () {
      if (ws === sock) dropSocket();
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
    hideTyping();
    peekReset();
    setConnState(state || (navigator.onLine === false ? "offline" : everReady ? "reconnecting" : "connecting"));
    scheduleReconnect(delay);
  }

  // Full-jitter exponential backoff: random(0, min(30 s, 0.5 s * 2^attempt)).
  function scheduleReconnect(delay) {
    clearTimeout(reconnectTimer);
    var cap = Math.min(BACKOFF_MAX, BACKOFF_MIN * Math.pow(2, attempt));
    attempt = Math.min(attempt + 1, 16);
    var wait = typeof delay === "number" ? delay : Math.random() * cap;
    reconnectTimer = setTimeout(connect, wait);
  }

  async function startSession(gen) {
    var token = store.get(K_TOKEN);
    var login;
    try {
      var lp = { site_id: siteId, protocol: PROTOCOL };
      if (token) lp.visitor_token = token;
      login = await request("login", lp, LOGIN_TIMEOUT);
    } catch (e) {
      if (gen !== connGen) return;
      if (e.code === "invalid_token" && token) {
        // The stored visitor is gone (expired, other site, server reset): become a new visitor,
        // unless another tab of this site already did and stored its new token.
        if (store.get(K_TOKEN) === token) store.del(K_TOKEN);
        visitorId = null;
        resetConversation();
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
    if (typeof login.visitor_token === "string" && login.visitor_token) store.set(K_TOKEN, login.visitor_token);
    if (visitorId && login.visitor_id !== visitorId) resetConversation();
    visitorId = login.visitor_id;
    if (typeof login.name === "string" && login.name) visitorName = login.name;
    loginCursor = typeof login.cursor === "number" ? login.cursor : 0;
    var summary = login.chat && typeof login.chat === "object" && login.chat.chat_id ? login.chat : null;

    try {
      if (summary) {
        if (chatIsOpen() && chat.chat_id !== summary.chat_id) chat.state = "closed";
        adoptSummary(summary);
        await loadTranscript(gen, summary.chat_id, chatMaxSeq[summary.chat_id] || 0);
      }
      // Resume from the newest event we hold; with nothing shown yet, from the login cursor.
      var cursor = summary ? Math.max(maxEventId, loginCursor) : (maxEventId || loginCursor);
      try {
        await request("resume", { cursor: cursor });
      } catch (e) {
        if (e.code !== "resync_required") throw e;
        if (summary) await loadTranscript(gen, summary.chat_id, 0);
        try {
          await request("resume", { cursor: loginCursor });
        } catch (e2) {
          if (e2.code !== "resync_required") throw e2;
        }
      }
      if (gen !== connGen) return;
      // The server says there is no open chat: the one on screen ended while we were away.
      if (!summary) markChatEndedLocally();
    } catch (e) {
      if (gen === connGen) dropSocket();
      return;
    }
    ready = true;
    everReady = true;
    attempt = 0;
    setConnState("connected");
    if (ui.input.value) schedulePeek();
    pump();
  }

  function adoptSummary(s) {
    var order = registerChat(s.chat_id);
    if (!chat || chat.chat_id !== s.chat_id) {
      if (!chat || chat.state === "closed" || order >= chatOrder[chat.chat_id]) {
        chat = { chat_id: s.chat_id, state: s.state, agentName: (s.agent && s.agent.name) || "", stateSeq: -1 };
      }
    }
    updateChrome();
  }

  async function loadTranscript(gen, chatId, afterSeq) {
    var after = afterSeq || 0;
    for (var page = 0; page < 100; page++) {
      var res = await request("transcript", { after_seq: after, limit: TRANSCRIPT_PAGE });
      if (gen !== connGen) throw protoError("disconnected");
      if (res.chat && res.chat.chat_id) adoptSummary(res.chat);
      var events = Array.isArray(res.events) ? res.events.slice() : [];
      events.sort(function (a, b) { return (a && a.seq) - (b && b.seq); });
      for (var i = 0; i < events.length; i++) applyEvent(events[i], false);
      if (events.length < TRANSCRIPT_PAGE) break;
      var last = events[events.length - 1].seq;
      if (!(last > after)) break;
      after = last;
    }
    scrollToBottom();
  }

  // Application ping every 20 s; 45 s without any frame from the server means the socket is dead.
  // One 5 s tick does both. A hidden tab may get its timers throttled to one a minute: then the
  // tick pings first and only declares the socket dead when that ping stays unanswered for 10 s.
  var lastPingAt = 0;
  function startTimers() {
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

  // --- start -----------------------------------------------------------------------------------

  function init() {
    if (ui) return;
    ui = build();
    document.body.appendChild(ui.host);
    wire();
    setConnState("connecting");
    outbox.forEach(renderPendingSend);
    updateChrome();
    updateBadge();
    if (session.get(K_OPEN) === "1") setOpen(true, false);
    startTimers();
    connect();
  }

  window.LiveChatWidget = Object.freeze({
    loaded: true,
    version: "1",
    open: function () { if (ui) setOpen(true, true); },
    close: function () { if (ui) setOpen(false, false); },
    toggle: function () { if (ui) setOpen(!isOpen, true); },
    /** Drop the connection and reconnect now (for tests and "retry" links). */
    reconnect: function () { if (ui) { attempt = 0; if (ws) dropSocket(0); else connect(); } },
    state: function () { return connState; },
  });

  if (document.body) init();
  else document.addEventListener("DOMContentLoaded", init);
})();
