// Live preview of this page for the operator (chat_protocol/preview.py, docs/widget.md): on the
// server's `preview_request` the widget asks the visitor (when the site wants consent: Allow /
// Decline), then records the page with rrweb (preview_recorder.js, a chunk imported only now) and sends
// the events in batches every BATCH_MS as `preview_frames`, each under FRAME_BYTES of JSON. A batch over
// the cap is dropped and a fresh full snapshot taken instead; a full snapshot too big for one frame goes
// as its JSON text in pieces. While recording, a marker "The operator sees this page · Stop" is shown;
// Stop ends the recording at once. Nothing of the preview is stored, here or on the server. A page of
// the site opened while recording (a link, a page push) goes on recording without asking again: this
// tab's sessionStorage names the watched chat until the recording stops.

import { sendFrame } from "./connection.js";
import { el } from "./dom.js";
import { K_PREVIEW, session } from "./storage.js";
import { T } from "./strings.js";

const BATCH_MS = 150;
const FRAME_BYTES = 46 * 1024; // chat_protocol.preview.PREVIEW_FRAME_BYTES (48 KiB), with room to spare
const MAX_PIECES = 64; // a snapshot over ~3 MB is not sent (the operator sees "unavailable")
const FULL_SNAPSHOT = 2;

let recorder = null; // {stop, snapshot} while recording
let loading = null;
let host = null; // the prompt or the marker, in a shadow root of its own
let chatId = null;
let seq = 0;
let buffer = [];
let timer = null;
let generation = 0; // a stop or a new start invalidates a recorder still loading

function send(frame) {
  frame.seq = ++seq;
  sendFrame("preview_frames", frame);
}

function tellState(state) {
  sendFrame("preview_state", { state: state });
}

function flush() {
  timer = null;
  if (!recorder || !buffer.length) return;
  var events = buffer;
  buffer = [];
  var text = JSON.stringify(events);
  var full = events.some(function (e) { return e.type === FULL_SNAPSHOT; });
  if (text.length * 3 <= FRAME_BYTES || new Blob([text]).size <= FRAME_BYTES) {
    send({ events: events, full: full });
    return;
  }
  if (!full) {
    // Over the cap: dropped; the operator gets a fresh full snapshot instead.
    recorder.snapshot();
    return;
  }
  var pieces = [];
  var step = Math.floor(FRAME_BYTES / 3); // UTF-16 units: at most 3 UTF-8 bytes each
  for (var i = 0; i < text.length; i += step) pieces.push(text.slice(i, i + step));
  if (pieces.length > MAX_PIECES) {
    tellState("unavailable");
    return;
  }
  for (var j = 0; j < pieces.length; j++) {
    send({ piece: pieces[j], last_piece: j === pieces.length - 1, full: j === 0 });
  }
}

function onEvent(event) {
  buffer.push(event);
  if (!timer) timer = setTimeout(flush, BATCH_MS);
}

function removeHost() {
  if (host && host.parentNode) host.parentNode.removeChild(host);
  host = null;
}

function showBox(children, testid) {
  removeHost();
  host = document.createElement("livechat-preview");
  host.setAttribute("data-livechat", "");
  var shadow = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent =
    ":host{all:initial;position:fixed;left:50%;top:12px;transform:translateX(-50%);z-index:2147483001}" +
    ".box{font:14px/1.4 system-ui,sans-serif;background:#1d2433;color:#fff;border-radius:10px;padding:10px 14px;" +
    "box-shadow:0 6px 20px rgba(0,0,0,.3);display:flex;gap:10px;align-items:center;max-width:90vw}" +
    "button{font:inherit;border:0;border-radius:6px;padding:4px 10px;cursor:pointer;background:#fff;color:#1d2433}" +
    ".dot{width:10px;height:10px;border-radius:50%;background:#e5484d;flex:none}";
  shadow.appendChild(style);
  shadow.appendChild(el("div", { class: "box", role: "status", "data-testid": testid }, children));
  document.body.appendChild(host);
}

function showMarker() {
  var stopBtn = el("button", { type: "button", "data-testid": "preview-stop", text: T.previewStop });
  stopBtn.addEventListener("click", function () { stopRecording("stopped"); });
  showBox([el("span", { class: "dot", "aria-hidden": "true" }), el("span", { text: T.previewMarker }), stopBtn],
    "preview-marker");
}

function ask() {
  var allow = el("button", { type: "button", "data-testid": "preview-allow", text: T.previewAllow });
  var decline = el("button", { type: "button", "data-testid": "preview-decline", text: T.previewDecline });
  allow.addEventListener("click", function () { startRecording(); });
  decline.addEventListener("click", function () { removeHost(); tellState("declined"); });
  showBox([el("span", { text: T.previewAsk }), allow, decline], "preview-ask");
  tellState("asking");
}

function startRecording() {
  var mine = ++generation;
  showMarker();
  if (!loading) loading = import("./preview_recorder.js");
  loading.then(function (m) {
    if (mine !== generation || recorder) return;
    seq = 0;
    buffer = [];
    recorder = m.startRecording(onEvent); // rrweb takes the first full snapshot at once
    session.set(K_PREVIEW, chatId || "");
    tellState("recording");
  });
}

// Ends the recording at once (the visitor's Stop, the operator's stop, the chat ending).
export function stopRecording(state) {
  generation++;
  clearTimeout(timer);
  timer = null;
  buffer = [];
  if (recorder) recorder.stop();
  recorder = null;
  session.set(K_PREVIEW, "");
  removeHost();
  if (state) tellState(state);
}

// `preview_request` (connection.js).
export function onPreviewRequest(p) {
  if (!p || typeof p.chat_id !== "string") return;
  if (p.want === "stop") {
    if (!p.chat_id || p.chat_id === chatId) stopRecording(null); // "": the chat is no longer open
    return;
  }
  if (p.want === "snapshot" && recorder && p.chat_id === chatId) {
    buffer = [];
    recorder.snapshot();
    return;
  }
  if (recorder && p.chat_id === chatId) {
    recorder.snapshot(); // a new watcher: a fresh full snapshot
    return;
  }
  chatId = p.chat_id;
  if (p.consent === false) startRecording();
  else if (!host) ask();
}

// After each login (connection.js): a page opened while this tab was recording records on.
export function resumePreview(openChat) {
  var watched = session.get(K_PREVIEW);
  if (!watched || recorder) return;
  if (!openChat || openChat.chat_id !== watched || openChat.state === "closed") {
    session.set(K_PREVIEW, "");
    return;
  }
  chatId = watched;
  startRecording();
}

export function previewRecording() {
  return !!recorder;
}
