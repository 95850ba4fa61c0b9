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
  var MARK_READ_EVERY = 500; // at most one mark_read frame per 500 ms
  var MAX_COMMENT = 2000; // chat_protocol VisitorRateRequest.comment
  var MAX_EMAIL = 254;
  var EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s.]+$/; // stricter than the server's ^[^@\s]+@[^@\s]+$ (typos)
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
      takenOver: "{name} has taken over the chat",
      transferring: "You are being transferred…",
      queued: "An agent will be with you shortly.",
      queuePosition: "You are number {n} in the queue · {wait}",
      queueNext: "You are next in the queue · {wait}",
      waitMinutes: "about {n} min",
      waitSoon: "less than a minute",
      ended: "The chat has ended",
      endedInactive: "The chat was closed after a period of inactivity",
      typing: "{name} is typing…",
      read: "Read",
      ratePrompt: "How was this chat?",
      rateGood: "Good",
      rateBad: "Bad",
      rateComment: "Add a comment (optional)",
      rateSubmit: "Send rating",
      rateSkip: "Skip",
      rateThanks: "Thank you for your feedback!",
      rateFailed: "Your rating could not be sent. Please try again.",
      offlineTitle: "Leave us a message",
      offlineText: "No one is available to chat right now. Leave your e-mail address and we will answer by e-mail.",
      offlineName: "Your name (optional)",
      offlineEmail: "E-mail address",
      offlineMessage: "Your message",
      offlineSend: "Send message",
      offlineSending: "Sending…",
      offlineSent: "Thanks! We will answer by e-mail.",
      offlineBadEmail: "Please enter a valid e-mail address.",
      offlineNoText: "Please write a message.",
      offlineFailed: "The message could not be sent. Please try again.",
      notConnected: "Not connected. Please try again in a moment.",
      tooManyTries: "Too many attempts. Please wait a moment and try again.",
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
      inputPlaceholderNew: "新しいチャットのメッセージを入力…",
      send: "送信",
      messages: "メッセージ",
      sending: "送信中…",
      failed: "送信できませんでした",
      retry: "再送信",
      tooLong: "長すぎるため送信できません",
      agent: "担当者",
      joined: "{name}がチャットに参加しました",
      takenOver: "{name}がチャットを引き継ぎました",
      transferring: "別の担当者におつなぎしています…",
      queued: "まもなく担当者がお応えします。",
      queuePosition: "お待ちの順番は{n}番目です · {wait}",
      queueNext: "次にご案内します · {wait}",
      waitMinutes: "約{n}分",
      waitSoon: "1分以内",
      ended: "チャットは終了しました",
      endedInactive: "一定時間やり取りがなかったため、チャットを終了しました",
      typing: "{name}が入力中…",
      read: "既読",
      ratePrompt: "このチャットはいかがでしたか？",
      rateGood: "良かった",
      rateBad: "良くなかった",
      rateComment: "コメント（任意）",
      rateSubmit: "評価を送信",
      rateSkip: "スキップ",
      rateThanks: "ご評価ありがとうございました。",
      rateFailed: "評価を送信できませんでした。もう一度お試しください。",
      offlineTitle: "メッセージを残す",
      offlineText: "ただいま対応できる担当者がおりません。メールアドレスとメッセージをお送りいただければ、メールでお返事します。",
      offlineName: "お名前（任意）",
      offlineEmail: "メールアドレス",
      offlineMessage: "メッセージ",
      offlineSend: "送信する",
      offlineSending: "送信中…",
      offlineSent: "ありがとうございます。メールでお返事します。",
      offlineBadEmail: "正しいメールアドレスを入力してください。",
      offlineNoText: "メッセージを入力してください。",
      offlineFailed: "送信できませんでした。もう一度お試しください。",
      notConnected: "接続されていません。しばらくしてからもう一度お試しください。",
      tooManyTries: "送信が多すぎます。少し待ってからもう一度お試しください。",
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
  var K_AVAILABLE = KEY + "available";
  var K_OFFLINE_SENT = KEY + "offline-sent";

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
    good: ["M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3z", "M7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3"],
    bad: ["M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3z", "M17 2h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17"],
    mail: ["M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z", "M22 6l-10 7L2 6"],
    check: ["M20 6L9 17l-5-5"],
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
    ".subline{display:flex;align-items:center;gap:6px;margin-top:2px;min-width:0}",
    ".conn{flex:none;display:flex;align-items:center;gap:6px;font-size:12px;line-height:1.4;opacity:.92}",
    ".agent-name{flex:0 1 auto;min-width:0;font-size:12px;line-height:1.4;opacity:.92;white-space:nowrap;",
    "overflow:hidden;text-overflow:ellipsis}",
    ".agent-name::before{content:\"·\";margin-right:6px}",
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
    ".notice{align-self:center;max-width:92%;margin:14px 0 4px;padding:4px 12px;border-radius:13px;",
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

    /* read receipt, queue position */
    ".receipt{font-size:11px;color:var(--muted)}",
    ".receipt::before{content:\"✓ \";color:var(--accent)}",
    ".waiting{padding:6px 14px}",
    ".waiting-main,.waiting-pos{display:block}",
    ".waiting-pos{font-weight:600;color:var(--ink);margin-top:1px}",
    ".nowrap{white-space:nowrap}",

    /* cards in the body: rating prompt, offline form */
    ".card{flex:none;align-self:stretch;background:#fff;border:1px solid var(--line);border-radius:12px;",
    "padding:14px 16px;margin-top:14px;box-shadow:0 1px 2px rgba(16,24,40,.04)}",
    ".card-title{display:flex;align-items:center;gap:8px;font-size:14px;font-weight:600;color:var(--ink)}",
    ".card-title svg{color:var(--accent)}",
    ".card-text{font-size:13px;line-height:1.6;color:var(--muted);margin-top:4px}",
    ".field{display:block;width:100%;padding:7px 12px;margin-top:8px;border:1px solid var(--line);",
    "border-radius:10px;background:#fff;font-size:13px;line-height:1.5;color:var(--ink)}",
    "input.field{height:36px}",
    "textarea.field{min-height:72px;max-height:180px;resize:vertical;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".field:focus{border-color:var(--accent);box-shadow:0 0 0 3px rgba(47,111,237,.15)}",
    ".field:focus-visible{outline:none}",
    ".field[aria-invalid=true]{border-color:#d92d20}",
    ".field::placeholder{color:#99a1b2;opacity:1}",
    ".label{display:block;font-size:12px;font-weight:600;color:var(--muted);margin-top:10px}",
    ".label+.field{margin-top:4px}",
    ".form-error{font-size:12px;line-height:1.5;color:#b42318;margin-top:8px}",
    ".actions{display:flex;align-items:center;justify-content:flex-end;gap:8px;margin-top:10px}",
    ".btn-primary{height:34px;padding:0 14px;background:var(--accent);color:#fff}",
    ".btn-primary:hover{background:#2159d3}",
    ".btn-primary:disabled{background:#c8d1e3}",
    ".btn-link{height:34px;padding:0 10px;color:var(--muted)}.btn-link:hover{background:rgba(29,36,51,.06)}",
    ".rate-row{display:flex;gap:8px;margin-top:10px}",
    ".rate{flex:1 1 0;height:38px;gap:6px;border:1px solid var(--line);border-radius:10px;background:#fff;",
    "font-size:13px;font-weight:600;color:var(--ink);transition:background .12s,border-color .12s}",
    ".rate:hover{background:var(--surface)}",
    ".rate.good[aria-pressed=true]{background:#e7f6ee;border-color:#3aa76d;color:#17663f}",
    ".rate.bad[aria-pressed=true]{background:#fdecec;border-color:#e5484d;color:#b42318}",
    ".done{display:flex;align-items:center;gap:8px;font-size:13px;font-weight:600;color:#17663f}",
    ".done svg{flex:none}",
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
  var chat = null; // {chat_id, state, agentName, stateSeq, hadAgent}
  var chatOrder = {}; // chat_id -> display order of the chat
  var chatCount = 0;
  var chatMaxSeq = {}; // chat_id -> highest seq seen
  var byEventId = {}; // event_id -> element (or true for events without one)
  var byClientId = {}; // client_id -> visitor bubble
  var outbox = loadOutbox(); // unacknowledged sends, persisted
  var failed = {}; // client_id -> outbox item that the server refused
  var pumping = false;
  var typingTimer = null;

  // Whether any agent accepts chats (login result, `availability` pushes). Until this page hears
  // from the server, the last value seen in this tab, else "yes" (the composer).
  var agentsAvailable = session.get(K_AVAILABLE) !== "0";
  var offlineSent = session.get(K_OFFLINE_SENT) === "1";
  var offlineClientId = null; // one client_id per offline message, reused on every retry
  var offlineBusy = false;
  var queueInfo = null; // {chat_id, position, wait} from the latest `queue_position`
  var agentMsgSeq = {}; // chat_id -> highest seq of an agent message shown
  var readSent = {}; // chat_id -> highest seq the server knows we have read
  var agentReadSeq = {}; // chat_id -> highest seq the agent has read (`read` pushes)
  var markTimer = null;
  var markLastAt = 0;
  var rating = null; // {chat_id, choice, client_id, status: "prompt" | "sending" | "done"}

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
    // The agent of the open chat, beside the connection state (plain text).
    r.agentName = el("span", { class: "agent-name", "data-testid": "agent-name", dir: "auto", hidden: true });
    var header = el("div", { class: "header" }, [
      el("div", { class: "avatar", "aria-hidden": "true" }, [icon("chat", 20)]),
      el("div", { class: "titles" }, [r.title, el("div", { class: "subline" }, [r.conn, r.agentName])]),
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
    r.waitingPos = el("span", { class: "waiting-pos", "data-testid": "queue-position", hidden: true });
    r.waiting = el("div", { class: "notice waiting", "data-testid": "chat-waiting", role: "status", hidden: true },
      [el("span", { class: "waiting-main", text: T.queued }), r.waitingPos]);
    // "Read" under the visitor's latest message the agent has read; moved from bubble to bubble.
    r.receipt = el("span", { class: "receipt", "data-testid": "read-receipt", text: T.read });
    buildRating(r);
    buildOffline(r);
    r.body = el("div", { class: "body" }, [r.intro, r.list, r.rating, r.ratingThanks, r.waiting, r.typing, r.offline,
      r.offlineSent]);

    // composer
    r.name = el("input", { type: "text", class: "name", "data-testid": "name-input", maxlength: MAX_NAME,
      autocomplete: "name", "aria-label": T.nameLabel, placeholder: T.namePlaceholder, hidden: true });
    if (visitorName) r.name.value = visitorName;
    r.input = el("textarea", { class: "input", "data-testid": "message-input", rows: 1, maxlength: MAX_TEXT,
      "aria-label": T.inputLabel, placeholder: T.inputPlaceholder, enterkeyhint: "send" });
    r.send = el("button", { type: "button", class: "send", "data-testid": "send", "aria-label": T.send, title: T.send,
      disabled: true }, [icon("send", 18)]);
    r.counter = el("div", { class: "counter", "aria-live": "polite", hidden: true });
    r.footer = el("div", { class: "footer" }, [r.name, el("div", { class: "compose" }, [r.input, r.send]), r.counter]);

    r.window = el("div", { class: "window", id: "lc-window", role: "dialog", "aria-labelledby": "lc-title",
      "data-testid": "chat-window", hidden: true }, [header, r.confirm, r.body, r.footer]);

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

  // After a chat with an agent ends: good/bad, an optional comment, send or skip.
  function buildRating(r) {
    r.rateGood = el("button", { type: "button", class: "rate good", "data-testid": "rate-good", "aria-pressed": "false" },
      [icon("good", 16), el("span", { text: T.rateGood })]);
    r.rateBad = el("button", { type: "button", class: "rate bad", "data-testid": "rate-bad", "aria-pressed": "false" },
      [icon("bad", 16), el("span", { text: T.rateBad })]);
    r.rateComment = el("textarea", { class: "field", "data-testid": "rating-comment", rows: 2, maxlength: MAX_COMMENT,
      "aria-label": T.rateComment, placeholder: T.rateComment });
    r.rateError = el("div", { class: "form-error", "data-testid": "rating-error", role: "alert", hidden: true });
    r.rateSkip = el("button", { type: "button", class: "btn btn-link", "data-testid": "rating-skip", text: T.rateSkip });
    r.rateSubmit = el("button", { type: "button", class: "btn btn-primary", "data-testid": "rating-submit",
      text: T.rateSubmit, disabled: true });
    r.rating = el("div", { class: "card rating", "data-testid": "rating", role: "group", "aria-labelledby": "lc-rate-title",
      hidden: true }, [
      el("div", { class: "card-title", id: "lc-rate-title", text: T.ratePrompt }),
      el("div", { class: "rate-row" }, [r.rateGood, r.rateBad]),
      r.rateComment,
      r.rateError,
      el("div", { class: "actions" }, [r.rateSkip, r.rateSubmit]),
    ]);
    r.ratingThanks = el("div", { class: "card done", "data-testid": "rating-thanks", role: "status", hidden: true },
      [icon("check", 18), el("span", { text: T.rateThanks })]);
  }

  // Shown instead of the composer when no agent accepts chats and the visitor has no open chat.
  function buildOffline(r) {
    r.offName = el("input", { type: "text", class: "field", id: "lc-off-name", "data-testid": "offline-name",
      maxlength: MAX_NAME, autocomplete: "name" });
    if (visitorName) r.offName.value = visitorName;
    r.offEmail = el("input", { type: "email", class: "field", id: "lc-off-email", "data-testid": "offline-email",
      maxlength: MAX_EMAIL, autocomplete: "email", required: true, inputmode: "email", spellcheck: "false" });
    r.offText = el("textarea", { class: "field", id: "lc-off-text", "data-testid": "offline-message", rows: 4,
      maxlength: MAX_TEXT, required: true });
    r.offError = el("div", { class: "form-error", id: "lc-off-error", "data-testid": "offline-error", role: "alert",
      hidden: true });
    r.offSend = el("button", { type: "submit", class: "btn btn-primary", "data-testid": "offline-send",
      text: T.offlineSend });
    r.offline = el("form", { class: "card offline", "data-testid": "offline-form", novalidate: true,
      "aria-labelledby": "lc-off-title", hidden: true }, [
      el("div", { class: "card-title", id: "lc-off-title" }, [icon("mail", 18), el("span", { text: T.offlineTitle })]),
      el("div", { class: "card-text", text: T.offlineText }),
      el("label", { class: "label", for: "lc-off-name", text: T.offlineName }), r.offName,
      el("label", { class: "label", for: "lc-off-email", text: T.offlineEmail }), r.offEmail,
      el("label", { class: "label", for: "lc-off-text", text: T.offlineMessage }), r.offText,
      r.offError,
      el("div", { class: "actions" }, [r.offSend]),
    ]);
    r.offlineSent = el("div", { class: "card done", "data-testid": "offline-sent", role: "status", hidden: true },
      [icon("check", 18), el("span", { text: T.offlineSent })]);
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
      var visible = document.visibilityState !== "hidden";
      if (visible && !ws && reconnectTimer) {
        clearTimeout(reconnectTimer);
        reconnectTimer = setTimeout(connect, 200);
      }
      sendActivity();
      if (visible) scheduleMarkRead();
    });

    ui.rateGood.addEventListener("click", function () { chooseRating("good"); });
    ui.rateBad.addEventListener("click", function () { chooseRating("bad"); });
    ui.rateSubmit.addEventListener("click", submitRating);
    ui.rateSkip.addEventListener("click", function () {
      rating = null;
      updateChrome();
      focusComposer();
    });
    ui.offline.addEventListener("submit", function (e) {
      e.preventDefault();
      submitOffline();
    });
    [ui.offEmail, ui.offText].forEach(function (field) {
      field.addEventListener("input", function () {
        field.removeAttribute("aria-invalid");
        if (!offlineBusy) ui.offError.hidden = true;
      });
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
      updateChrome();
      scrollToBottom();
      if (moveFocus && !coarsePointer()) focusComposer();
      scheduleMarkRead();
    } else {
      ui.confirm.hidden = true;
      if (moveFocus) ui.launcher.focus();
    }
    updateBadge();
  }

  // The message input, or the first field of the offline form when that is shown instead.
  function focusComposer() {
    if (!ui.footer.hidden) ui.input.focus();
    else if (!ui.offline.hidden) ui.offName.focus();
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
    ui.agentName.textContent = open && chat.state === "taken" ? chat.agentName : "";
    ui.agentName.hidden = ui.agentName.textContent === "";

    // Nobody accepts chats and there is nothing to continue: the offline form replaces the composer.
    var offlineMode = !agentsAvailable && !open && outbox.length === 0;
    ui.footer.hidden = offlineMode;
    ui.offline.hidden = !offlineMode || offlineSent;
    ui.offlineSent.hidden = !offlineMode || !offlineSent;
    ui.intro.hidden = ui.list.childElementCount > 0 || offlineMode;

    var rated = rating && chat && chat.chat_id === rating.chat_id && chat.state === "closed";
    ui.rating.hidden = !rated || rating.status === "done";
    ui.ratingThanks.hidden = !rated || rating.status !== "done";
    if (rated) {
      ui.rateGood.setAttribute("aria-pressed", rating.choice === "good" ? "true" : "false");
      ui.rateBad.setAttribute("aria-pressed", rating.choice === "bad" ? "true" : "false");
      ui.rateSubmit.disabled = !rating.choice || rating.status === "sending";
    }

    var queued = open && (chat.state === "queued" || chat.state === "incoming");
    ui.waiting.hidden = !queued || ui.list.childElementCount === 0;
    var pos = queued && queueInfo && queueInfo.chat_id === chat.chat_id && queueInfo.position > 0 ? queueInfo : null;
    ui.waitingPos.hidden = !pos;
    if (pos) {
      // "You are number 2 in the queue · about 2 min", the estimate kept on one line.
      var parts = fmt(pos.position === 1 ? T.queueNext : T.queuePosition, { n: pos.position, wait: "\u0000" })
        .split("\u0000");
      ui.waitingPos.textContent = parts[0];
      if (parts.length > 1) {
        ui.waitingPos.appendChild(el("span", { class: "nowrap", text: formatWait(pos.wait) }));
        ui.waitingPos.appendChild(document.createTextNode(parts.slice(1).join("")));
      }
    }
    var n = ui.input.value.length;
    ui.counter.hidden = n < MAX_TEXT * 0.9;
    ui.counter.textContent = fmt(T.counter, { n: n, max: MAX_TEXT });
    ui.counter.classList.toggle("full", n >= MAX_TEXT);
  }

  function formatWait(seconds) {
    if (!(seconds > 0) || seconds < 45) return T.waitSoon;
    return fmt(T.waitMinutes, { n: Math.max(1, Math.round(seconds / 60)) });
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
    node._lc = { bubble: bubble, meta: meta, author: author, authorKey: kind + "\u0000" + name, kind: kind };
    return node;
  }

  function setMeta(node, status, createdAt, clientId) {
    node.setAttribute("data-status", status);
    var meta = node._lc.meta;
    var receipt = ui.receipt.parentNode === meta;
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
      if (receipt) meta.appendChild(ui.receipt);
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
    if (ev.kind === "message") applyMessage(ev, registerChat(ev.chat_id), seq, live);
    else if (ev.kind === "chat_state") applyChatState(ev, registerChat(ev.chat_id), seq);
    else if (ev.kind === "rating") applyRating(ev);
    // Anything else (an internal note, which the server never sends us, or a kind added later):
    // nothing to show.
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
      node._lc.chatId = ev.chat_id;
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
      if (!(agentMsgSeq[ev.chat_id] >= seq)) agentMsgSeq[ev.chat_id] = seq;
      scheduleMarkRead();
    } else if (kind === "visitor") {
      showReceipt();
    }
  }

  function applyChatState(ev, order, seq) {
    if (typeof ev.event_id === "number") byEventId[ev.event_id] = true;
    var agentName = ev.agent && typeof ev.agent.name === "string" ? ev.agent.name : "";
    var transferred = !!(ev.transferred_from && typeof ev.transferred_from === "object");
    var isCurrent = chat && chat.chat_id === ev.chat_id;
    var applied = false;
    if (isCurrent) {
      if (seq >= chat.stateSeq) {
        applied = chat.state !== ev.state || transferred;
        chat.state = ev.state;
        chat.stateSeq = seq;
        if (agentName) chat.agentName = agentName;
        if (ev.state === "taken") chat.hadAgent = true;
      }
    } else if (ev.state !== "closed" &&
      (!chat || chat.state === "closed" || order > chatOrder[chat.chat_id])) {
      chat = { chat_id: ev.chat_id, state: ev.state, agentName: agentName, stateSeq: seq,
        hadAgent: ev.state === "taken" };
      applied = true;
    }
    // Out of the queue: forget the place (a later re-queueing gets fresh `queue_position` pushes).
    if (applied && ev.state !== "queued" && ev.state !== "incoming" && queueInfo && queueInfo.chat_id === ev.chat_id) {
      queueInfo = null;
    }
    var text = null;
    if (ev.state === "taken") text = fmt(transferred ? T.takenOver : T.joined, { name: agentName || T.agent });
    else if (ev.state === "queued" && transferred) text = T.transferring;
    else if (ev.state === "closed") text = ev.reason === "inactive" ? T.endedInactive : T.ended;
    if (text !== null) {
      mutate(function () {
        var node = el("div", { class: "notice", "data-testid": "chat-event", "data-state": ev.state,
          "data-seq": String(seq), dir: "auto", text: text });
        if (typeof ev.reason === "string") node.setAttribute("data-reason", ev.reason);
        if (transferred) node.setAttribute("data-transfer", "");
        node._lc = { authorKey: null };
        place(node, order, seq);
      });
    }
    if (ev.state === "closed" && chat && chat.chat_id === ev.chat_id) {
      hideTyping();
      peekReset();
      offerRating();
    }
    updateChrome();
  }

  // Our own rating, echoed as an event (this tab's answer, another tab, a replay): never a bubble.
  function applyRating(ev) {
    if (rating && rating.chat_id === ev.chat_id && ev.author && ev.author.kind === "visitor") {
      rating.status = "done";
      updateChrome();
    }
  }

  // Shown when the server says the chat is gone but no closing event reached us (e.g. resync).
  function markChatEndedLocally() {
    if (!chatIsOpen()) return;
    chat.state = "closed";
    offerRating();
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
    queueInfo = null;
    agentMsgSeq = {};
    readSent = {};
    agentReadSeq = {};
    rating = null;
    if (ui.receipt.parentNode) ui.receipt.parentNode.removeChild(ui.receipt);
    hideTyping();
    outbox.forEach(renderPendingSend);
    updateChrome();
  }

  // --- queue position, availability --------------------------------------------------------

  function onQueuePosition(p) {
    if (!chat || p.chat_id !== chat.chat_id || typeof p.position !== "number") return;
    if (chat.state !== "queued" && chat.state !== "incoming") return; // late: already taken or closed
    queueInfo = { chat_id: p.chat_id, position: p.position, wait: typeof p.estimated_wait === "number" ? p.estimated_wait : 0 };
    var stick = nearBottom();
    updateChrome();
    if (stick) scrollToBottom();
  }

  function setAvailability(available) {
    available = available !== false;
    session.set(K_AVAILABLE, available ? "1" : "0");
    if (available === agentsAvailable) return;
    var active = ui.shadow.activeElement;
    var hadFocus = !!active && (ui.footer.contains(active) || ui.offline.contains(active));
    agentsAvailable = available;
    if (available && offlineSent) {
      offlineSent = false;
      session.set(K_OFFLINE_SENT, "0");
    }
    updateChrome();
    if (hadFocus && isOpen) focusComposer();
  }

  // --- offline form --------------------------------------------------------------------------

  function showOfflineError(text, field) {
    ui.offError.textContent = text;
    ui.offError.hidden = false;
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", "lc-off-error");
    }
  }

  async function submitOffline() {
    if (offlineBusy) return;
    var name = ui.offName.value.trim().slice(0, MAX_NAME);
    var email = ui.offEmail.value.trim();
    var text = ui.offText.value;
    [ui.offEmail, ui.offText].forEach(function (f) { f.removeAttribute("aria-invalid"); });
    ui.offError.hidden = true;
    var field = null;
    if (email.length > MAX_EMAIL || !EMAIL_RE.test(email)) {
      field = ui.offEmail;
      showOfflineError(T.offlineBadEmail, field);
    } else if (text.trim() === "") {
      field = ui.offText;
      showOfflineError(T.offlineNoText, field);
    }
    if (field) {
      field.focus();
      return;
    }
    if (!ready) {
      showOfflineError(T.notConnected);
      return;
    }
    // The same client_id until it is stored: a retry after a lost answer stores nothing twice.
    if (!offlineClientId) offlineClientId = uuid();
    offlineBusy = true;
    ui.offSend.disabled = true;
    ui.offSend.textContent = T.offlineSending;
    try {
      await request("offline_message", { client_id: offlineClientId, name: name, email: email, text: text.slice(0, MAX_TEXT) });
      offlineClientId = null;
      offlineSent = true;
      session.set(K_OFFLINE_SENT, "1");
      ui.offText.value = "";
      if (name && !visitorName) {
        visitorName = name;
        store.set(K_NAME, name);
        ui.name.value = name;
      }
      updateChrome();
    } catch (e) {
      if (e.code === "rate_limited") showOfflineError(T.tooManyTries);
      else if (e.code === "invalid_payload" && /email/i.test(e.message || "")) showOfflineError(T.offlineBadEmail, ui.offEmail);
      else showOfflineError(T.offlineFailed);
    } finally {
      offlineBusy = false;
      ui.offSend.disabled = false;
      ui.offSend.textContent = T.offlineSend;
    }
  }

  // --- rating ----------------------------------------------------------------------------------

  // The current chat has just ended: ask for a rating (once per chat, only if an agent was there).
  function offerRating() {
    if (!chat || !chat.hadAgent || (rating && rating.chat_id === chat.chat_id)) return;
    rating = { chat_id: chat.chat_id, choice: null, client_id: uuid(), status: "prompt" };
    ui.rateComment.value = "";
    ui.rateError.hidden = true;
    var stick = nearBottom();
    updateChrome();
    if (stick) scrollToBottom();
  }

  function chooseRating(choice) {
    if (!rating || rating.status !== "prompt") return;
    rating.choice = choice;
    ui.rateError.hidden = true;
    updateChrome();
  }

  async function submitRating() {
    var r = rating;
    if (!r || !r.choice || r.status !== "prompt") return;
    ui.rateError.hidden = true;
    if (!ready) {
      ui.rateError.textContent = T.notConnected;
      ui.rateError.hidden = false;
      return;
    }
    r.status = "sending";
    updateChrome();
    try {
      var res = await request("rate_chat", { client_id: r.client_id, rating: r.choice,
        comment: ui.rateComment.value.trim().slice(0, MAX_COMMENT) });
      if (res && res.event) applyEvent(res.event, true);
      r.status = "done";
    } catch (e) {
      if (r.status === "sending") {
        r.status = "prompt";
        if (e.code === "client_id_conflict") r.client_id = uuid();
        ui.rateError.textContent = e.code === "rate_limited" ? T.tooManyTries : T.rateFailed;
        ui.rateError.hidden = false;
      }
    }
    updateChrome();
  }

  // --- read receipts, activity -------------------------------------------------------------

  // "Read" goes under the visitor's latest message (of the current chat) that the agent has read.
  function showReceipt() {
    var target = null;
    var upTo = chat ? agentReadSeq[chat.chat_id] : 0;
    if (upTo > 0) {
      var kids = ui.list.children;
      for (var i = kids.length - 1; i >= 0; i--) {
        var k = kids[i]._lc;
        if (k && k.kind === "visitor" && k.seqKnown && k.chatId === chat.chat_id && k.seq <= upTo) {
          target = kids[i];
          break;
        }
      }
    }
    if (!target) {
      if (ui.receipt.parentNode) ui.receipt.parentNode.removeChild(ui.receipt);
    } else if (ui.receipt.parentNode !== target._lc.meta) {
      target._lc.meta.appendChild(ui.receipt);
    }
  }

  function onRead(p) {
    if (p.reader !== "agent" || typeof p.chat_id !== "string" || typeof p.seq !== "number") return;
    if (agentReadSeq[p.chat_id] >= p.seq) return;
    agentReadSeq[p.chat_id] = p.seq;
    showReceipt();
  }

  // Tell the server we have seen the agent's messages: only while they can be seen (window open,
  // tab visible), only when the seq grows, at most every MARK_READ_EVERY ms (trailing edge kept).
  function canSeeMessages() {
    return isOpen && document.visibilityState !== "hidden";
  }
  function scheduleMarkRead() {
    if (markTimer || !ready || !canSeeMessages() || !chatIsOpen()) return;
    if (!((agentMsgSeq[chat.chat_id] || 0) > (readSent[chat.chat_id] || 0))) return;
    var wait = Math.max(0, MARK_READ_EVERY - (Date.now() - markLastAt));
    markTimer = setTimeout(function () {
      markTimer = null;
      flushMarkRead();
    }, wait);
  }
  function flushMarkRead() {
    if (!ready || !canSeeMessages() || !chatIsOpen()) return;
    var id = chat.chat_id;
    var seq = agentMsgSeq[id] || 0;
    if (!(seq > (readSent[id] || 0))) return;
    if (sendFrame("mark_read", { seq: seq })) {
      readSent[id] = seq;
      markLastAt = Date.now();
    }
  }

  function sendActivity() {
    if (ready) sendFrame("activity", { active: document.visibilityState !== "hidden" });
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
    rating = null; // a new message skips the rating prompt
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

  // Fire-and-forget request (sneak_peek, mark_read, activity have no result; an `err` is ignored).
  function sendFrame(action, payload) {
    if (!ws || ws.readyState !== 1) return false;
    try {
      ws.send(sendFrameText(action, "w" + (++reqSeq), payload));
      return true;
    } catch (e) {
      return false; // closing
    }
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
    else if (f.action === "queue_position") onQueuePosition(payload);
    else if (f.action === "availability") setAvailability(payload.agents_available);
    else if (f.action === "read") onRead(payload);
    // Unknown pushes (a newer server) are ignored.
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
      }
      setAvailability(login.agents_available !== false); // after the open chat is known: no flash of the form
      if (summary) await loadTranscript(gen, summary.chat_id, chatMaxSeq[summary.chat_id] || 0);
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
    sendActivity();
    scheduleMarkRead();
    pump();
  }

  function adoptSummary(s) {
    var order = registerChat(s.chat_id);
    if (!chat || chat.chat_id !== s.chat_id) {
      if (!chat || chat.state === "closed" || order >= chatOrder[chat.chat_id]) {
        chat = { chat_id: s.chat_id, state: s.state, agentName: (s.agent && s.agent.name) || "", stateSeq: -1,
          hadAgent: !!s.agent };
      }
    }
    if (chat.chat_id === s.chat_id && s.agent) chat.hadAgent = true;
    // The read marks the server holds: ours (a lost mark_read is sent again) and the agent's.
    if (typeof s.visitor_read_seq === "number") readSent[s.chat_id] = s.visitor_read_seq;
    if (typeof s.agent_read_seq === "number" && !(agentReadSeq[s.chat_id] >= s.agent_read_seq)) {
      agentReadSeq[s.chat_id] = s.agent_read_seq;
      showReceipt();
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
