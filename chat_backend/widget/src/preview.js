// Live preview of this page for the operator (chat_protocol/preview.py, docs/widget.md): on the
// server's `preview_request` the widget asks the visitor (when the site wants consent: Allow /
// Decline), then records the page with rrweb (preview_recorder.js, a chunk imported only now) and sends
// the events in batches every BATCH_MS as `preview_frames`, each under FRAME_BYTES of JSON; a full
// snapshot too big for one frame goes as its JSON text in pieces. While recording, a marker "The
// operator sees this page · Stop" is shown; Stop ends the recording at once. Nothing of the preview is
// stored, here or on the server. A page of the site opened while recording (a link, a page push) goes
// on recording without asking again: this tab's sessionStorage names the watched chat until it stops.
//
// Hostile pages (a DOM changing a thousand times a second, a huge page, an endless one) are capped
// here, within the server's own caps, so that it never has to drop or refuse a frame: every frame
// waits for a byte budget (BURST_BYTES at once, refilled at BYTES_PER_SECOND, counted as the server
// counts); changes waiting longer than about a second (QUEUE_BYTES) are dropped, and a fresh full
// snapshot is sent once the budget allows; a page whose snapshot would be over SNAPSHOT_BYTES (guessed
// from its size before rrweb serializes it, so a huge page costs the visitor no freeze) is not
// recorded, and the operator is told it is "unavailable" until asked again.

import { sendFrame } from "./connection.js";
import { el } from "./dom.js";
import { K_PREVIEW, session } from "./storage.js";
import { T } from "./strings.js";

const BATCH_MS = 150;
const FRAME_BYTES = 46 * 1024; // chat_protocol.preview.PREVIEW_FRAME_BYTES (48 KiB), with room to spare
// chat_protocol.preview.PREVIEW_BURST_BYTES (512 KiB) and PREVIEW_BYTES_PER_SECOND (96 KiB), with room
// for the network bunching frames on the way.
const BURST_BYTES = 480 * 1024;
const BYTES_PER_SECOND = 88 * 1024;
const QUEUE_BYTES = BYTES_PER_SECOND; // changes waiting for the budget: about a second's worth
const SNAPSHOT_BYTES = 1536 * 1024; // a larger page is not sent (the operator sees "unavailable")
const FULL_SNAPSHOT = 2;

let active = false; // a recording: the marker shown, the page sent while it fits
let rr = null; // the recorder chunk, once loaded
let recorder = null; // rrweb recording: {stop, snapshot}
let loading = null;
let host = null; // the prompt or the marker, in a shadow root of its own
let chatId = null;
let seq = 0;
let told = null; // the state last told: "recording" or "unavailable"
let buffer = [];
let timer = null;
let generation = 0; // a stop or a new start invalidates a recorder still loading
let outbox = []; // frames waiting for the budget: {frame, cost, full}
let queued = 0; // the cost of the changes among them
let tokens = BURST_BYTES; // this page's budget (the server's is per socket: this one is stricter)
let stamp = Date.now();
let pumpTimer = null;
let resync = false; // changes were dropped: a fresh snapshot once the budget allows
let lastSnapshot = 0; // the last snapshot's cost

function send(frame) {
  frame.seq = ++seq;
  sendFrame("preview_frames", frame);
}

function tellState(state) {
  sendFrame("preview_state", { state: state });
}

function tell(state) {
  if (told !== state) tellState(state);
  told = state;
}

// Bytes as the server counts them, or more: JSON with every non-ASCII character \u-escaped (6 bytes
// each) for events, UTF-8 (at most 3 bytes each) for a piece.
function cost(text, perWide) {
  var wide = 0;
  for (var i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) wide++;
  return text.length + wide * (perWide - 1);
}

// Pieces of `text` of at most FRAME_BYTES each, never splitting a surrogate pair; null when they add
// up to more than SNAPSHOT_BYTES. A piece's bytes are counted as it travels, a JSON string inside the
// frame: UTF-8, with `"` and `\\` escaped (so that no frame passes the server's 64 KiB).
function pieces(text) {
  var out = [];
  var total = 0;
  var start = 0;
  while (start < text.length) {
    var end = start;
    var bytes = 0;
    while (end < text.length && bytes + 3 <= FRAME_BYTES) {
      var ch = text.charCodeAt(end);
      bytes += ch > 127 ? 3 : ch === 34 || ch === 92 ? 2 : 1;
      end++;
    }
    var c = text.charCodeAt(end - 1);
    if (end < text.length && c >= 0xd800 && c <= 0xdbff) {
      end--;
      bytes -= 3;
    }
    total += bytes;
    if (total > SNAPSHOT_BYTES) return null;
    out.push({ text: text.slice(start, end), cost: bytes });
    start = end;
  }
  return out;
}

function refill() {
  var now = Date.now();
  tokens = Math.min(BURST_BYTES, tokens + ((now - stamp) / 1000) * BYTES_PER_SECOND);
  stamp = now;
}

function schedule(need) {
  if (pumpTimer) return;
  var ms = Math.max(20, Math.ceil(((need - tokens) / BYTES_PER_SECOND) * 1000));
  pumpTimer = setTimeout(pump, ms);
}

// Sends what the budget allows, in order; once everything is out, a snapshot due after a drop.
function pump() {
  pumpTimer = null;
  if (!active) return;
  refill();
  while (outbox.length && tokens >= outbox[0].cost) {
    var item = outbox.shift();
    tokens -= item.cost;
    if (!item.full) queued -= item.cost;
    send(item.frame);
  }
  if (outbox.length) {
    schedule(outbox[0].cost);
    return;
  }
  if (resync) {
    var need = Math.min(lastSnapshot, BURST_BYTES);
    if (tokens >= need) takeSnapshot();
    else schedule(need);
  }
}

function dropChanges() {
  outbox = outbox.filter(function (item) { return item.full; });
  queued = 0;
  resync = true;
}

function tooLarge() {
  if (recorder) recorder.stop();
  recorder = null;
  buffer = [];
  outbox = [];
  queued = 0;
  resync = false;
  tell("unavailable");
}

// A fresh full snapshot, replacing whatever still waits: rrweb started when it was not recording.
function takeSnapshot() {
  if (!active || !rr) return;
  resync = false;
  if (rr.pageSize() > SNAPSHOT_BYTES) {
    tooLarge();
    return;
  }
  outbox = [];
  queued = 0;
  buffer = [];
  tell("recording");
  if (recorder) recorder.snapshot();
  else recorder = rr.startRecording(onEvent); // rrweb takes the first full snapshot at once (once loaded)
}

function flush() {
  clearTimeout(timer);
  timer = null;
  if (!active || !buffer.length) return;
  var events = buffer;
  buffer = [];
  var full = events.some(function (e) { return e.type === FULL_SNAPSHOT; });
  if (resync && !full) return; // changes after a drop are moot until the snapshot
  var text = JSON.stringify(events);
  var size = cost(text, 6);
  if (!full) {
    if (size > FRAME_BYTES || queued + size > QUEUE_BYTES) dropChanges();
    else {
      outbox.push({ frame: { events: events, full: false }, cost: size, full: false });
      queued += size;
    }
    pump();
    return;
  }
  outbox = [];
  queued = 0;
  resync = false;
  if (size <= FRAME_BYTES) {
    lastSnapshot = size;
    outbox.push({ frame: { events: events, full: true }, cost: size, full: true });
  } else {
    var parts = pieces(text);
    if (!parts) {
      tooLarge();
      return;
    }
    lastSnapshot = 0;
    for (var j = 0; j < parts.length; j++) {
      lastSnapshot += parts[j].cost;
      outbox.push({
        frame: { piece: parts[j].text, last_piece: j === parts.length - 1, full: j === 0 },
        cost: parts[j].cost,
        full: true,
      });
    }
  }
  pump();
}

function onEvent(event) {
  if (!active) return;
  buffer.push(event);
  if (event.type === FULL_SNAPSHOT) {
    // Sent without waiting for the batch, but after rrweb's own work (it may then have to stop).
    clearTimeout(timer);
    timer = setTimeout(flush, 0);
  } else if (!timer) timer = setTimeout(flush, BATCH_MS);
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
    if (mine !== generation || active) return;
    rr = m;
    active = true;
    seq = 0;
    told = null;
    session.set(K_PREVIEW, chatId || "");
    takeSnapshot();
  });
}

// Ends the recording at once (the visitor's Stop, the operator's stop, the chat ending).
export function stopRecording(state) {
  generation++;
  clearTimeout(timer);
  clearTimeout(pumpTimer);
  timer = pumpTimer = null;
  buffer = [];
  outbox = [];
  queued = 0;
  resync = false;
  if (recorder) recorder.stop();
  recorder = null;
  active = false;
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
  if (active && p.chat_id === chatId) {
    takeSnapshot(); // asked again, or a new watcher: a fresh full snapshot (or "unavailable" again)
    return;
  }
  if (p.want === "snapshot") return;
  chatId = p.chat_id;
  if (p.consent === false) startRecording();
  else if (!host) ask();
}

// After each login (connection.js): a page opened while this tab was recording records on.
export function resumePreview(openChat) {
  var watched = session.get(K_PREVIEW);
  if (!watched || active) return;
  if (!openChat || openChat.chat_id !== watched || openChat.state === "closed") {
    session.set(K_PREVIEW, "");
    return;
  }
  chatId = watched;
  startRecording();
}

export function previewRecording() {
  return active;
}
