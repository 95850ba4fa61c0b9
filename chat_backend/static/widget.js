/*!
 * Live chat website widget. Built from the ES modules in chat_backend/widget/src/ (see the README
 * there); do not edit the bundle by hand. No dependencies at run time.
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
 * This file never turns text into markup (no inner-HTML assignment) and loads nothing from anywhere.
 */
"use strict";
(() => {
  // src/config.js
  var PROTOCOL = 1;
  var MAX_TEXT = 2e4;
  var MAX_NAME = 100;
  var MAX_FRAME = 64 * 1024;
  var PING_EVERY = 2e4;
  var DEAD_AFTER = 45e3;
  var BACKOFF_MIN = 500;
  var BACKOFF_MAX = 3e4;
  var DRAIN_RECONNECT_MAX = 2e3;
  var PEEK_EVERY = 200;
  var REQUEST_TIMEOUT = 15e3;
  var LOGIN_TIMEOUT = 1e4;
  var TYPING_TTL = 15e3;
  var TRANSCRIPT_PAGE = 500;
  var OUTBOX_MAX_AGE = 7 * 24 * 3600 * 1e3;
  var MARK_READ_EVERY = 500;
  var MAX_COMMENT = 2e3;
  var MAX_EMAIL = 254;
  var EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s.]+$/;
  var MAX_URL = 2048;
  var MAX_TITLE = 300;
  var MAX_SHORT = 100;
  var MAX_LABEL = 64;
  var MAX_VALUE = 1e3;
  var MAX_CUSTOM_FIELDS = 50;
  var MAX_CART_ITEMS = 100;
  var PAGE_VIEW_DEBOUNCE = 300;
  var MAX_GREETING = 2e3;
  var FATAL_LOGIN = ["origin_not_allowed", "unsupported_version", "forbidden", "not_found", "invalid_payload"];
  var PERMANENT_SEND = [
    "invalid_payload",
    "frame_too_large",
    "client_id_conflict",
    "forbidden",
    "not_found",
    "bad_frame",
    "unknown_action",
    "blocked"
  ];

  // src/dom.js
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
        var v = attrs[k];
        if (v === null || v === void 0 || v === false) continue;
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
    close: ["M18 6L6 18", "M6 6l12 12"],
    link: ["M10 13a5 5 0 0 0 7.54.54l3-3a5 5 0 0 0-7.07-7.07l-1.72 1.71", "M14 11a5 5 0 0 0-7.54-.54l-3 3a5 5 0 0 0 7.07 7.07l1.71-1.71"],
    up: ["M18 15l-6-6-6 6"],
    video: ["M23 7l-7 5 7 5V7z", "M3 5h11a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z"],
    videoOff: [
      "M16 16v1a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2h2m5.66 0H14a2 2 0 0 1 2 2v3.34l1 1L23 7v10",
      "M1 1l22 22"
    ],
    mic: ["M12 1a3 3 0 0 0-3 3v8a3 3 0 0 0 6 0V4a3 3 0 0 0-3-3z", "M19 10v2a7 7 0 0 1-14 0v-2", "M12 19v4", "M8 23h8"],
    micOff: [
      "M1 1l22 22",
      "M9 9v3a3 3 0 0 0 5.12 2.12M15 9.34V4a3 3 0 0 0-5.94-.6",
      "M17 16.95A7 7 0 0 1 5 12v-2m14 0v2a7 7 0 0 1-.11 1.23",
      "M12 19v4",
      "M8 23h8"
    ],
    phone: ["M22 16.92v3a2 2 0 0 1-2.18 2 19.79 19.79 0 0 1-8.63-3.07 19.5 19.5 0 0 1-6-6 19.79 19.79 0 0 1-3.07-8.67A2 2 0 0 1 4.11 2h3a2 2 0 0 1 2 1.72 12.84 12.84 0 0 0 .7 2.81 2 2 0 0 1-.45 2.11L8.09 9.91a16 16 0 0 0 6 6l1.27-1.27a2 2 0 0 1 2.11-.45 12.84 12.84 0 0 0 2.81.7A2 2 0 0 1 22 16.92z"],
    phoneOff: [
      "M10.68 13.31a16 16 0 0 0 3.41 2.6l1.27-1.27a2 2 0 0 1 2.11-.45 12.84 12.84 0 0 0 2.81.7 2 2 0 0 1 1.72 2v3a2 2 0 0 1-2.18 2 19.79 19.79 0 0 1-8.63-3.07 19.42 19.42 0 0 1-3.33-2.67m-2.67-3.34a19.79 19.79 0 0 1-3.07-8.63A2 2 0 0 1 4.11 2h3a2 2 0 0 1 2 1.72 12.84 12.84 0 0 0 .7 2.81 2 2 0 0 1-.45 2.11L8.09 9.91",
      "M23 1L1 23"
    ]
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
    ICONS[name].forEach(function(d) {
      var p = document.createElementNS(SVG_NS, "path");
      p.setAttribute("d", d);
      svg.appendChild(p);
    });
    return svg;
  }
  function cssSupports(prop, value) {
    try {
      return window.CSS.supports(prop, value);
    } catch (e) {
      return false;
    }
  }
  function coarsePointer() {
    try {
      return window.matchMedia("(pointer: coarse)").matches;
    } catch (e) {
      return false;
    }
  }
  var LINK_RE = /https?:\/\/[^\s<>"'`]+/gi;
  var LINK_TAIL_RE = /[.,;:!?)\]}»」』）】、。！？]+$/;
  function isWebUrl(url) {
    if (typeof url !== "string" || /[\u0000-\u001f\u007f\\]/.test(url) || !/^https?:\/\//i.test(url)) return false;
    try {
      var u = new URL(url);
      return (u.protocol === "http:" || u.protocol === "https:") && !!u.hostname;
    } catch (e) {
      return false;
    }
  }
  function renderText(node, text) {
    node.textContent = "";
    var last = 0;
    var m;
    LINK_RE.lastIndex = 0;
    while ((m = LINK_RE.exec(text)) !== null) {
      var url = m[0].replace(LINK_TAIL_RE, "");
      LINK_RE.lastIndex = m.index + Math.max(1, url.length);
      if (url.length > MAX_URL || !isWebUrl(url)) continue;
      if (m.index > last) node.appendChild(document.createTextNode(text.slice(last, m.index)));
      var a = document.createElement("a");
      a.textContent = url;
      a.setAttribute("href", url);
      a.setAttribute("target", "_blank");
      a.setAttribute("rel", "noopener noreferrer");
      a.setAttribute("data-testid", "message-link");
      node.appendChild(a);
      last = m.index + url.length;
    }
    if (last < text.length) node.appendChild(document.createTextNode(text.slice(last)));
  }

  // src/strings.js
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
      mailTranscript: "E-mail me this conversation",
      mailAsk: "Where should we send this conversation?",
      mailAddress: "E-mail address",
      mailSend: "Send",
      mailCancel: "Cancel",
      mailSending: "Sending…",
      mailSent: "Sent! The conversation is on its way to your inbox.",
      mailAlready: "This conversation has already been sent by e-mail.",
      mailBadEmail: "Please enter a valid e-mail address.",
      mailNotYet: "The conversation can be sent once an agent has replied.",
      mailFailed: "The e-mail could not be requested. Please try again.",
      notConnected: "Not connected. Please try again in a moment.",
      tooManyTries: "Too many attempts. Please wait a moment and try again.",
      counter: "{n} / {max}",
      state_connecting: "Connecting…",
      state_connected: "Online",
      state_reconnecting: "Reconnecting…",
      state_offline: "Offline",
      state_away: "Away · leave a message",
      greeting: "Message from {name}",
      team: "Our team",
      greetingReply: "Write a reply…",
      greetingSend: "Send reply",
      greetingDismiss: "Dismiss",
      pushPrompt: "Your operator would like to show you this page. Open it?",
      pushOpen: "Open",
      pushDecline: "No thanks",
      pushOpening: "Opening…",
      pushAccepted: "You opened the page your operator suggested:",
      pushDeclined: "You did not open the page your operator suggested:",
      pushRefused: "This link does not lead to a page of this site, so it was not opened.",
      pushFailed: "Could not answer. Please try again.",
      callRegion: "Video call",
      callIncomingTitle: "Incoming video call",
      callIncoming: "{name} is calling you",
      callNoticeTitle: "Please read before you accept:",
      callAccept: "Accept",
      callDecline: "Decline",
      callWith: "Video call with {name}",
      callUnsupported: "Video calls do not work in this browser.",
      call_connecting: "Connecting…",
      call_connected: "Connected",
      call_reconnecting: "Reconnecting…",
      call_ended: "Video call ended",
      callMic: "Microphone",
      callCamera: "Camera",
      callMicMute: "Mute your microphone",
      callMicUnmute: "Unmute your microphone",
      callCamOn: "Turn your camera on",
      callCamOff: "Turn your camera off",
      callHangup: "Hang up",
      callCollapse: "Hide the video",
      callExpand: "Show the video",
      callDismiss: "Close",
      callDuration: "Call duration",
      callRemoteVideo: "The operator's video",
      callLocalVideo: "Your camera",
      callRemoteCamOff: "The operator's camera is off",
      callRemoteMuted: "The operator's microphone is muted",
      callNoMic: "Your microphone is not available, so the operator cannot hear you. You can still see and hear them, and write in the chat.",
      callNoCamera: "Your camera could not be turned on.",
      callCamUnavailable: "The camera cannot be used in this call.",
      callAnswerFailed: "Could not answer the call. Please try again.",
      end_declined: "You declined the call.",
      end_no_answer: "The call was not answered in time.",
      end_cancelled: "The operator cancelled the call.",
      end_hangup_agent: "The operator hung up.",
      end_hangup_visitor: "You hung up.",
      end_page_reloaded: "The video call ended because the page was reloaded.",
      end_disconnected: "The connection was lost.",
      end_failed: "The call failed: the connection could not be kept up.",
      end_chat_ended: "The chat ended.",
      end_elsewhere: "The call was answered in another window.",
      end_other: "The call ended.",
      callStarted: "Video call started",
      callEndedLine: "Video call ended ({duration})",
      callMissed: "Missed video call",
      callDeclined: "Video call declined"
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
      mailTranscript: "この会話をメールで受け取る",
      mailAsk: "この会話をお送りするメールアドレスを入力してください。",
      mailAddress: "メールアドレス",
      mailSend: "送信",
      mailCancel: "キャンセル",
      mailSending: "送信中…",
      mailSent: "送信しました。まもなくメールが届きます。",
      mailAlready: "この会話はすでにメールでお送りしています。",
      mailBadEmail: "正しいメールアドレスを入力してください。",
      mailNotYet: "担当者の返信後に、会話をメールでお送りできます。",
      mailFailed: "メールの送信を受け付けられませんでした。もう一度お試しください。",
      offlineFailed: "送信できませんでした。もう一度お試しください。",
      notConnected: "接続されていません。しばらくしてからもう一度お試しください。",
      tooManyTries: "送信が多すぎます。少し待ってからもう一度お試しください。",
      counter: "{n} / {max}",
      state_connecting: "接続中…",
      state_connected: "オンライン",
      state_reconnecting: "再接続中…",
      state_offline: "オフライン",
      state_away: "不在 · メッセージを残せます",
      greeting: "{name}からのメッセージ",
      team: "サポートチーム",
      greetingReply: "返信を入力…",
      greetingSend: "返信を送信",
      greetingDismiss: "閉じる",
      pushPrompt: "オペレーターがこのページを表示しようとしています。開きますか？",
      pushOpen: "開く",
      pushDecline: "開かない",
      pushOpening: "開いています…",
      pushAccepted: "オペレーターが案内したページを開きました：",
      pushDeclined: "オペレーターが案内したページは開きませんでした：",
      pushRefused: "このリンクはこのサイトのページではないため、開きませんでした。",
      pushFailed: "応答を送信できませんでした。もう一度お試しください。",
      callRegion: "ビデオ通話",
      callIncomingTitle: "ビデオ通話の着信",
      callIncoming: "{name}から着信しています",
      callNoticeTitle: "応答する前にお読みください：",
      callAccept: "応答する",
      callDecline: "拒否する",
      callWith: "{name}とのビデオ通話",
      callUnsupported: "このブラウザではビデオ通話をご利用いただけません。",
      call_connecting: "接続中…",
      call_connected: "通話中",
      call_reconnecting: "再接続中…",
      call_ended: "ビデオ通話は終了しました",
      callMic: "マイク",
      callCamera: "カメラ",
      callMicMute: "マイクをミュートする",
      callMicUnmute: "マイクのミュートを解除する",
      callCamOn: "カメラをオンにする",
      callCamOff: "カメラをオフにする",
      callHangup: "通話を終了",
      callCollapse: "映像を隠す",
      callExpand: "映像を表示する",
      callDismiss: "閉じる",
      callDuration: "通話時間",
      callRemoteVideo: "オペレーターの映像",
      callLocalVideo: "あなたのカメラ",
      callRemoteCamOff: "オペレーターのカメラはオフです",
      callRemoteMuted: "オペレーターのマイクはミュート中です",
      callNoMic: "マイクを使用できないため、オペレーターにはあなたの声が届きません。オペレーターの映像と音声は受信でき、チャットも続けられます。",
      callNoCamera: "カメラをオンにできませんでした。",
      callCamUnavailable: "この通話ではカメラを使用できません。",
      callAnswerFailed: "応答できませんでした。もう一度お試しください。",
      end_declined: "通話を拒否しました。",
      end_no_answer: "時間内に応答がなかったため、通話は終了しました。",
      end_cancelled: "オペレーターが通話をキャンセルしました。",
      end_hangup_agent: "オペレーターが通話を終了しました。",
      end_hangup_visitor: "通話を終了しました。",
      end_page_reloaded: "ページが再読み込みされたため、ビデオ通話は終了しました。",
      end_disconnected: "接続が切れたため、通話は終了しました。",
      end_failed: "接続を維持できなかったため、通話は終了しました。",
      end_chat_ended: "チャットが終了したため、通話も終了しました。",
      end_elsewhere: "この通話は別のウィンドウで応答されました。",
      end_other: "通話は終了しました。",
      callStarted: "ビデオ通話を開始しました",
      callEndedLine: "ビデオ通話が終了しました（{duration}）",
      callMissed: "ビデオ通話の不在着信",
      callDeclined: "ビデオ通話を拒否しました"
    }
  };
  var LANG = "en";
  var T = STRINGS.en;
  var timeFormat = null;
  function useLanguage(script2) {
    var langPref = (script2.getAttribute("data-lang") || navigator.language || "en").toLowerCase();
    LANG = langPref.indexOf("ja") === 0 ? "ja" : "en";
    T = STRINGS[LANG];
    try {
      timeFormat = new Intl.DateTimeFormat(LANG === "ja" ? "ja-JP" : void 0, { hour: "2-digit", minute: "2-digit" });
    } catch (e) {
    }
  }
  function fmt(template, vars) {
    return template.replace(/\{(\w+)\}/g, function(_, key) {
      return Object.prototype.hasOwnProperty.call(vars, key) ? String(vars[key]) : "";
    });
  }
  function formatTime(value) {
    var d = value ? new Date(value) : /* @__PURE__ */ new Date();
    if (isNaN(d.getTime())) return "";
    if (timeFormat) return timeFormat.format(d);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  // src/text.js
  var encoder = typeof TextEncoder === "function" ? new TextEncoder() : null;
  function byteLength(s) {
    return encoder ? encoder.encode(s).length : unescape(encodeURIComponent(s)).length;
  }
  function cutText(s, limit) {
    if (s.length <= limit) return s;
    return Array.from(s.slice(0, limit * 2)).slice(0, limit).join("");
  }
  function scalarText(value, limit) {
    var t = typeof value;
    var s = t === "string" ? value : t === "number" || t === "boolean" || t === "bigint" ? String(value) : "";
    return cutText(s, limit);
  }
  function amount(value, max) {
    var n = typeof value === "number" ? value : typeof value === "string" ? parseFloat(value) : NaN;
    return isFinite(n) && n > 0 ? Math.min(n, max) : 0;
  }

  // src/uuid.js
  function uuid() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") {
      try {
        return c.randomUUID();
      } catch (e) {
      }
    }
    var b = new Uint8Array(16);
    if (c && typeof c.getRandomValues === "function") c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = b[6] & 15 | 64;
    b[8] = b[8] & 63 | 128;
    var hex = [];
    for (var j = 0; j < 16; j++) hex.push((b[j] + 256).toString(16).slice(1));
    return hex.slice(0, 4).join("") + "-" + hex.slice(4, 6).join("") + "-" + hex.slice(6, 8).join("") + "-" + hex.slice(8, 10).join("") + "-" + hex.slice(10, 16).join("");
  }

  // src/page_push.js
  var siteOrigins = [];
  var pushes = {};
  var pushAnswers = {};
  function useSiteOrigins(origins) {
    siteOrigins = origins;
  }
  function resetPagePushes() {
    pushes = {};
    pushAnswers = {};
  }
  function originOf(url) {
    if (typeof url !== "string" || !url || url.length > MAX_URL || url !== url.trim()) return null;
    if (/[\u0000-\u001f\u007f\\]/.test(url)) return null;
    var m = /^https?:\/\/([^\/?#]*)/i.exec(url);
    if (!m || !m[1] || m[1].indexOf("@") >= 0) return null;
    try {
      var u = new URL(url);
      if (u.protocol !== "http:" && u.protocol !== "https:" || u.username || u.password || !u.hostname) return null;
      return u.origin;
    } catch (e) {
      return null;
    }
  }
  function pageAllowed(url, origins) {
    var origin = originOf(url);
    if (!origin || !Array.isArray(origins)) return false;
    for (var i = 0; i < origins.length; i++) {
      if (typeof origins[i] === "string" && originOf(origins[i].replace(/\/+$/, "") + "/") === origin) return true;
    }
    return false;
  }
  function allowedOrigins() {
    return siteOrigins.length ? siteOrigins : [location.origin];
  }
  function applyPagePush(ev, order, seq) {
    if (typeof ev.event_id === "number") byEventId[ev.event_id] = true;
    var url = typeof ev.url === "string" ? cutText(ev.url, MAX_URL) : "";
    var key;
    if (ev.state === "offered") {
      key = ev.chat_id + ":" + seq;
      if (pushes[key]) return;
    } else if ((ev.state === "accepted" || ev.state === "declined") && typeof ev.offer_seq === "number") {
      key = ev.chat_id + ":" + ev.offer_seq;
      pushAnswers[key] = ev.state;
      if (pushes[key]) {
        pushes[key].answer = ev.state;
        mutate(function() {
          renderPush(pushes[key]);
        });
        return;
      }
    } else {
      return;
    }
    var item = {
      chatId: ev.chat_id,
      seq: ev.state === "offered" ? seq : ev.offer_seq,
      url,
      answer: pushAnswers[key] || null,
      busy: false,
      refused: false,
      error: null,
      clientIds: {}
    };
    item.node = el("div", { class: "push", "data-testid": "page-push", "data-seq": String(seq), role: "group" });
    item.node._lc = { authorKey: null };
    pushes[key] = item;
    mutate(function() {
      renderPush(item);
      place(item.node, order, seq);
    });
  }
  function renderPush(item) {
    var node = item.node;
    var state = item.answer || (item.refused ? "refused" : "offered");
    node.setAttribute("data-state", state);
    node.className = item.answer || item.refused ? "push status" : "push";
    node.textContent = "";
    var url = el("span", { class: "push-url", "data-testid": "page-push-url", dir: "ltr", text: item.url });
    if (item.answer || item.refused) {
      var said = item.answer === "accepted" ? T.pushAccepted : T.pushDeclined;
      node.appendChild(el("span", { text: said + " " }));
      node.appendChild(url);
    } else {
      node.appendChild(el("div", { class: "push-title" }, [icon("link", 16), el("span", { text: T.pushPrompt })]));
      node.appendChild(url);
    }
    if (item.refused) {
      node.appendChild(el("div", {
        class: "push-error",
        "data-testid": "page-push-refused",
        role: "alert",
        text: T.pushRefused
      }));
    } else if (item.error && !item.answer) {
      node.appendChild(el("div", {
        class: "push-error",
        "data-testid": "page-push-error",
        role: "alert",
        text: item.error
      }));
    }
    if (!item.answer && !item.refused) {
      var open = el("button", {
        type: "button",
        class: "btn btn-primary",
        "data-testid": "page-push-open",
        text: item.busy === "open" ? T.pushOpening : T.pushOpen,
        disabled: !!item.busy
      });
      var decline = el("button", {
        type: "button",
        class: "btn btn-link",
        "data-testid": "page-push-decline",
        text: T.pushDecline,
        disabled: !!item.busy
      });
      open.addEventListener("click", function() {
        answerPush(item, true);
      });
      decline.addEventListener("click", function() {
        answerPush(item, false);
      });
      node.appendChild(el("div", { class: "actions" }, [decline, open]));
    }
  }
  async function answerPush(item, accept) {
    if (item.busy || item.answer || item.refused) return;
    if (accept && !pageAllowed(item.url, allowedOrigins())) {
      item.refused = true;
      accept = false;
    }
    if (!ready) {
      item.error = T.notConnected;
      mutate(function() {
        renderPush(item);
      });
      return;
    }
    var key = accept ? "yes" : "no";
    if (!item.clientIds[key]) item.clientIds[key] = uuid();
    item.busy = accept ? "open" : "decline";
    item.error = null;
    mutate(function() {
      renderPush(item);
    });
    try {
      var res = await request("answer_page_push", { client_id: item.clientIds[key], seq: item.seq, accept });
      item.busy = false;
      if (res && res.event) applyEvent(res.event, true);
      item.answer = item.answer || (accept ? "accepted" : "declined");
      mutate(function() {
        renderPush(item);
      });
      if (item.answer === "accepted" && pageAllowed(item.url, allowedOrigins())) {
        carryCallAcrossPush();
        location.assign(item.url);
      }
    } catch (e) {
      item.busy = false;
      if (e.code === "rate_limited") item.error = T.tooManyTries;
      else if (e.code === "disconnected" || e.code === "timeout") item.error = T.notConnected;
      else item.error = T.pushFailed;
      mutate(function() {
        renderPush(item);
      });
    }
  }

  // src/receipts.js
  var agentMsgSeq = {};
  var readSent = {};
  var agentReadSeq = {};
  var markTimer = null;
  var markLastAt = 0;
  function resetReadMarks() {
    agentMsgSeq = {};
    readSent = {};
    agentReadSeq = {};
  }
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
  function canSeeMessages() {
    return isOpen && document.visibilityState !== "hidden";
  }
  function scheduleMarkRead() {
    if (markTimer || !ready || !canSeeMessages() || !chatIsOpen()) return;
    if (!((agentMsgSeq[chat.chat_id] || 0) > (readSent[chat.chat_id] || 0))) return;
    var wait = Math.max(0, MARK_READ_EVERY - (Date.now() - markLastAt));
    markTimer = setTimeout(function() {
      markTimer = null;
      flushMarkRead();
    }, wait);
  }
  function flushMarkRead() {
    if (!ready || !canSeeMessages() || !chatIsOpen()) return;
    var id = chat.chat_id;
    var seq = agentMsgSeq[id] || 0;
    if (!(seq > (readSent[id] || 0))) return;
    if (sendFrame("mark_read", { seq })) {
      readSent[id] = seq;
      markLastAt = Date.now();
    }
  }
  function sendActivity() {
    if (ready) sendFrame("activity", { active: document.visibilityState !== "hidden" });
  }

  // src/transcript_mail.js
  var mail = null;
  function buildTranscriptMail(r) {
    r.mailOpen = el(
      "button",
      { type: "button", class: "btn btn-link mail-open", "data-testid": "email-transcript-open" },
      [icon("mail", 16), el("span", { text: T.mailTranscript })]
    );
    r.mailAddress = el("input", {
      type: "email",
      class: "field",
      id: "lc-mail-address",
      "data-testid": "email-transcript-address",
      maxlength: MAX_EMAIL,
      autocomplete: "email",
      inputmode: "email",
      spellcheck: "false",
      required: true
    });
    r.mailSend = el("button", {
      type: "submit",
      class: "btn btn-primary",
      "data-testid": "email-transcript-send",
      text: T.mailSend
    });
    r.mailCancel = el("button", {
      type: "button",
      class: "btn btn-link",
      "data-testid": "email-transcript-cancel",
      text: T.mailCancel
    });
    r.mailForm = el("form", {
      class: "mail-form",
      "data-testid": "email-transcript-form",
      novalidate: true,
      hidden: true
    }, [
      el("div", { class: "card-text", id: "lc-mail-ask", text: T.mailAsk }),
      el("label", { class: "label", for: "lc-mail-address", text: T.mailAddress }),
      r.mailAddress,
      el("div", { class: "actions" }, [r.mailCancel, r.mailSend])
    ]);
    r.mailError = el("div", {
      class: "form-error",
      id: "lc-mail-error",
      "data-testid": "email-transcript-error",
      role: "alert",
      hidden: true
    });
    r.mailDoneText = el("span");
    r.mailDone = el(
      "div",
      {
        class: "done",
        "data-testid": "email-transcript-sent",
        role: "status",
        tabindex: "-1",
        hidden: true
      },
      [icon("check", 18), r.mailDoneText]
    );
    r.mail = el("div", {
      class: "card mail",
      "data-testid": "email-transcript",
      role: "group",
      "aria-label": T.mailTranscript,
      hidden: true
    }, [r.mailOpen, r.mailForm, r.mailError, r.mailDone]);
  }
  function current() {
    if (!chat || !chat.agentReplied) return null;
    if (!mail || mail.chat_id !== chat.chat_id) {
      mail = { chat_id: chat.chat_id, client_id: uuid(), status: "idle", asked: false };
    }
    return mail;
  }
  function updateTranscriptMail() {
    var m = current();
    ui.mail.hidden = !m;
    if (!m) return;
    var done = m.status === "sent" || m.status === "already";
    ui.mailOpen.hidden = done || m.status === "asking" || m.status === "sending" && m.asked;
    ui.mailOpen.disabled = m.status === "sending";
    ui.mailOpen.lastChild.textContent = m.status === "sending" && !m.asked ? T.mailSending : T.mailTranscript;
    ui.mailForm.hidden = !(m.status === "asking" || m.status === "sending" && m.asked);
    ui.mailSend.disabled = m.status === "sending";
    ui.mailSend.textContent = m.status === "sending" ? T.mailSending : T.mailSend;
    ui.mailDone.hidden = !done;
    ui.mailDoneText.textContent = m.status === "already" ? T.mailAlready : T.mailSent;
    if (done) ui.mailError.hidden = true;
  }
  function showError(text, onField) {
    ui.mailError.textContent = text;
    ui.mailError.hidden = false;
    if (onField) {
      ui.mailAddress.setAttribute("aria-invalid", "true");
      ui.mailAddress.setAttribute("aria-describedby", "lc-mail-error");
    }
  }
  async function requestMail(email) {
    var m = current();
    if (!m || m.status === "sending" || m.status === "sent" || m.status === "already") return;
    ui.mailError.hidden = true;
    ui.mailAddress.removeAttribute("aria-invalid");
    if (m.asked && (email.length > MAX_EMAIL || !EMAIL_RE.test(email))) {
      showError(T.mailBadEmail, true);
      ui.mailAddress.focus();
      return;
    }
    if (!ready) {
      showError(T.notConnected);
      return;
    }
    var payload = { client_id: m.client_id, chat_id: m.chat_id, lang: LANG };
    if (m.asked) payload.email = email;
    m.status = "sending";
    updateChrome();
    var focusAfter = null;
    try {
      var res = await request("email_transcript", payload);
      m.status = res && res.queued ? "sent" : "already";
    } catch (e) {
      m.status = m.asked ? "asking" : "idle";
      if (e.code === "email_required") {
        m.status = "asking";
        m.asked = true;
        focusAfter = ui.mailAddress;
      } else if (e.code === "rate_limited") {
        showError(T.tooManyTries);
      } else if (e.code === "invalid_payload" && m.asked) {
        showError(T.mailBadEmail, true);
        focusAfter = ui.mailAddress;
      } else if (e.code === "agent_reply_required") {
        showError(T.mailNotYet);
      } else {
        if (e.code === "client_id_conflict") m.client_id = uuid();
        showError(T.mailFailed);
      }
    }
    updateChrome();
    if (focusAfter && !focusAfter.hidden) focusAfter.focus();
    else if (m.status === "sent" || m.status === "already") ui.mailDone.focus();
  }
  function wireTranscriptMail() {
    ui.mailOpen.addEventListener("click", function() {
      requestMail("");
    });
    ui.mailForm.addEventListener("submit", function(e) {
      e.preventDefault();
      requestMail(ui.mailAddress.value.trim());
    });
    ui.mailCancel.addEventListener("click", function() {
      var m = current();
      if (!m || m.status !== "asking") return;
      m.status = "idle";
      m.asked = false;
      ui.mailError.hidden = true;
      updateChrome();
      ui.mailOpen.focus();
    });
    ui.mailAddress.addEventListener("input", function() {
      ui.mailAddress.removeAttribute("aria-invalid");
      if (mail && mail.status !== "sending") ui.mailError.hidden = true;
    });
  }
  function clearTranscriptMail() {
    mail = null;
  }

  // src/transcript.js
  var maxEventId = 0;
  var chat = null;
  var chatOrder = {};
  var chatCount = 0;
  var chatMaxSeq = {};
  var byEventId = {};
  var byClientId = {};
  var typingTimer = null;
  var queueInfo = null;
  function chatIsOpen() {
    return !!(chat && chat.state !== "closed");
  }
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
      if (k._lc.order < order || k._lc.order === order && k._lc.seq < seq) {
        after = k;
        break;
      }
    }
    var ref = after ? after.nextSibling : ui.list.firstChild;
    if (ref !== node) ui.list.insertBefore(node, ref);
    [node, node.nextElementSibling, oldNext].forEach(regroup);
  }
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
    node._lc = { bubble, meta, author, authorKey: kind + "\0" + name, kind };
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
      if (node._lc.failReason === T.tooLong) return;
      var retry = el("button", { type: "button", class: "retry", "data-testid": "retry", text: T.retry });
      retry.addEventListener("click", function() {
        retrySend(clientId);
      });
      meta.appendChild(retry);
    } else {
      meta.appendChild(el("time", { datetime: createdAt || null, text: formatTime(createdAt) }));
      if (receipt) meta.appendChild(ui.receipt);
    }
  }
  function renderPendingSend(item) {
    var node = buildBubble("visitor", "");
    renderText(node._lc.bubble, item.text);
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
    if (ev.audience && ev.audience !== "all") return;
    var seq = typeof ev.seq === "number" ? ev.seq : 0;
    if (typeof ev.event_id === "number") {
      if (ev.event_id > maxEventId) maxEventId = ev.event_id;
      if (byEventId[ev.event_id]) return;
    }
    if (!(chatMaxSeq[ev.chat_id] >= seq)) chatMaxSeq[ev.chat_id] = seq;
    if (ev.kind === "message") applyMessage(ev, registerChat(ev.chat_id), seq, live);
    else if (ev.kind === "chat_state") applyChatState(ev, registerChat(ev.chat_id), seq, live);
    else if (ev.kind === "rating") applyRating(ev);
    else if (ev.kind === "page_push") applyPagePush(ev, registerChat(ev.chat_id), seq);
    else if (ev.kind === "call") applyCallEvent(ev, registerChat(ev.chat_id), seq);
  }
  function applyMessage(ev, order, seq, live) {
    var author = ev.author && typeof ev.author === "object" ? ev.author : { kind: "system" };
    var kind = author.kind === "visitor" || author.kind === "agent" ? author.kind : "system";
    var text = typeof ev.text === "string" ? ev.text : "";
    var clientId = typeof ev.client_id === "string" ? ev.client_id : null;
    var node = kind === "visitor" && clientId ? byClientId[clientId] : null;
    if (!chat || chat.chat_id !== ev.chat_id && (chat.state === "closed" || order > chatOrder[chat.chat_id])) {
      chat = { chat_id: ev.chat_id, state: "incoming", agentName: "", stateSeq: -1 };
    }
    mutate(function() {
      if (node && node._lc.seqKnown) return;
      if (!node) {
        var name = kind === "agent" ? author.name || T.agent : kind === "system" ? author.name || "" : "";
        node = buildBubble(kind, name);
        renderText(node._lc.bubble, text);
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
      if (chat && chat.chat_id === ev.chat_id && !chat.agentReplied) {
        chat.agentReplied = true;
        updateChrome();
      }
      hideTyping();
      if (live && !isOpen) countUnread();
      if (!(agentMsgSeq[ev.chat_id] >= seq)) agentMsgSeq[ev.chat_id] = seq;
      scheduleMarkRead();
    } else if (kind === "visitor") {
      showReceipt();
    }
  }
  function applyChatState(ev, order, seq, live) {
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
    } else if (ev.state !== "closed" && (!chat || chat.state === "closed" || order > chatOrder[chat.chat_id])) {
      chat = {
        chat_id: ev.chat_id,
        state: ev.state,
        agentName,
        stateSeq: seq,
        hadAgent: ev.state === "taken"
      };
      applied = true;
    }
    if (applied && ev.state !== "queued" && ev.state !== "incoming" && queueInfo && queueInfo.chat_id === ev.chat_id) {
      queueInfo = null;
    }
    var text = null;
    if (ev.state === "taken") text = fmt(transferred ? T.takenOver : T.joined, { name: agentName || T.agent });
    else if (ev.state === "queued" && transferred) text = T.transferring;
    else if (ev.state === "closed") text = ev.reason === "inactive" ? T.endedInactive : T.ended;
    if (text !== null) {
      mutate(function() {
        var node = el("div", {
          class: "notice",
          "data-testid": "chat-event",
          "data-state": ev.state,
          "data-seq": String(seq),
          dir: "auto",
          text
        });
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
    if (live && call && call.chatId === ev.chat_id && call.phase !== "ended" && (ev.state === "closed" || ev.state === "queued" || transferred)) {
      endCall("chat_ended", "system", null);
    }
    updateChrome();
  }
  function markChatEndedLocally() {
    if (!chatIsOpen()) return;
    chat.state = "closed";
    offerRating();
    mutate(function() {
      var node = el("div", { class: "notice", "data-testid": "chat-event", "data-state": "closed", text: T.ended });
      node._lc = { authorKey: null, pendingSend: false, order: chatOrder[chat.chat_id], seq: Infinity };
      var kids = ui.list.children;
      var ref = null;
      for (var i = 0; i < kids.length; i++) if (kids[i]._lc && kids[i]._lc.pendingSend) {
        ref = kids[i];
        break;
      }
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
    forgetFailed();
    maxEventId = 0;
    queueInfo = null;
    resetReadMarks();
    clearRating();
    clearTranscriptMail();
    resetPagePushes();
    if (ui.receipt.parentNode) ui.receipt.parentNode.removeChild(ui.receipt);
    hideTyping();
    outbox.forEach(renderPendingSend);
    updateChrome();
  }
  function onQueuePosition(p) {
    if (!chat || p.chat_id !== chat.chat_id || typeof p.position !== "number") return;
    if (chat.state !== "queued" && chat.state !== "incoming") return;
    queueInfo = { chat_id: p.chat_id, position: p.position, wait: typeof p.estimated_wait === "number" ? p.estimated_wait : 0 };
    var stick = nearBottom();
    updateChrome();
    if (stick) scrollToBottom();
  }
  function onTyping(p) {
    if (!p || !p.author || p.author.kind !== "agent") return;
    if (chat && p.chat_id && p.chat_id !== chat.chat_id) return;
    if (p.typing) {
      var stick = nearBottom();
      ui.typingText.textContent = fmt(T.typing, { name: p.author.name || T.agent });
      ui.typing.hidden = false;
      if (stick) scrollToBottom();
      clearTimeout(typingTimer);
      typingTimer = setTimeout(hideTyping, TYPING_TTL);
    } else {
      hideTyping();
    }
  }
  function hideTyping() {
    clearTimeout(typingTimer);
    typingTimer = null;
    if (ui) ui.typing.hidden = true;
  }
  function adoptSummary(s) {
    var order = registerChat(s.chat_id);
    if (!chat || chat.chat_id !== s.chat_id) {
      if (!chat || chat.state === "closed" || order >= chatOrder[chat.chat_id]) {
        chat = {
          chat_id: s.chat_id,
          state: s.state,
          agentName: s.agent && s.agent.name || "",
          stateSeq: -1,
          hadAgent: !!s.agent
        };
      }
    }
    if (chat.chat_id === s.chat_id && s.agent) chat.hadAgent = true;
    if (typeof s.visitor_read_seq === "number") readSent[s.chat_id] = s.visitor_read_seq;
    if (typeof s.agent_read_seq === "number" && !(agentReadSeq[s.chat_id] >= s.agent_read_seq)) {
      agentReadSeq[s.chat_id] = s.agent_read_seq;
      showReceipt();
    }
    updateChrome();
  }

  // src/rating.js
  var rating = null;
  function buildRating(r) {
    r.rateGood = el(
      "button",
      { type: "button", class: "rate good", "data-testid": "rate-good", "aria-pressed": "false" },
      [icon("good", 16), el("span", { text: T.rateGood })]
    );
    r.rateBad = el(
      "button",
      { type: "button", class: "rate bad", "data-testid": "rate-bad", "aria-pressed": "false" },
      [icon("bad", 16), el("span", { text: T.rateBad })]
    );
    r.rateComment = el("textarea", {
      class: "field",
      "data-testid": "rating-comment",
      rows: 2,
      maxlength: MAX_COMMENT,
      "aria-label": T.rateComment,
      placeholder: T.rateComment
    });
    r.rateError = el("div", { class: "form-error", "data-testid": "rating-error", role: "alert", hidden: true });
    r.rateSkip = el("button", { type: "button", class: "btn btn-link", "data-testid": "rating-skip", text: T.rateSkip });
    r.rateSubmit = el("button", {
      type: "button",
      class: "btn btn-primary",
      "data-testid": "rating-submit",
      text: T.rateSubmit,
      disabled: true
    });
    r.rating = el("div", {
      class: "card rating",
      "data-testid": "rating",
      role: "group",
      "aria-labelledby": "lc-rate-title",
      hidden: true
    }, [
      el("div", { class: "card-title", id: "lc-rate-title", text: T.ratePrompt }),
      el("div", { class: "rate-row" }, [r.rateGood, r.rateBad]),
      r.rateComment,
      r.rateError,
      el("div", { class: "actions" }, [r.rateSkip, r.rateSubmit])
    ]);
    r.ratingThanks = el(
      "div",
      { class: "card done", "data-testid": "rating-thanks", role: "status", hidden: true },
      [icon("check", 18), el("span", { text: T.rateThanks })]
    );
  }
  function offerRating() {
    if (!chat || !chat.hadAgent || rating && rating.chat_id === chat.chat_id) return;
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
      var res = await request("rate_chat", {
        client_id: r.client_id,
        rating: r.choice,
        comment: ui.rateComment.value.trim().slice(0, MAX_COMMENT)
      });
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
  function wireRating() {
    ui.rateGood.addEventListener("click", function() {
      chooseRating("good");
    });
    ui.rateBad.addEventListener("click", function() {
      chooseRating("bad");
    });
    ui.rateSubmit.addEventListener("click", submitRating);
    ui.rateSkip.addEventListener("click", function() {
      rating = null;
      updateChrome();
      focusComposer();
    });
  }
  function clearRating() {
    rating = null;
  }
  function applyRating(ev) {
    if (rating && rating.chat_id === ev.chat_id && ev.author && ev.author.kind === "visitor") {
      rating.status = "done";
      updateChrome();
    }
  }

  // src/storage.js
  var memory = {};
  var store = {
    get: function(key) {
      try {
        var v = window.localStorage.getItem(key);
        if (v !== null) return v;
      } catch (e) {
      }
      return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null;
    },
    set: function(key, value) {
      memory[key] = value;
      try {
        window.localStorage.setItem(key, value);
      } catch (e) {
      }
    },
    del: function(key) {
      delete memory[key];
      try {
        window.localStorage.removeItem(key);
      } catch (e) {
      }
    }
  };
  var session = {
    get: function(key) {
      try {
        return window.sessionStorage.getItem(key);
      } catch (e) {
        return null;
      }
    },
    set: function(key, value) {
      try {
        window.sessionStorage.setItem(key, value);
      } catch (e) {
      }
    }
  };
  var K_TOKEN = null;
  var K_OUTBOX = null;
  var K_NAME = null;
  var K_OPEN = null;
  var K_AVAILABLE = null;
  var K_OFFLINE_SENT = null;
  var K_INVITES = null;
  var K_CALL = null;
  var K_CALL_CARRY = null;
  function useSiteKeys(siteId2) {
    var key = "livechat:" + siteId2 + ":";
    K_TOKEN = key + "token";
    K_OUTBOX = key + "outbox";
    K_NAME = key + "name";
    K_OPEN = key + "open";
    K_AVAILABLE = key + "available";
    K_OFFLINE_SENT = key + "offline-sent";
    K_INVITES = key + "invitations";
    K_CALL = key + "call";
    K_CALL_CARRY = key + "call-carry";
  }

  // src/outbox.js
  var outbox = [];
  var failed = {};
  var pumping = false;
  function restoreOutbox() {
    outbox = loadOutbox();
  }
  function loadOutbox() {
    var raw = store.get(K_OUTBOX);
    if (!raw) return [];
    try {
      var items = JSON.parse(raw);
      if (!Array.isArray(items)) return [];
      var now = Date.now();
      return items.filter(function(it) {
        return it && typeof it.client_id === "string" && it.client_id.length >= 8 && it.client_id.length <= 64 && typeof it.text === "string" && it.text.length > 0 && it.text.length <= MAX_TEXT && (it.name === null || it.name === void 0 || typeof it.name === "string") && (it.invitation_id === void 0 || typeof it.invitation_id === "string" && it.invitation_id.length <= 64) && typeof it.at === "number" && now - it.at < OUTBOX_MAX_AGE;
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
    outbox = outbox.filter(function(it) {
      return it.client_id !== clientId;
    });
    if (outbox.length !== before) saveOutbox();
  }
  function forgetFailed() {
    failed = {};
  }
  function sleep(ms) {
    return new Promise(function(resolve) {
      setTimeout(resolve, ms);
    });
  }
  function enqueueSend(text, name, invitationId) {
    if (text.length > MAX_TEXT) text = text.slice(0, MAX_TEXT);
    var item = { client_id: uuid(), text, name: name || null, at: Date.now() };
    if (invitationId) item.invitation_id = invitationId;
    clearRating();
    var node;
    mutate(function() {
      node = renderPendingSend(item);
    }, true);
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
    if (item.invitation_id) p.invitation_id = item.invitation_id;
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
    if (item.conflict) {
      item = { client_id: uuid(), text: item.text, name: item.name, at: Date.now(), invitation_id: item.invitation_id };
    }
    item.tries = 0;
    mutate(function() {
      renderPendingSend(item);
    }, true);
    outbox.push(item);
    saveOutbox();
    pump();
  }
  function pump() {
    if (pumping || !ready) return;
    pumping = true;
    var gen = connGen;
    (async function() {
      while (ready && gen === connGen) {
        var item = null;
        for (var i = 0; i < outbox.length; i++) if (!failed[outbox[i].client_id]) {
          item = outbox[i];
          break;
        }
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
            await sleep(Math.max(1, e.retryAfter || 2) * 1e3);
          } else if (PERMANENT_SEND.indexOf(e.code) >= 0 || item.tries > 5) {
            if (e.code === "client_id_conflict") item.conflict = true;
            markFailed(item, null, e.code === "frame_too_large" ? T.tooLong : T.failed);
          } else {
            if (e.code === "chat_closed") markChatEndedLocally();
            await sleep(Math.min(8e3, 500 * Math.pow(2, item.tries)));
          }
        }
      }
    })().then(function() {
      pumping = false;
    }, function() {
      pumping = false;
    });
  }

  // src/site.js
  var script = null;
  var siteId = "";
  var wsUrl = "";
  function findScript() {
    return document.currentScript || (function() {
      var all = document.querySelectorAll("script[data-site]");
      for (var i = all.length - 1; i >= 0; i--) {
        if (/\/widget\.js(\?|#|$)/.test(all[i].src)) return all[i];
      }
      return null;
    })();
  }
  function useScript(tag) {
    script = tag;
    siteId = script.getAttribute("data-site") || "";
    var srcUrl = new URL(script.src, document.baseURI);
    wsUrl = (srcUrl.protocol === "https:" ? "wss://" : "ws://") + srcUrl.host + "/ws/visitor";
  }

  // src/invitations.js
  var invitation = null;
  function buildGreeting(r) {
    r.greetAvatar = el("div", { class: "g-avatar", "aria-hidden": "true" });
    r.greetAgent = el("div", { class: "g-agent", "data-testid": "greeting-agent", dir: "auto" });
    r.greetDismiss = el("button", {
      type: "button",
      class: "g-close",
      "data-testid": "greeting-dismiss",
      "aria-label": T.greetingDismiss,
      title: T.greetingDismiss
    }, [icon("close", 16)]);
    r.greetText = el("div", { class: "g-text", "data-testid": "greeting-text", dir: "auto" });
    r.greetInput = el("input", {
      type: "text",
      class: "g-input",
      "data-testid": "greeting-reply-input",
      maxlength: MAX_TEXT,
      "aria-label": T.greetingReply,
      placeholder: T.greetingReply,
      enterkeyhint: "send"
    });
    r.greetSend = el("button", {
      type: "submit",
      class: "g-send",
      "data-testid": "greeting-reply-send",
      "aria-label": T.greetingSend,
      title: T.greetingSend,
      disabled: true
    }, [icon("send", 16)]);
    r.greeting = el("form", {
      class: "greeting",
      "data-testid": "greeting",
      role: "region",
      novalidate: true,
      hidden: true
    }, [
      el("div", { class: "g-head" }, [r.greetAvatar, r.greetAgent, r.greetDismiss]),
      r.greetText,
      el("div", { class: "g-compose" }, [r.greetInput, r.greetSend])
    ]);
  }
  function answeredInvitations() {
    try {
      var done = JSON.parse(store.get(K_INVITES) || "{}");
      return done && typeof done === "object" && !Array.isArray(done) ? done : {};
    } catch (e) {
      return {};
    }
  }
  function rememberInvitation(id, how) {
    var done = answeredInvitations();
    delete done[id];
    done[id] = how;
    var ids = Object.keys(done);
    ids.slice(0, Math.max(0, ids.length - 20)).forEach(function(old) {
      delete done[old];
    });
    store.set(K_INVITES, JSON.stringify(done));
  }
  function showInvitation(inv) {
    if (!inv || typeof inv !== "object" || typeof inv.invitation_id !== "string" || !inv.invitation_id) return;
    var id = inv.invitation_id.slice(0, 64);
    var done = answeredInvitations()[id];
    if (done === "dismissed") {
      sendFrame("dismiss_invitation", { invitation_id: id });
      return;
    }
    if (done) return;
    invitation = { invitation_id: id };
    var agentName = scalarText(inv.agent_name, MAX_NAME).trim();
    var initials = scalarText(inv.agent_initials, 3).trim();
    var who = agentName || script.getAttribute("data-title") || T.team;
    ui.greetAvatar.textContent = "";
    if (initials) ui.greetAvatar.textContent = initials;
    else ui.greetAvatar.appendChild(icon("chat", 18));
    ui.greetAgent.textContent = who;
    ui.greetText.textContent = scalarText(inv.text, MAX_GREETING);
    ui.greeting.setAttribute("aria-label", fmt(T.greeting, { name: who }));
    ui.greeting.setAttribute("data-invitation-id", id);
    ui.greeting.hidden = false;
    placeGreeting();
  }
  function placeGreeting() {
    if (!ui || ui.greeting.hidden) return;
    var inline = isOpen;
    ui.greeting.classList.toggle("inline", inline);
    if (inline && ui.greeting.parentNode !== ui.body) {
      ui.body.insertBefore(ui.greeting, ui.rating);
      scrollToBottom();
    } else if (!inline && ui.greeting.parentNode !== ui.root) {
      ui.root.insertBefore(ui.greeting, ui.launcher);
    }
  }
  function finishInvitation(how) {
    if (!invitation) return;
    rememberInvitation(invitation.invitation_id, how);
    invitation = null;
    ui.greeting.hidden = true;
    ui.greeting.removeAttribute("data-invitation-id");
  }
  function replyToInvitation() {
    if (!invitation) return;
    var text = ui.greetInput.value;
    if (text.trim() === "") return;
    var id = invitation.invitation_id;
    finishInvitation("replied");
    ui.greetInput.value = "";
    ui.greetSend.disabled = true;
    setOpen(true, true);
    enqueueSend(text, "", id);
  }
  function dismissInvitation() {
    if (!invitation) return;
    var id = invitation.invitation_id;
    var hadFocus = !!ui.shadow.activeElement && ui.greeting.contains(ui.shadow.activeElement);
    finishInvitation("dismissed");
    sendFrame("dismiss_invitation", { invitation_id: id });
    if (hadFocus) ui.launcher.focus();
  }
  function wireGreeting() {
    ui.greeting.addEventListener("submit", function(e) {
      e.preventDefault();
      replyToInvitation();
    });
    ui.greetInput.addEventListener("input", function() {
      ui.greetSend.disabled = ui.greetInput.value.trim() === "";
    });
    ui.greetDismiss.addEventListener("click", dismissInvitation);
  }

  // src/offline.js
  var agentsAvailable = true;
  var offlineSent = false;
  var offlineClientId = null;
  var offlineBusy = false;
  function restoreAvailability() {
    agentsAvailable = session.get(K_AVAILABLE) !== "0";
    offlineSent = session.get(K_OFFLINE_SENT) === "1";
  }
  function buildOffline(r) {
    r.offName = el("input", {
      type: "text",
      class: "field",
      id: "lc-off-name",
      "data-testid": "offline-name",
      maxlength: MAX_NAME,
      autocomplete: "name"
    });
    if (visitorName) r.offName.value = visitorName;
    r.offEmail = el("input", {
      type: "email",
      class: "field",
      id: "lc-off-email",
      "data-testid": "offline-email",
      maxlength: MAX_EMAIL,
      autocomplete: "email",
      required: true,
      inputmode: "email",
      spellcheck: "false"
    });
    r.offText = el("textarea", {
      class: "field",
      id: "lc-off-text",
      "data-testid": "offline-message",
      rows: 4,
      maxlength: MAX_TEXT,
      required: true
    });
    r.offError = el("div", {
      class: "form-error",
      id: "lc-off-error",
      "data-testid": "offline-error",
      role: "alert",
      hidden: true
    });
    r.offSend = el("button", {
      type: "submit",
      class: "btn btn-primary",
      "data-testid": "offline-send",
      text: T.offlineSend
    });
    r.offline = el("form", {
      class: "card offline",
      "data-testid": "offline-form",
      novalidate: true,
      "aria-labelledby": "lc-off-title",
      hidden: true
    }, [
      el("div", { class: "card-title", id: "lc-off-title" }, [icon("mail", 18), el("span", { text: T.offlineTitle })]),
      el("div", { class: "card-text", text: T.offlineText }),
      el("label", { class: "label", for: "lc-off-name", text: T.offlineName }),
      r.offName,
      el("label", { class: "label", for: "lc-off-email", text: T.offlineEmail }),
      r.offEmail,
      el("label", { class: "label", for: "lc-off-text", text: T.offlineMessage }),
      r.offText,
      r.offError,
      el("div", { class: "actions" }, [r.offSend])
    ]);
    r.offlineSent = el(
      "div",
      { class: "card done", "data-testid": "offline-sent", role: "status", hidden: true },
      [icon("check", 18), el("span", { text: T.offlineSent })]
    );
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
    [ui.offEmail, ui.offText].forEach(function(f) {
      f.removeAttribute("aria-invalid");
    });
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
    if (!offlineClientId) offlineClientId = uuid();
    offlineBusy = true;
    ui.offSend.disabled = true;
    ui.offSend.textContent = T.offlineSending;
    try {
      await request("offline_message", { client_id: offlineClientId, name, email, text: text.slice(0, MAX_TEXT) });
      offlineClientId = null;
      offlineSent = true;
      session.set(K_OFFLINE_SENT, "1");
      ui.offText.value = "";
      if (name && !visitorName) {
        setVisitorName(name);
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
  function wireOffline() {
    ui.offline.addEventListener("submit", function(e) {
      e.preventDefault();
      submitOffline();
    });
    [ui.offEmail, ui.offText].forEach(function(field) {
      field.addEventListener("input", function() {
        field.removeAttribute("aria-invalid");
        if (!offlineBusy) ui.offError.hidden = true;
      });
    });
  }

  // src/reconnect.js
  var GOING_AWAY_CODES = [1001, 1012];
  var GOING_AWAY_MAX_STREAK = 3;
  function reconnectDelay(code, attempt2, streak, random) {
    if (GOING_AWAY_CODES.indexOf(code) >= 0 && streak < GOING_AWAY_MAX_STREAK) {
      return random() * DRAIN_RECONNECT_MAX;
    }
    return random() * Math.min(BACKOFF_MAX, BACKOFF_MIN * Math.pow(2, attempt2));
  }

  // src/site_data.js
  var siteData = {};
  var siteSent = {};
  var SITE_ACTIONS = ["identify", "custom_data", "cart"];
  function fitted(action, make) {
    var caps = [Infinity, 200, 50, 10, 0];
    for (var i = 0; i < caps.length; i++) {
      var payload = make(caps[i]);
      if (byteLength(sendFrameText(action, "w0000000", payload)) <= MAX_FRAME - 256) return payload;
    }
    return null;
  }
  function identifyPayload(who) {
    return {
      name: scalarText(who.name, MAX_SHORT),
      email: scalarText(who.email, MAX_SHORT),
      phone: scalarText(who.phone, MAX_SHORT),
      external_id: scalarText(who.id, MAX_SHORT)
    };
  }
  function customDataPayload(data) {
    var keys = Object.keys(data).slice(0, MAX_CUSTOM_FIELDS);
    return fitted("custom_data", function(cap) {
      var out = {};
      keys.forEach(function(key) {
        var value = data[key];
        var text = "";
        if (value !== null && typeof value === "object") {
          try {
            text = JSON.stringify(value) || "";
          } catch (e) {
            text = "";
          }
        } else {
          text = scalarText(value, MAX_VALUE);
        }
        out[cutText(key, MAX_LABEL)] = cutText(text, Math.min(MAX_VALUE, cap));
      });
      return { data: out };
    });
  }
  function cartPayload(cart) {
    var raw = Array.isArray(cart.items) ? cart.items.slice(0, MAX_CART_ITEMS) : [];
    return fitted("cart", function(cap) {
      var items = [];
      var sum = 0;
      raw.forEach(function(it) {
        if (!it || typeof it !== "object") return;
        var quantity = it.quantity === void 0 ? 1 : Math.floor(amount(it.quantity, 1e6));
        var item = {
          name: scalarText(it.name, Math.min(MAX_TITLE, cap)),
          price: amount(it.price, 1e9),
          quantity
        };
        sum += item.price * item.quantity;
        items.push(item);
      });
      var total = cart.total === void 0 || cart.total === null ? Math.min(sum, 1e12) : amount(cart.total, 1e12);
      return { items, total, currency: scalarText(cart.currency, MAX_LABEL) };
    });
  }
  function setSiteData(action, payload) {
    if (!payload) return;
    siteData[action] = payload;
    flushSiteData();
  }
  function siteDataAfterLogin() {
    siteSent = {};
    flushSiteData();
  }
  function flushSiteData() {
    if (!loggedIn) return;
    SITE_ACTIONS.forEach(function(action) {
      if (!siteData[action]) return;
      var text = JSON.stringify(siteData[action]);
      if (siteSent[action] !== text && sendFrame(action, siteData[action])) siteSent[action] = text;
    });
  }
  var API = {
    identify: function(who) {
      if (who && typeof who === "object") setSiteData("identify", identifyPayload(who));
    },
    setCustomData: function(data) {
      if (data && typeof data === "object" && !Array.isArray(data)) setSiteData("custom_data", customDataPayload(data));
    },
    setCart: function(cart) {
      if (cart && typeof cart === "object") setSiteData("cart", cartPayload(cart));
    }
  };
  function runQueue() {
    var queue = window.LiveChatWidgetQueue;
    var run = function(call2) {
      if (!call2 || typeof call2 !== "object" || typeof call2.length !== "number") return;
      var fn = Object.prototype.hasOwnProperty.call(API, call2[0]) ? API[call2[0]] : null;
      if (fn) {
        try {
          fn(call2[1]);
        } catch (e) {
        }
      }
    };
    if (Array.isArray(queue)) queue.forEach(run);
    try {
      window.LiveChatWidgetQueue = { push: function() {
        for (var i = 0; i < arguments.length; i++) run(arguments[i]);
      } };
    } catch (e) {
    }
  }

  // src/tracking.js
  function describeDevice(ua, uaData, touchPoints) {
    ua = typeof ua === "string" ? ua : "";
    var os = "";
    var browser = "";
    var cls = "";
    if (uaData && typeof uaData === "object") {
      var platform = typeof uaData.platform === "string" ? uaData.platform : "";
      os = { "Chrome OS": "ChromeOS", "Chromium OS": "ChromeOS", "Mac OS X": "macOS" }[platform] || platform;
      var brands = Array.isArray(uaData.brands) ? uaData.brands.map(function(b) {
        return b && b.brand;
      }) : [];
      var known = [
        ["Microsoft Edge", "Edge"],
        ["Opera", "Opera"],
        ["Samsung Internet", "Samsung Internet"],
        ["Google Chrome", "Chrome"],
        ["Chromium", "Chrome"]
      ];
      for (var i = 0; i < known.length && !browser; i++) if (brands.indexOf(known[i][0]) >= 0) browser = known[i][1];
      if (uaData.mobile === true) cls = "mobile";
      else if (os === "Android" || os === "iOS") cls = "tablet";
      else if (os) cls = "desktop";
    }
    var appleTouch = /Macintosh/.test(ua) && touchPoints > 1;
    if (!os) {
      if (/Windows/.test(ua)) os = "Windows";
      else if (/iPhone|iPad|iPod/.test(ua) || appleTouch) os = "iOS";
      else if (/Android/.test(ua)) os = "Android";
      else if (/CrOS/.test(ua)) os = "ChromeOS";
      else if (/Mac OS X|Macintosh/.test(ua)) os = "macOS";
      else if (/Linux/.test(ua)) os = "Linux";
    }
    if (!browser) {
      if (/SamsungBrowser\//.test(ua)) browser = "Samsung Internet";
      else if (/Edg(e|A|iOS)?\//.test(ua)) browser = "Edge";
      else if (/OPR\/|Opera/.test(ua)) browser = "Opera";
      else if (/Firefox\/|FxiOS\//.test(ua)) browser = "Firefox";
      else if (/Chrome\/|CriOS\/|Chromium\//.test(ua)) browser = "Chrome";
      else if (/Safari\//.test(ua) && /Version\//.test(ua)) browser = "Safari";
    }
    if (!cls) {
      if (/iPad|Tablet/.test(ua) || appleTouch || /Android/.test(ua) && !/Mobile/.test(ua)) cls = "tablet";
      else if (/Mobi|iPhone|iPod|Android/.test(ua)) cls = "mobile";
      else if (os) cls = "desktop";
      else cls = "unknown";
    }
    return { device_class: cls, os: cutText(os, MAX_LABEL), browser: cutText(browser, MAX_LABEL) };
  }
  function deviceInfo() {
    var d = describeDevice(navigator.userAgent, navigator.userAgentData, navigator.maxTouchPoints || 0);
    d.language = scalarText(navigator.language, MAX_LABEL);
    try {
      d.time_zone = scalarText(Intl.DateTimeFormat().resolvedOptions().timeZone, MAX_LABEL);
    } catch (e) {
      d.time_zone = "";
    }
    return d;
  }
  var pageUrl = location.href;
  var pageReferrer = document.referrer;
  var loginPageUrl = null;
  var pageTimer = null;
  function loggedInWithPage(url) {
    loginPageUrl = url;
  }
  function currentPage() {
    return {
      url: cutText(pageUrl, MAX_URL),
      title: scalarText(document.title, MAX_TITLE),
      referrer: cutText(pageReferrer || "", MAX_URL)
    };
  }
  function onNavigation() {
    clearTimeout(pageTimer);
    pageTimer = setTimeout(function() {
      pageTimer = null;
      if (location.href === pageUrl) return;
      pageReferrer = pageUrl;
      pageUrl = location.href;
      if (loggedIn) sendPageView();
    }, PAGE_VIEW_DEBOUNCE);
  }
  function sendPageView() {
    if (loginPageUrl !== pageUrl && sendFrame("page_view", currentPage())) loginPageUrl = pageUrl;
  }
  function watchNavigation() {
    ["pushState", "replaceState"].forEach(function(name) {
      var original = history[name];
      if (typeof original !== "function") return;
      history[name] = function() {
        var result = original.apply(this, arguments);
        onNavigation();
        return result;
      };
    });
    window.addEventListener("popstate", onNavigation);
    window.addEventListener("hashchange", onNavigation);
  }

  // src/connection.js
  var ws = null;
  var connGen = 0;
  var loggedIn = false;
  var ready = false;
  var everReady = false;
  var attempt = 0;
  var goingAwayStreak = 0;
  var reconnectTimer = null;
  var lastFrameAt = 0;
  var reqSeq = 0;
  var pending = {};
  var visitorId = null;
  var loginCursor = 0;
  function protoError(code, message, retryAfter) {
    var e = new Error(message || code);
    e.code = code;
    e.retryAfter = typeof retryAfter === "number" ? retryAfter : null;
    return e;
  }
  function sendFrameText(action, reqId, payload) {
    return JSON.stringify({ v: PROTOCOL, type: "req", action, req_id: reqId, payload });
  }
  function sendFrame(action, payload) {
    if (!ws || ws.readyState !== 1) return false;
    try {
      ws.send(sendFrameText(action, "w" + ++reqSeq, payload));
      return true;
    } catch (e) {
      return false;
    }
  }
  function request(action, payload, timeout) {
    return new Promise(function(resolve, reject) {
      if (!ws || ws.readyState !== 1) return reject(protoError("disconnected"));
      var id = "w" + ++reqSeq;
      var text = sendFrameText(action, id, payload);
      if (byteLength(text) > MAX_FRAME) return reject(protoError("frame_too_large"));
      var timer = setTimeout(function() {
        delete pending[id];
        reject(protoError("timeout"));
      }, timeout || REQUEST_TIMEOUT);
      pending[id] = { resolve, reject, timer };
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
    Object.keys(all).forEach(function(id) {
      clearTimeout(all[id].timer);
      all[id].reject(protoError("disconnected"));
    });
  }
  function onFrame(data) {
    lastFrameAt = Date.now();
    if (typeof data !== "string") return;
    var f;
    try {
      f = JSON.parse(data);
    } catch (e) {
      return;
    }
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
    else if (f.action === "invitation") showInvitation(payload);
    else if (f.action === "call_incoming") onCallIncoming(payload);
    else if (f.action === "call_state") onCallState(payload);
    else if (f.action === "call_signal") onCallSignal(payload);
    else if (f.action === "call_media") onCallMedia(payload);
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
    lastFrameAt = Date.now();
    sock.onopen = function() {
      if (ws !== sock) return;
      lastFrameAt = Date.now();
      startSession(gen);
    };
    sock.onmessage = function(e) {
      if (ws === sock) onFrame(e.data);
    };
    sock.onerror = function() {
    };
    sock.onclose = function(e) {
      if (ws !== sock) return;
      var delay = reconnectDelay(e.code, attempt, goingAwayStreak, Math.random);
      if (GOING_AWAY_CODES.indexOf(e.code) >= 0) goingAwayStreak++;
      dropSocket(delay);
    };
  }
  function dropSocket(delay, state) {
    var sock = ws;
    ws = null;
    ready = false;
    loggedIn = false;
    connGen++;
    if (sock) {
      sock.onopen = sock.onmessage = sock.onclose = sock.onerror = null;
      try {
        sock.close(1e3);
      } catch (e) {
      }
    }
    failPending();
    hideTyping();
    peekReset();
    setConnState(state || (navigator.onLine === false ? "offline" : everReady ? "reconnecting" : "connecting"));
    scheduleReconnect(delay);
  }
  function scheduleReconnect(delay) {
    clearTimeout(reconnectTimer);
    var wait = typeof delay === "number" ? delay : reconnectDelay(void 0, attempt, 0, Math.random);
    attempt = Math.min(attempt + 1, 16);
    reconnectTimer = setTimeout(connect, wait);
  }
  async function startSession(gen) {
    var token = store.get(K_TOKEN);
    var login;
    try {
      var lp = { site_id: siteId, protocol: PROTOCOL, page: currentPage(), device: deviceInfo() };
      if (token) lp.visitor_token = token;
      if (call && call.phase !== "ended") lp.call_id = call.id;
      else if (reloadedCallId) lp.reloaded_call_id = reloadedCallId;
      var sentUrl = pageUrl;
      login = await request("login", lp, LOGIN_TIMEOUT);
    } catch (e) {
      if (gen !== connGen) return;
      if (e.code === "invalid_token" && token) {
        if (store.get(K_TOKEN) === token) store.del(K_TOKEN);
        visitorId = null;
        resetConversation();
        attempt = 0;
        dropSocket(0);
      } else if (FATAL_LOGIN.indexOf(e.code) >= 0) {
        attempt = 16;
        dropSocket(void 0, "offline");
      } else if (e.code === "rate_limited") {
        dropSocket(Math.max(1, e.retryAfter || 5) * 1e3);
      } else {
        dropSocket();
      }
      return;
    }
    if (gen !== connGen) return;
    loggedIn = true;
    loggedInWithPage(sentUrl);
    useSiteOrigins(Array.isArray(login.site_origins) ? login.site_origins.filter(function(o) {
      return typeof o === "string";
    }) : []);
    siteDataAfterLogin();
    sendPageView();
    if (typeof login.visitor_token === "string" && login.visitor_token) store.set(K_TOKEN, login.visitor_token);
    if (visitorId && login.visitor_id !== visitorId) resetConversation();
    visitorId = login.visitor_id;
    if (typeof login.name === "string" && login.name) setVisitorName(login.name);
    loginCursor = typeof login.cursor === "number" ? login.cursor : 0;
    var summary = login.chat && typeof login.chat === "object" && login.chat.chat_id ? login.chat : null;
    if (login.invitation) showInvitation(login.invitation);
    try {
      if (summary) {
        if (chatIsOpen() && chat.chat_id !== summary.chat_id) chat.state = "closed";
        adoptSummary(summary);
      }
      setAvailability(login.agents_available !== false);
      if (summary) await loadTranscript(gen, summary.chat_id, chatMaxSeq[summary.chat_id] || 0);
      var cursor = summary ? Math.max(maxEventId, loginCursor) : maxEventId || loginCursor;
      try {
        await request("resume", { cursor });
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
      if (!summary) markChatEndedLocally();
    } catch (e) {
      if (gen === connGen) dropSocket();
      return;
    }
    ready = true;
    everReady = true;
    attempt = 0;
    goingAwayStreak = 0;
    setConnState("connected");
    if (ui.input.value) schedulePeek();
    sendActivity();
    scheduleMarkRead();
    pump();
  }
  async function loadTranscript(gen, chatId, afterSeq) {
    var after = afterSeq || 0;
    for (var page = 0; page < 100; page++) {
      var res = await request("transcript", { after_seq: after, limit: TRANSCRIPT_PAGE });
      if (gen !== connGen) throw protoError("disconnected");
      if (res.chat && res.chat.chat_id) adoptSummary(res.chat);
      var events = Array.isArray(res.events) ? res.events.slice() : [];
      events.sort(function(a, b) {
        return (a && a.seq) - (b && b.seq);
      });
      for (var i = 0; i < events.length; i++) applyEvent(events[i], false);
      if (events.length < TRANSCRIPT_PAGE && res.has_more !== true) break;
      if (!events.length) break;
      var last = events[events.length - 1].seq;
      if (!(last > after)) break;
      after = last;
    }
    scrollToBottom();
  }
  var lastPingAt = 0;
  function startTimers() {
    setInterval(function() {
      if (!ws) return;
      var now = Date.now();
      if (loggedIn && now - lastPingAt >= PING_EVERY) {
        lastPingAt = now;
        request("ping", {}).catch(function() {
        });
      }
      var silent = now - lastFrameAt > DEAD_AFTER;
      var pingUnanswered = lastPingAt > lastFrameAt && now - lastPingAt > 1e4;
      if (silent && (!loggedIn || pingUnanswered)) dropSocket();
    }, 5e3);
  }
  function reconnectNow() {
    attempt = 0;
    if (ws) dropSocket(0);
    else connect();
  }
  function watchNetwork() {
    window.addEventListener("online", function() {
      if (!ws) {
        attempt = 0;
        connect();
      }
    });
    window.addEventListener("offline", function() {
      if (!ready) setConnState("offline");
    });
    document.addEventListener("visibilitychange", function() {
      var visible = document.visibilityState !== "hidden";
      if (visible && !ws && reconnectTimer) {
        clearTimeout(reconnectTimer);
        reconnectTimer = setTimeout(connect, 200);
      }
      sendActivity();
      if (visible) scheduleMarkRead();
    });
  }

  // src/composer.js
  var visitorName = "";
  function restoreVisitorName() {
    visitorName = store.get(K_NAME) || "";
  }
  function setVisitorName(name) {
    visitorName = name;
  }
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
    sendFrame("sneak_peek", { text });
  }
  function schedulePeek() {
    if (peekTimer) return;
    var wait = PEEK_EVERY - (Date.now() - peekLastAt);
    if (wait <= 0) sendPeek(ui.input.value);
    else peekTimer = setTimeout(function() {
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
    var name = "";
    if (!ui.name.hidden) {
      name = ui.name.value.trim().slice(0, MAX_NAME);
      if (name) {
        visitorName = name;
        store.set(K_NAME, name);
      }
    }
    ui.input.value = "";
    autosize();
    peekNow("");
    var invitationId = null;
    if (invitation && !chatIsOpen()) {
      invitationId = invitation.invitation_id;
      finishInvitation("replied");
    }
    enqueueSend(text, name, invitationId);
  }
  function wireComposer() {
    ui.input.addEventListener("keydown", function(e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        submit();
      }
    });
    ui.input.addEventListener("input", onInput);
    ui.name.addEventListener("keydown", function(e) {
      if (e.key === "Enter" && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        ui.input.focus();
      }
    });
    ui.send.addEventListener("click", function() {
      submit();
      ui.input.focus();
    });
  }

  // src/styles.js
  var STYLE = [
    ":host{all:initial!important;display:block!important;position:fixed!important;right:0!important;",
    "bottom:0!important;left:auto!important;top:auto!important;width:0!important;height:0!important;",
    "margin:0!important;padding:0!important;border:0!important;overflow:visible!important;",
    "z-index:2147483000!important;visibility:visible!important;opacity:1!important;transform:none!important;",
    "filter:none!important;contain:none!important;pointer-events:auto!important}",
    ".root{--accent:#2f6fed;--accent2:#5a8dff;--ink:#1d2433;--muted:#687083;--line:#e2e6ee;--surface:#f4f6fa;",
    'font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Hiragino Sans",',
    '"Hiragino Kaku Gothic ProN","Noto Sans JP","Noto Sans CJK JP","Yu Gothic UI",Meiryo,IPAPGothic,sans-serif,',
    '"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji";',
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
    '.agent-name::before{content:"·";margin-right:6px}',
    ".dot{flex:none;width:8px;height:8px;border-radius:50%;background:#ffc24b;box-shadow:0 0 0 2px rgba(255,255,255,.25)}",
    ".conn[data-state=connected] .dot{background:#3ddc84}",
    ".conn[data-state=offline] .dot{background:#ff7a7a}",
    ".conn[data-state=connected][data-available=false] .dot{background:#c3c9d4}",
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
    '.receipt::before{content:"✓ ";color:var(--accent)}',
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
    /* "E-mail me this conversation" */
    ".mail{padding:8px 10px}",
    ".mail-open{gap:6px;color:var(--accent)}",
    ".mail-form{padding:4px 6px}",
    ".mail-form .card-text{margin-top:0}",
    ".mail .done{padding:6px}",
    ".mail .form-error{padding:0 6px 4px}",
    ".done{display:flex;align-items:center;gap:8px;font-size:13px;font-weight:600;color:#17663f}",
    ".done svg{flex:none}",
    /* links in messages (built with DOM APIs, http/https only) */
    ".bubble a{text-decoration:underline;text-underline-offset:2px;cursor:pointer;overflow-wrap:anywhere}",
    ".agent .bubble a{color:#1f57c3}",
    /* greeting (invitation): above the launcher while the window is closed, in the body while open */
    ".greeting{position:fixed;right:20px;bottom:92px;width:320px;max-width:calc(100vw - 40px);background:#fff;",
    "border:1px solid rgba(16,24,40,.08);border-radius:14px;padding:12px 12px 12px 14px;",
    "box-shadow:0 12px 32px rgba(16,24,40,.18),0 2px 6px rgba(16,24,40,.08);animation:pop .18s ease-out;",
    "transform-origin:bottom right}",
    ".greeting.inline{position:static;width:auto;max-width:none;flex:none;align-self:stretch;margin-top:14px;",
    "box-shadow:0 1px 2px rgba(16,24,40,.04);animation:none}",
    ".g-head{display:flex;align-items:center;gap:10px}",
    ".g-avatar{flex:none;width:34px;height:34px;border-radius:50%;color:#fff;font-size:13px;font-weight:700;",
    "background:linear-gradient(135deg,var(--accent),var(--accent2));display:flex;align-items:center;",
    "justify-content:center;overflow:hidden;white-space:nowrap}",
    ".g-agent{flex:1 1 auto;min-width:0;font-size:13px;font-weight:600;color:var(--ink);white-space:nowrap;",
    "overflow:hidden;text-overflow:ellipsis}",
    ".g-close{flex:none;width:28px;height:28px;border-radius:8px;color:var(--muted)}",
    ".g-close:hover{background:rgba(29,36,51,.06)}",
    ".g-text{margin-top:8px;font-size:14px;line-height:1.55;color:var(--ink);white-space:pre-wrap;",
    "overflow-wrap:anywhere;max-height:180px;overflow-y:auto;unicode-bidi:isolate}",
    ".g-compose{display:flex;align-items:center;gap:6px;margin-top:10px;padding:4px 4px 4px 10px;",
    "border:1px solid var(--line);border-radius:12px}",
    ".g-compose:focus-within{border-color:var(--accent);box-shadow:0 0 0 3px rgba(47,111,237,.15)}",
    ".g-input{flex:1 1 auto;height:32px;font-size:13px;color:var(--ink);background:transparent}",
    ".g-input::placeholder{color:#99a1b2;opacity:1}",
    ".g-input:focus-visible{outline:none}",
    ".g-send{flex:none;width:32px;height:32px;border-radius:9px;background:var(--accent);color:#fff}",
    ".g-send:disabled{background:#c8d1e3}",
    /* page push: the prompt, then a status line */
    ".push{flex:none;align-self:stretch;margin-top:12px;padding:12px 14px;background:#fff;border:1px solid var(--line);",
    "border-radius:12px;font-size:13px;line-height:1.55;color:var(--ink)}",
    ".push-title{display:flex;align-items:flex-start;gap:8px;font-weight:600}",
    ".push-title svg{color:var(--accent);margin-top:2px}",
    ".push-url{display:block;margin-top:6px;padding:6px 8px;border-radius:8px;background:var(--surface);",
    "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;color:#3b4354;",
    "overflow-wrap:anywhere;white-space:pre-wrap;direction:ltr;unicode-bidi:isolate}",
    ".push-error{margin-top:8px;font-size:12px;color:#b42318}",
    ".push.status{align-self:center;max-width:92%;padding:6px 12px;border:0;border-radius:12px;",
    "background:rgba(29,36,51,.06);color:var(--muted);font-size:12px;text-align:center}",
    ".push.status .push-url{display:inline;margin:0;padding:0;background:none;color:inherit}",
    ".push.status .push-error{margin-top:4px}",
    /* video call: a compact panel between the header and the transcript */
    ".call{flex:none;display:flex;flex-direction:column;gap:8px;padding:10px 12px;background:#fff;",
    "border-bottom:1px solid var(--line);box-shadow:0 1px 2px rgba(16,24,40,.04)}",
    ".call[data-state=incoming]{background:#f3f7ff;border-bottom-color:#c9d8fb}",
    ".call-head{display:flex;align-items:center;gap:8px;min-width:0;font-size:13px}",
    ".call-head>svg{color:var(--accent)}",
    ".call-title{flex:1 1 auto;min-width:0;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}",
    ".call-timer{flex:none;font-size:12px;color:var(--muted);font-variant-numeric:tabular-nums}",
    ".call-icon-btn{flex:none;width:28px;height:28px;border-radius:8px;color:var(--muted)}",
    ".call-icon-btn:hover{background:rgba(29,36,51,.06)}",
    ".call-state{font-size:12px;line-height:1.5;color:var(--muted);overflow-wrap:anywhere}",
    ".call[data-state=ended] .call-state{font-size:13px;color:var(--ink)}",
    ".call-who{font-size:14px;line-height:1.5;color:var(--ink);overflow-wrap:anywhere}",
    ".call-agent{font-weight:700;unicode-bidi:isolate}",
    ".call-notice{padding:6px 8px;border-radius:8px;background:#fff7e6;border:1px solid #f5dfb3;color:#6b4e16;",
    "font-size:12px;line-height:1.5;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".call-notice-title{display:block;font-weight:600}",
    ".call-actions{display:flex;gap:8px;margin-top:8px}",
    ".call-btn{flex:1 1 0;height:36px;gap:6px;border-radius:10px;font-size:13px;font-weight:600;color:#fff}",
    ".call-accept{background:#17803d}.call-accept:hover{background:#12662f}.call-accept:disabled{background:#a9c9b4}",
    ".call-decline{background:#d92d20}.call-decline:hover{background:#b42318}",
    ".call-stage{position:relative;height:150px;border-radius:10px;overflow:hidden;background:#0f1422}",
    ".call.collapsed .call-stage{display:none}",
    ".call-remote{display:block;width:100%;height:100%;object-fit:cover;background:#0f1422}",
    ".call-local{position:absolute;right:6px;bottom:6px;width:72px;height:54px;object-fit:cover;border-radius:6px;",
    "border:1px solid rgba(255,255,255,.6);background:#000;transform:scaleX(-1)}",
    ".call-remote-off{position:absolute;top:0;left:0;right:0;bottom:0;display:flex;align-items:center;",
    "justify-content:center;padding:8px;color:#d0d5e0;font-size:12px;text-align:center}",
    ".call-controls{display:flex;align-items:center;justify-content:center;gap:10px;margin-top:8px}",
    ".cbtn{width:38px;height:38px;border-radius:50%;background:var(--surface);color:var(--ink);",
    "border:1px solid var(--line);transition:background .12s}",
    ".cbtn:hover{background:#e9edf5}",
    ".cbtn[aria-pressed=false]{background:#fdecec;color:#b42318;border-color:#f4b9b3}",
    ".cbtn:disabled{opacity:.45}",
    ".cbtn.hang{width:46px;background:#d92d20;color:#fff;border-color:#d92d20;border-radius:19px}",
    ".cbtn.hang:hover{background:#b42318}",
    ".call-info{font-size:12px;line-height:1.5;color:#6b4e16;overflow-wrap:anywhere}",
    ".call-line{font-size:12px}"
  ].join("");

  // src/panel.js
  var ui = null;
  var isOpen = false;
  var connState = "connecting";
  var unread = 0;
  function mount() {
    ui = build();
    document.body.appendChild(ui.host);
  }
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
    r.connText = el("span", { class: "conn-text" });
    r.conn = el(
      "div",
      { class: "conn", "data-testid": "connection-state", role: "status", "aria-live": "polite" },
      [el("span", { class: "dot", "aria-hidden": "true" }), r.connText]
    );
    r.title = el("h2", { class: "title", id: "lc-title", text: titleText });
    r.endBtn = el("button", {
      type: "button",
      class: "hbtn",
      "data-testid": "end-chat",
      "aria-label": T.endChat,
      title: T.endChat,
      hidden: true
    }, [icon("end", 18)]);
    r.minBtn = el("button", {
      type: "button",
      class: "hbtn",
      "data-testid": "minimize",
      "aria-label": T.minimize,
      title: T.minimize
    }, [icon("down", 20)]);
    r.agentName = el("span", { class: "agent-name", "data-testid": "agent-name", dir: "auto", hidden: true });
    var header = el("div", { class: "header" }, [
      el("div", { class: "avatar", "aria-hidden": "true" }, [icon("chat", 20)]),
      el("div", { class: "titles" }, [r.title, el("div", { class: "subline" }, [r.conn, r.agentName])]),
      r.endBtn,
      r.minBtn
    ]);
    r.endYes = el("button", { type: "button", class: "btn btn-danger", "data-testid": "end-chat-yes", text: T.endYes });
    r.endNo = el("button", { type: "button", class: "btn btn-ghost", "data-testid": "end-chat-no", text: T.endNo });
    r.confirm = el(
      "div",
      {
        class: "confirm",
        "data-testid": "end-chat-confirm",
        role: "alertdialog",
        "aria-label": T.endConfirm,
        hidden: true
      },
      [el("span", { class: "confirm-text", text: T.endConfirm }), r.endNo, r.endYes]
    );
    r.intro = el("div", { class: "intro" }, [
      el("div", { class: "intro-title", text: T.hello }),
      el("div", { class: "intro-text", text: T.welcome })
    ]);
    r.list = el("div", {
      class: "list",
      role: "log",
      "aria-live": "polite",
      "aria-label": T.messages,
      "data-testid": "message-list"
    });
    r.typingText = el("span", { class: "typing-text" });
    r.typing = el(
      "div",
      { class: "typing", "data-testid": "agent-typing", "aria-live": "polite", hidden: true },
      [el("span", { class: "dots", "aria-hidden": "true" }, [el("i"), el("i"), el("i")]), r.typingText]
    );
    r.waitingPos = el("span", { class: "waiting-pos", "data-testid": "queue-position", hidden: true });
    r.waiting = el(
      "div",
      { class: "notice waiting", "data-testid": "chat-waiting", role: "status", hidden: true },
      [el("span", { class: "waiting-main", text: T.queued }), r.waitingPos]
    );
    r.receipt = el("span", { class: "receipt", "data-testid": "read-receipt", text: T.read });
    buildRating(r);
    buildTranscriptMail(r);
    buildOffline(r);
    buildCall(r);
    r.body = el("div", { class: "body" }, [
      r.intro,
      r.list,
      r.rating,
      r.ratingThanks,
      r.mail,
      r.waiting,
      r.typing,
      r.offline,
      r.offlineSent
    ]);
    r.name = el("input", {
      type: "text",
      class: "name",
      "data-testid": "name-input",
      maxlength: MAX_NAME,
      autocomplete: "name",
      "aria-label": T.nameLabel,
      placeholder: T.namePlaceholder,
      hidden: true
    });
    if (visitorName) r.name.value = visitorName;
    r.input = el("textarea", {
      class: "input",
      "data-testid": "message-input",
      rows: 1,
      maxlength: MAX_TEXT,
      "aria-label": T.inputLabel,
      placeholder: T.inputPlaceholder,
      enterkeyhint: "send"
    });
    r.send = el("button", {
      type: "button",
      class: "send",
      "data-testid": "send",
      "aria-label": T.send,
      title: T.send,
      disabled: true
    }, [icon("send", 18)]);
    r.counter = el("div", { class: "counter", "aria-live": "polite", hidden: true });
    r.footer = el("div", { class: "footer" }, [r.name, el("div", { class: "compose" }, [r.input, r.send]), r.counter]);
    r.window = el("div", {
      class: "window",
      id: "lc-window",
      role: "dialog",
      "aria-labelledby": "lc-title",
      "data-testid": "chat-window",
      hidden: true
    }, [header, r.confirm, r.call, r.body, r.footer]);
    r.badge = el("span", { class: "badge", "data-testid": "unread", "aria-hidden": "true", hidden: true });
    r.launcherIcon = el("span", { class: "launcher-icon" }, [icon("chat", 26)]);
    r.launcher = el("button", {
      type: "button",
      class: "launcher",
      "data-testid": "launcher",
      "aria-label": T.openChat,
      "aria-expanded": "false",
      "aria-controls": "lc-window"
    }, [r.launcherIcon, r.badge]);
    buildGreeting(r);
    r.root.appendChild(r.window);
    r.root.appendChild(r.greeting);
    r.root.appendChild(r.launcher);
    shadow.appendChild(r.root);
    return r;
  }
  function wirePanel() {
    ui.launcher.addEventListener("click", function() {
      setOpen(!isOpen, true);
    });
    ui.minBtn.addEventListener("click", function() {
      setOpen(false, true);
    });
    ui.endBtn.addEventListener("click", function() {
      ui.confirm.hidden = false;
      ui.endNo.focus();
    });
    ui.endNo.addEventListener("click", function() {
      ui.confirm.hidden = true;
      ui.input.focus();
    });
    ui.endYes.addEventListener("click", function() {
      ui.confirm.hidden = true;
      endChat();
      ui.input.focus();
    });
    ui.window.addEventListener("keydown", function(e) {
      if (e.key === "Escape") {
        e.stopPropagation();
        if (!ui.confirm.hidden) {
          ui.confirm.hidden = true;
          ui.input.focus();
        } else setOpen(false, true);
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
    placeGreeting();
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
  function focusComposer() {
    if (!ui.footer.hidden) ui.input.focus();
    else if (!ui.offline.hidden) ui.offName.focus();
  }
  function countUnread() {
    unread++;
    updateBadge();
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
    var offlineMode = !agentsAvailable && !open && outbox.length === 0;
    ui.footer.hidden = offlineMode;
    ui.offline.hidden = !offlineMode || offlineSent;
    ui.offlineSent.hidden = !offlineMode || !offlineSent;
    ui.intro.hidden = ui.list.childElementCount > 0 || offlineMode;
    var away = offlineMode && connState === "connected";
    ui.conn.setAttribute("data-available", away ? "false" : "true");
    ui.connText.textContent = away ? T.state_away : T["state_" + connState];
    var rated = rating && chat && chat.chat_id === rating.chat_id && chat.state === "closed";
    ui.rating.hidden = !rated || rating.status === "done";
    ui.ratingThanks.hidden = !rated || rating.status !== "done";
    if (rated) {
      ui.rateGood.setAttribute("aria-pressed", rating.choice === "good" ? "true" : "false");
      ui.rateBad.setAttribute("aria-pressed", rating.choice === "bad" ? "true" : "false");
      ui.rateSubmit.disabled = !rating.choice || rating.status === "sending";
    }
    updateTranscriptMail();
    var queued = open && (chat.state === "queued" || chat.state === "incoming");
    ui.waiting.hidden = !queued || ui.list.childElementCount === 0;
    var pos = queued && queueInfo && queueInfo.chat_id === chat.chat_id && queueInfo.position > 0 ? queueInfo : null;
    ui.waitingPos.hidden = !pos;
    if (pos) {
      var parts = fmt(pos.position === 1 ? T.queueNext : T.queuePosition, { n: pos.position, wait: "\0" }).split("\0");
      ui.waitingPos.textContent = parts[0];
      if (parts.length > 1) {
        ui.waitingPos.appendChild(el("span", { class: "nowrap", text: formatWait(pos.wait) }));
        ui.waitingPos.appendChild(document.createTextNode(parts.slice(1).join("")));
      }
    }
    var n = ui.input.value.length;
    ui.counter.hidden = n < MAX_TEXT * 0.9;
    ui.counter.textContent = fmt(T.counter, { n, max: MAX_TEXT });
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
  function mutate(fn, force) {
    var stick = force || nearBottom();
    fn();
    updateChrome();
    if (stick) scrollToBottom();
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

  // src/call_panel.js
  function buildCall(r) {
    r.callTitle = el("span", { class: "call-title", "data-testid": "call-title", dir: "auto" });
    r.callTimer = el("span", {
      class: "call-timer",
      "data-testid": "call-duration",
      role: "timer",
      "aria-label": T.callDuration,
      hidden: true
    });
    r.callCollapse = el("button", {
      type: "button",
      class: "call-icon-btn",
      "data-testid": "call-collapse",
      "aria-expanded": "true",
      "aria-label": T.callCollapse,
      title: T.callCollapse,
      hidden: true
    }, [icon("up", 16)]);
    r.callDismiss = el("button", {
      type: "button",
      class: "call-icon-btn",
      "data-testid": "call-dismiss",
      "aria-label": T.callDismiss,
      title: T.callDismiss,
      hidden: true
    }, [icon("close", 16)]);
    r.callState = el("div", {
      class: "call-state",
      "data-testid": "call-state",
      role: "status",
      "aria-live": "polite",
      dir: "auto"
    });
    r.callWho = el("div", { class: "call-who", "data-testid": "call-who", role: "alert", dir: "auto" });
    r.callNoticeText = el("span", { "data-testid": "call-recording-notice", dir: "auto" });
    r.callNotice = el(
      "div",
      { class: "call-notice", role: "note", hidden: true },
      [el("span", { class: "call-notice-title", text: T.callNoticeTitle }), r.callNoticeText]
    );
    r.callAccept = el(
      "button",
      { type: "button", class: "call-btn call-accept", "data-testid": "call-accept" },
      [icon("phone", 16), el("span", { text: T.callAccept })]
    );
    r.callDecline = el(
      "button",
      { type: "button", class: "call-btn call-decline", "data-testid": "call-decline" },
      [icon("phoneOff", 16), el("span", { text: T.callDecline })]
    );
    r.callIncoming = el("div", { class: "call-incoming", "data-testid": "call-incoming", hidden: true }, [
      r.callWho,
      r.callNotice,
      el("div", { class: "call-actions" }, [r.callAccept, r.callDecline])
    ]);
    r.callRemote = el("video", {
      class: "call-remote",
      "data-testid": "call-remote-video",
      autoplay: true,
      playsinline: true,
      "aria-label": T.callRemoteVideo
    });
    r.callRemote.muted = false;
    r.callLocal = el("video", {
      class: "call-local",
      "data-testid": "call-local-video",
      autoplay: true,
      playsinline: true,
      muted: true,
      "aria-label": T.callLocalVideo,
      hidden: true
    });
    r.callLocal.muted = true;
    r.callRemoteOff = el("div", {
      class: "call-remote-off",
      "data-testid": "call-remote-camera-off",
      text: T.callRemoteCamOff,
      hidden: true
    });
    r.callStage = el("div", { class: "call-stage" }, [r.callRemote, r.callRemoteOff, r.callLocal]);
    r.callMic = el("button", {
      type: "button",
      class: "cbtn",
      "data-testid": "call-mic",
      "aria-label": T.callMic,
      "aria-pressed": "true"
    });
    r.callCam = el("button", {
      type: "button",
      class: "cbtn",
      "data-testid": "call-camera",
      "aria-label": T.callCamera,
      "aria-pressed": "false"
    });
    r.callHangup = el("button", {
      type: "button",
      class: "cbtn hang",
      "data-testid": "call-hangup",
      "aria-label": T.callHangup,
      title: T.callHangup
    }, [icon("phoneOff", 18)]);
    r.callInfo = el("div", { class: "call-info", "data-testid": "call-info", role: "status", hidden: true });
    r.callMedia = el("div", { class: "call-media", "data-testid": "call-media", hidden: true }, [
      r.callStage,
      el("div", { class: "call-controls" }, [r.callMic, r.callCam, r.callHangup])
    ]);
    r.call = el("section", {
      class: "call",
      "data-testid": "call-panel",
      "aria-label": T.callRegion,
      tabindex: "-1",
      hidden: true
    }, [
      el("div", { class: "call-head" }, [icon("video", 18), r.callTitle, r.callTimer, r.callCollapse, r.callDismiss]),
      r.callIncoming,
      r.callMedia,
      r.callState,
      r.callInfo
    ]);
  }
  function endText(c) {
    var r = c.reason;
    if (r === "hangup") return c.endedBy === "visitor" ? T.end_hangup_visitor : T.end_hangup_agent;
    return r && T["end_" + r] || T.end_other;
  }
  function renderCall() {
    if (!ui) return;
    var c = call;
    var stick = nearBottom();
    ui.call.hidden = !c;
    if (!c) {
      ui.call.removeAttribute("data-state");
      ui.call.removeAttribute("data-reason");
      ui.call.removeAttribute("data-call-id");
      return;
    }
    var live = c.phase !== "incoming" && c.phase !== "ended";
    ui.call.setAttribute("data-state", c.phase);
    ui.call.setAttribute("data-call-id", c.id);
    if (c.phase === "ended" && c.reason) ui.call.setAttribute("data-reason", c.reason);
    else ui.call.removeAttribute("data-reason");
    ui.call.classList.toggle("collapsed", c.collapsed);
    ui.callTitle.textContent = c.phase === "incoming" ? T.callIncomingTitle : c.phase === "ended" ? T.call_ended : fmt(T.callWith, { name: c.agentName || T.agent });
    ui.callIncoming.hidden = c.phase !== "incoming";
    if (c.phase === "incoming") {
      var parts = T.callIncoming.split("{name}");
      ui.callWho.textContent = "";
      ui.callWho.appendChild(document.createTextNode(parts[0]));
      ui.callWho.appendChild(el("span", {
        class: "call-agent",
        "data-testid": "call-agent-name",
        dir: "auto",
        text: c.agentName
      }));
      ui.callWho.appendChild(document.createTextNode(parts.slice(1).join("")));
      ui.callNoticeText.textContent = c.notice;
      ui.callNotice.hidden = !c.notice;
      ui.callAccept.disabled = !webrtcSupported();
    }
    ui.callMedia.hidden = !live;
    ui.callCollapse.hidden = !live;
    ui.callCollapse.setAttribute("aria-expanded", c.collapsed ? "false" : "true");
    ui.callCollapse.setAttribute("aria-label", c.collapsed ? T.callExpand : T.callCollapse);
    ui.callCollapse.title = c.collapsed ? T.callExpand : T.callCollapse;
    ui.callCollapse.textContent = "";
    ui.callCollapse.appendChild(icon(c.collapsed ? "down" : "up", 16));
    ui.callDismiss.hidden = c.phase !== "ended";
    var micOn = !!(c.micTrack && c.micOn);
    ui.callMic.disabled = !live || !c.micTrack;
    ui.callMic.setAttribute("aria-pressed", micOn ? "true" : "false");
    ui.callMic.setAttribute("data-state", c.micTrack ? c.micOn ? "on" : "off" : "unavailable");
    ui.callMic.title = c.micTrack ? c.micOn ? T.callMicMute : T.callMicUnmute : T.callNoMic;
    ui.callMic.textContent = "";
    ui.callMic.appendChild(icon(micOn ? "mic" : "micOff", 18));
    var camOn = !!(c.camTrack && c.camOn);
    ui.callCam.disabled = !live || !c.videoTx || c.camBusy;
    ui.callCam.setAttribute("aria-pressed", camOn ? "true" : "false");
    ui.callCam.setAttribute("data-state", camOn ? "on" : "off");
    ui.callCam.title = c.pc && !c.videoTx ? T.callCamUnavailable : camOn ? T.callCamOff : T.callCamOn;
    ui.callCam.textContent = "";
    ui.callCam.appendChild(icon(camOn ? "video" : "videoOff", 18));
    ui.callLocal.hidden = !camOn;
    ui.callRemoteOff.hidden = c.remoteCam;
    var state = c.phase === "ended" ? endText(c) : live ? T["call_" + c.phase] : "";
    if (live && !c.remoteMic) state += " · " + T.callRemoteMuted;
    ui.callState.textContent = state;
    ui.callState.hidden = state === "";
    var seconds = c.phase === "ended" ? c.durationS > 0 ? c.durationS : null : c.connectedAt ? (Date.now() - c.connectedAt) / 1e3 : null;
    ui.callTimer.hidden = seconds === null;
    if (seconds !== null) ui.callTimer.textContent = formatDuration(seconds);
    var info = c.info || (live && c.micFailed ? T.callNoMic : "");
    ui.callInfo.textContent = info;
    ui.callInfo.hidden = info === "";
    if (stick) scrollToBottom();
  }
  function formatDuration(seconds) {
    var s = Math.max(0, Math.round(seconds || 0));
    var h = Math.floor(s / 3600);
    var m = Math.floor(s % 3600 / 60);
    var ss = ("0" + s % 60).slice(-2);
    return h > 0 ? h + ":" + ("0" + m).slice(-2) + ":" + ss : m + ":" + ss;
  }

  // src/call_media.js
  var MAX_PENDING_ICE = 100;
  var MAX_SDP = 2e4;
  var MAX_CANDIDATE = 1e3;
  function iceServersFrom(list) {
    if (!Array.isArray(list)) return [];
    var out = [];
    list.slice(0, 8).forEach(function(s) {
      if (!s || typeof s !== "object" || !Array.isArray(s.urls)) return;
      var urls = s.urls.filter(function(u) {
        return typeof u === "string" && /^(stun|stuns|turn|turns):/i.test(u);
      });
      if (!urls.length) return;
      var server = { urls: urls.slice(0, 8) };
      if (typeof s.username === "string" && s.username) server.username = s.username;
      if (typeof s.credential === "string" && s.credential) server.credential = s.credential;
      out.push(server);
    });
    return out;
  }
  function webrtcSupported() {
    return typeof window.RTCPeerConnection === "function" && !!navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === "function";
  }
  function startMicrophone(c) {
    var gen = ++c.micGen;
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== "function") {
      c.micFailed = true;
      renderCall();
      return;
    }
    navigator.mediaDevices.getUserMedia({ audio: true, video: false }).then(function(stream) {
      var track = stream.getAudioTracks()[0] || null;
      if (call !== c || c.phase === "ended" || !c.accepted || gen !== c.micGen) {
        stream.getTracks().forEach(function(t) {
          t.stop();
        });
        return;
      }
      stream.getVideoTracks().forEach(function(t) {
        t.stop();
      });
      if (!track) {
        c.micFailed = true;
        renderCall();
        return;
      }
      c.micTrack = track;
      track.enabled = c.micOn;
      track.addEventListener("ended", function() {
        if (call !== c || c.micTrack !== track || c.phase === "ended") return;
        c.micTrack = null;
        c.micFailed = true;
        renderCall();
        sendCallMedia(c);
      });
      attachMicrophone(c);
      renderCall();
      sendCallMedia(c);
    }, function() {
      if (call !== c || c.phase === "ended" || gen !== c.micGen) return;
      c.micFailed = true;
      renderCall();
      sendCallMedia(c);
    });
  }
  function attachMicrophone(c) {
    if (!c.audioTx || !c.micTrack) return;
    c.audioTx.sender.replaceTrack(c.micTrack).catch(function() {
    });
  }
  function toggleMicrophone() {
    var c = call;
    if (!c || !c.micTrack || c.phase === "ended") return;
    c.micOn = !c.micOn;
    c.micTrack.enabled = c.micOn;
    renderCall();
    sendCallMedia(c);
  }
  function toggleCamera() {
    var c = call;
    if (!c || !c.videoTx || c.camBusy || c.phase === "ended") return;
    if (c.camOn) {
      var old = c.camTrack;
      c.camOn = false;
      c.camTrack = null;
      c.videoTx.sender.replaceTrack(null).catch(function() {
      });
      if (old) old.stop();
      ui.callLocal.srcObject = null;
      renderCall();
      sendCallMedia(c);
      return;
    }
    c.camBusy = true;
    c.info = "";
    renderCall();
    navigator.mediaDevices.getUserMedia({ audio: false, video: { width: { ideal: 640 }, height: { ideal: 480 } } }).then(function(stream) {
      var track = stream.getVideoTracks()[0] || null;
      c.camBusy = false;
      if (call !== c || c.phase === "ended" || !track || !c.videoTx) {
        stream.getTracks().forEach(function(t) {
          t.stop();
        });
        renderCall();
        return;
      }
      return c.videoTx.sender.replaceTrack(track).then(function() {
        if (call !== c || c.phase === "ended") {
          track.stop();
          return;
        }
        c.camTrack = track;
        c.camOn = true;
        ui.callLocal.srcObject = new MediaStream([track]);
        playQuietly(ui.callLocal);
        track.addEventListener("ended", function() {
          if (call !== c || c.camTrack !== track) return;
          c.camTrack = null;
          c.camOn = false;
          ui.callLocal.srcObject = null;
          renderCall();
          sendCallMedia(c);
        });
        renderCall();
        sendCallMedia(c);
      });
    }).catch(function() {
      c.camBusy = false;
      if (call !== c || c.phase === "ended") return;
      c.info = T.callNoCamera;
      renderCall();
    });
  }
  function sendCallMedia(c) {
    if (!c || c.phase === "ended") return;
    request("call_media", { call_id: c.id, microphone: !!(c.micTrack && c.micOn), camera: !!(c.camTrack && c.camOn) }).catch(function() {
    });
  }
  function reportCallState(c, state, detail) {
    if (c.reported === state) return;
    c.reported = state;
    request("call_state_report", { call_id: c.id, state, detail: detail || "" }).catch(function() {
    });
  }
  function sendSignal(c, payload) {
    payload.call_id = c.id;
    return request("call_signal", payload);
  }
  function onCallSignal(p) {
    var c = call;
    if (!c || p.call_id !== c.id || !c.accepted || c.phase === "ended") return;
    if (p.kind === "offer" && typeof p.sdp === "string" && p.sdp && p.sdp.length <= MAX_SDP) {
      var sdp = p.sdp;
      c.signals = c.signals.then(function() {
        return applyOffer(c, sdp);
      }).catch(function(e) {
        if (call !== c || c.phase === "ended") return;
        reportCallState(c, "failed", cutText(String(e && e.message || e), 200));
        endCall("failed", "visitor", null);
      });
    } else if (p.kind === "ice" && typeof p.candidate === "string" && p.candidate.length <= MAX_CANDIDATE) {
      var cand = {
        candidate: p.candidate,
        sdpMid: typeof p.sdp_mid === "string" ? p.sdp_mid : null,
        sdpMLineIndex: typeof p.sdp_mline_index === "number" ? p.sdp_mline_index : null
      };
      if (cand.sdpMid === null && cand.sdpMLineIndex === null) cand.sdpMLineIndex = 0;
      if (!c.remoteSet) {
        if (c.pendingIce.length < MAX_PENDING_ICE) c.pendingIce.push(cand);
        return;
      }
      c.signals = c.signals.then(function() {
        return addRemoteCandidate(c, cand);
      });
    }
  }
  function addRemoteCandidate(c, cand) {
    if (!c.pc || call !== c || c.phase === "ended") return Promise.resolve();
    var add = cand.candidate === "" ? c.pc.addIceCandidate() : c.pc.addIceCandidate(cand);
    return add.catch(function() {
    });
  }
  function createPeer(c) {
    var pc = new RTCPeerConnection({ iceServers: c.iceServers });
    c.pc = pc;
    pc.onicecandidate = function(e) {
      if (call !== c || c.phase === "ended") return;
      var cand = e.candidate;
      var payload = cand ? { kind: "ice", candidate: cand.candidate, sdp_mid: cand.sdpMid, sdp_mline_index: cand.sdpMLineIndex } : { kind: "ice", candidate: "" };
      if (payload.candidate.length > MAX_CANDIDATE) return;
      sendSignal(c, payload).catch(function() {
      });
    };
    pc.ontrack = function(e) {
      if (call !== c) return;
      if (!c.remoteStream) c.remoteStream = new MediaStream();
      if (c.remoteStream.getTracks().indexOf(e.track) < 0) c.remoteStream.addTrack(e.track);
      if (ui.callRemote.srcObject !== c.remoteStream) ui.callRemote.srcObject = c.remoteStream;
      ui.callRemote.muted = false;
      playQuietly(ui.callRemote);
    };
    pc.onconnectionstatechange = function() {
      if (call !== c || c.phase === "ended") return;
      var state = pc.connectionState;
      if (state === "connected") {
        reportCallState(c, "connected");
        markConnected(c);
      } else if (state === "disconnected") {
        reportCallState(c, "reconnecting");
        c.phase = "reconnecting";
        renderCall();
      } else if (state === "failed") {
        reportCallState(c, "failed", "ice failed");
        endCall("failed", "visitor", c.connectedAt ? (Date.now() - c.connectedAt) / 1e3 : 0);
      }
    };
    return pc;
  }
  function applyOffer(c, sdp) {
    if (call !== c || c.phase === "ended") return Promise.resolve();
    var pc = c.pc || createPeer(c);
    return pc.setRemoteDescription({ type: "offer", sdp }).then(function() {
      if (call !== c || c.phase === "ended") return;
      c.remoteSet = true;
      pc.getTransceivers().forEach(function(tx) {
        var kind = tx.receiver && tx.receiver.track ? tx.receiver.track.kind : "";
        if (tx.stopped || tx.currentDirection === "stopped") return;
        if (kind === "audio" && !c.audioTx) c.audioTx = tx;
        else if (kind === "video" && !c.videoTx) c.videoTx = tx;
        else return;
        tx.direction = "sendrecv";
      });
      attachMicrophone(c);
      if (c.camTrack && c.videoTx) c.videoTx.sender.replaceTrack(c.camTrack).catch(function() {
      });
      return pc.createAnswer();
    }).then(function(answer) {
      if (!answer || call !== c || c.phase === "ended") return;
      return pc.setLocalDescription(answer);
    }).then(function() {
      if (call !== c || c.phase === "ended" || !pc.localDescription) return;
      var queued = c.pendingIce;
      c.pendingIce = [];
      renderCall();
      return sendSignal(c, { kind: "answer", sdp: pc.localDescription.sdp }).then(function() {
        if (c.wantCam && !c.camOn && !c.camBusy && c.videoTx && call === c) {
          c.wantCam = false;
          toggleCamera();
        }
        return Promise.all(queued.map(function(cand) {
          return addRemoteCandidate(c, cand);
        }));
      });
    });
  }
  function playQuietly(video) {
    try {
      var p = video.play();
      if (p && typeof p.catch === "function") p.catch(function() {
      });
    } catch (e) {
    }
  }
  function stopCallMedia(c) {
    c.micGen++;
    [c.micTrack, c.camTrack].forEach(function(t) {
      if (t) t.stop();
    });
    c.micTrack = null;
    c.camTrack = null;
    c.camOn = false;
    if (c.pc) {
      try {
        c.pc.getSenders().forEach(function(s) {
          if (s.track) s.track.stop();
        });
      } catch (e) {
      }
      c.pc.onicecandidate = c.pc.ontrack = c.pc.onconnectionstatechange = null;
      try {
        c.pc.close();
      } catch (e) {
      }
    }
    c.pc = null;
    c.audioTx = c.videoTx = null;
    c.remoteStream = null;
    if (call === c && ui) {
      ui.callRemote.srcObject = null;
      ui.callLocal.srcObject = null;
    }
  }

  // src/calls.js
  var CALL_NOTICE_MS = 8e3;
  var RING_FALLBACK_MS = 45e3;
  var MAX_NOTICE = 500;
  var END_REASONS = [
    "declined",
    "no_answer",
    "cancelled",
    "hangup",
    "page_reloaded",
    "disconnected",
    "failed",
    "chat_ended",
    "elsewhere"
  ];
  var call = null;
  var reloadedCallId = null;
  var carried = null;
  function restoreCallId() {
    reloadedCallId = session.get(K_CALL) || null;
    carried = null;
    var raw = session.get(K_CALL_CARRY);
    if (raw) {
      session.set(K_CALL_CARRY, "");
      try {
        var saved = JSON.parse(raw);
        if (saved && typeof saved.id === "string" && saved.id === reloadedCallId && typeof saved.chatId === "string") {
          carried = saved;
        }
      } catch (e) {
      }
    }
  }
  function carryCallAcrossPush() {
    var c = call;
    if (!c || !c.accepted || c.phase === "ended" || c.phase === "incoming") return;
    session.set(K_CALL_CARRY, JSON.stringify({
      id: c.id,
      chatId: c.chatId,
      agentName: c.agentName,
      iceServers: c.iceServers,
      micOn: c.micOn,
      camOn: !!(c.camTrack && c.camOn),
      connectedAt: c.connectedAt || 0
    }));
  }
  function resumeCall(saved) {
    carried = null;
    if (call && call.phase !== "ended") stopCallMedia(call);
    if (call) clearCallTimers(call);
    var c = newCall(saved.id.slice(0, 64), saved.chatId);
    c.agentName = scalarText(saved.agentName, MAX_NAME).trim() || chat && chat.agentName || T.agent;
    c.iceServers = iceServersFrom(saved.iceServers);
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
    startMicrophone(c);
  }
  function newCall(id, chatId) {
    return {
      id,
      chatId,
      agentName: "",
      notice: "",
      iceServers: [],
      phase: "incoming",
      accepted: false,
      reason: null,
      endedBy: null,
      durationS: null,
      pc: null,
      remoteStream: null,
      remoteSet: false,
      pendingIce: [],
      signals: Promise.resolve(),
      audioTx: null,
      videoTx: null,
      micTrack: null,
      micOn: true,
      micFailed: false,
      camTrack: null,
      camOn: false,
      camBusy: false,
      connectedAt: 0,
      reported: null,
      remoteMic: true,
      remoteCam: true,
      collapsed: false,
      info: "",
      ringTimer: null,
      tickTimer: null,
      hideTimer: null,
      micGen: 0,
      wantCam: false,
      resumedFrom: 0
    };
  }
  function rememberCall(id) {
    session.set(K_CALL, id || "");
  }
  function onCallIncoming(p) {
    if (typeof p.call_id !== "string" || !p.call_id || typeof p.chat_id !== "string") return;
    if (call && call.id === p.call_id) return;
    if (call && call.phase !== "ended") stopCallMedia(call);
    if (call) clearCallTimers(call);
    var c = newCall(p.call_id.slice(0, 64), p.chat_id);
    c.agentName = scalarText(p.agent_name, MAX_NAME).trim() || chat && chat.agentName || T.agent;
    c.notice = scalarText(p.recording_notice, MAX_NOTICE).trim();
    c.iceServers = iceServersFrom(p.ice_servers);
    var left = Date.parse(p.expires_at) - Date.now();
    c.ringTimer = setTimeout(function() {
      if (call === c && c.phase === "incoming") endCall("no_answer", "system", null);
    }, left > 0 && left <= 12e4 ? left + 1e3 : RING_FALLBACK_MS);
    call = c;
    reloadedCallId = null;
    rememberCall(c.id);
    var wasOpen = isOpen;
    if (!isOpen) setOpen(true, false);
    renderCall();
    if (!wasOpen && !coarsePointer()) ui.callAccept.focus();
    request("call_ringing", { call_id: c.id }).catch(function(e) {
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
    if (!coarsePointer()) ui.call.focus();
    startMicrophone(c);
    request("call_answer", { call_id: c.id, accept: true }).catch(function(e) {
      if (call !== c || c.phase === "ended") return;
      if (e.code === "not_found" || e.code === "forbidden") {
        endCall(null, null, null);
        return;
      }
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
    request("call_answer", { call_id: c.id, accept: false }).catch(function() {
    });
    endCall("declined", "visitor", null);
  }
  function hangupCall() {
    var c = call;
    if (!c || c.phase === "ended") return;
    request("call_hangup", { call_id: c.id }).catch(function() {
    });
    endCall("hangup", "visitor", c.connectedAt ? (Date.now() - c.connectedAt) / 1e3 : 0);
  }
  function markConnected(c) {
    c.phase = "connected";
    if (!c.connectedAt) {
      c.connectedAt = c.resumedFrom || Date.now();
      c.tickTimer = setInterval(function() {
        if (call === c && c.phase !== "ended") ui.callTimer.textContent = formatDuration((Date.now() - c.connectedAt) / 1e3);
      }, 1e3);
    }
    renderCall();
  }
  function onCallState(p) {
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
      if (p.state === "ended" && (p.call_id === reloadedCallId || reason === "page_reloaded") && (!c || c.phase === "ended")) {
        showCallEnded(p.call_id, typeof p.chat_id === "string" ? p.chat_id : "", reason, endedBy, duration);
      }
      return;
    }
    if (p.state === "ended") {
      endCall(reason, endedBy, duration);
    } else if (c.phase === "ended") {
      return;
    } else if (c.phase === "incoming") {
      if (p.state !== "ringing") endCall("elsewhere", "visitor", null);
    } else if (p.state === "connected") {
      markConnected(c);
    } else if (p.state === "reconnecting") {
      c.phase = "reconnecting";
      renderCall();
    }
  }
  function onCallMedia(p) {
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
  function endCall(reason, endedBy, durationS) {
    var c = call;
    if (!c) return;
    if (c.phase === "ended") {
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
    c.durationS = durationS !== null ? durationS : c.connectedAt ? (Date.now() - c.connectedAt) / 1e3 : null;
    c.info = "";
    rememberCall("");
    c.hideTimer = setTimeout(function() {
      if (call === c) hideCall(false);
    }, CALL_NOTICE_MS);
    renderCall();
    if (hadFocus && isOpen) {
      if (!coarsePointer()) focusComposer();
    }
  }
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
    c.hideTimer = setTimeout(function() {
      if (call === c) hideCall(false);
    }, CALL_NOTICE_MS);
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
  function applyCallEvent(ev, order, seq) {
    if (typeof ev.event_id === "number") byEventId[ev.event_id] = true;
    if (ev.state !== "started" && ev.state !== "ended") return;
    var reason = typeof ev.reason === "string" ? ev.reason : "";
    var text;
    if (ev.state === "started") text = T.callStarted;
    else if (reason === "declined") text = T.callDeclined;
    else if (reason === "no_answer" || reason === "cancelled") text = T.callMissed;
    else text = fmt(T.callEndedLine, { duration: formatDuration(typeof ev.duration_s === "number" ? ev.duration_s : 0) });
    mutate(function() {
      var node = el("div", {
        class: "notice call-line",
        "data-testid": "call-event",
        "data-call-state": ev.state,
        "data-seq": String(seq),
        dir: "auto",
        text
      });
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
  function wireCall() {
    ui.callAccept.addEventListener("click", acceptCall);
    ui.callDecline.addEventListener("click", declineCall);
    ui.callHangup.addEventListener("click", hangupCall);
    ui.callMic.addEventListener("click", toggleMicrophone);
    ui.callCam.addEventListener("click", toggleCamera);
    ui.callCollapse.addEventListener("click", function() {
      if (!call) return;
      call.collapsed = !call.collapsed;
      renderCall();
    });
    ui.callDismiss.addEventListener("click", function() {
      hideCall(true);
    });
    window.addEventListener("pagehide", function() {
      if (call && call.phase !== "ended") stopCallMedia(call);
    });
    window.addEventListener("pageshow", function(e) {
      if (e.persisted && call && call.phase !== "ended") endCall("page_reloaded", "system", null);
    });
  }

  // src/main.js
  if (!(window.LiveChatWidget && window.LiveChatWidget.loaded)) {
    const tag = findScript();
    if (tag && tag.src) start(tag);
  }
  function start(tag) {
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
      open: function() {
        if (ui) setOpen(true, true);
      },
      close: function() {
        if (ui) setOpen(false, false);
      },
      toggle: function() {
        if (ui) setOpen(!isOpen, true);
      },
      /** Drop the connection and reconnect now (for tests and "retry" links). */
      reconnect: function() {
        if (ui) reconnectNow();
      },
      state: function() {
        return connState;
      },
      /** Who the visitor is, as the site knows it: {name, email, phone, id}. */
      identify: API.identify,
      /** Replaces the visitor's custom data: {key: value, ...} (at most 50 fields). */
      setCustomData: API.setCustomData,
      /** The visitor's cart: {items: [{name, price, quantity}], total, currency}; no items clears it. */
      setCart: API.setCart,
      /** Pure helpers, exposed so that tests can check them directly. */
      internals: Object.freeze({ pageAllowed, describeDevice, isWebUrl })
    });
    runQueue();
    if (document.body) init();
    else document.addEventListener("DOMContentLoaded", init);
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
})();
