// Sending files: the attach button beside the message input, drag and drop onto the chat window, and
// a pasted image (a screenshot). Only into an open chat (a file cannot start one) and only when the
// login's limits allow files; size and kind are checked here first (the server checks again). Each
// file is uploaded over HTTP with XMLHttpRequest (for its progress) under one client id, the same on
// every retry, so the server stores it once; its row in the transcript shows the progress and Cancel,
// and becomes the file's message when the event comes back (through the upload's answer or the socket).

import { humanSize, serverUrl, visitorHeaders } from "./attachment_view.js";
import { loginAttachments } from "./connection.js";
import { el, icon } from "./dom.js";
import { mutate, ui, updateChrome } from "./panel.js";
import { T, fmt } from "./strings.js";
import { applyEvent, byClientId, chat, chatIsOpen, renderPendingNode } from "./transcript.js";
import { uuid } from "./uuid.js";

const CLIP = ["M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48"];
const KINDS = {
  images: { ext: ["png", "jpg", "jpeg", "gif", "webp"], mime: /^image\/(png|jpeg|gif|webp)$/ },
  pdf: { ext: ["pdf"], mime: /^application\/pdf$/ },
  text: { ext: ["txt", "log", "csv", "md", "json"], mime: /^(text\/(plain|csv|markdown)|application\/json)$/ },
  office: { ext: ["docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls", "ppt"], mime: /^application\/(vnd\.|msword)/ },
};
// Worth trying again as they are (the same client id): the server stores the file once.
const TRANSIENT = ["network", "rate_limited", "unavailable", "incomplete", "internal", "other"];
const AUTO_TRIES = 4;

let picker = null; // <input type=file>
let note = null; // the latest refusal, under the composer
let noteTimer = null;
let dragDepth = 0;

function limits() {
  var a = loginAttachments;
  if (!a || a.enabled !== true) return null;
  return {
    max: typeof a.max_bytes === "number" && a.max_bytes > 0 ? a.max_bytes : Infinity,
    allowed: Array.isArray(a.allowed) ? a.allowed.filter(function (k) { return KINDS[k]; }) : [],
  };
}

export function canAttach() {
  return !!limits() && chatIsOpen();
}

// Called by updateChrome: the button is there only while a file may be sent.
export function updateAttach() {
  if (!ui || !ui.attach) return;
  var lim = canAttach() ? limits() : null;
  ui.attach.hidden = !lim;
  if (lim) {
    picker.accept = lim.allowed.map(function (k) { return KINDS[k].ext.map(function (x) { return "." + x; }).join(","); })
      .join(",");
  }
}

function kindOf(file) {
  var m = /\.([A-Za-z0-9]{1,8})$/.exec(file.name || "");
  var ext = m ? m[1].toLowerCase() : "";
  for (var k in KINDS) {
    if (ext ? KINDS[k].ext.indexOf(ext) >= 0 : KINDS[k].mime.test(file.type || "")) return k;
  }
  return ext || file.type ? null : "unknown"; // nothing to tell by: the server decides
}

function showNote(text) {
  clearTimeout(noteTimer);
  note.textContent = text;
  note.hidden = false;
  noteTimer = setTimeout(function () { note.hidden = true; }, 8000);
}

function refusal(code, message, lim) {
  var text = T["fileErr_" + code];
  if (!text) return message || T.fileErr_other;
  return fmt(text, { max: lim && lim.max !== Infinity ? humanSize(lim.max) : "" });
}

// Files the visitor picked, dropped or pasted.
export function sendFiles(files) {
  var lim = limits();
  if (!lim || !chatIsOpen()) return;
  for (var i = 0; i < files.length; i++) {
    var file = files[i];
    var kind = kindOf(file);
    if (kind !== "unknown" && (kind === null || lim.allowed.indexOf(kind) < 0)) {
      showNote(refusal("type_not_allowed"));
    } else if (file.size > lim.max) {
      showNote(refusal("too_large", "", lim));
    } else if (file.size === 0) {
      showNote(refusal("empty"));
    } else {
      note.hidden = true;
      start({ file: file, name: file.name || "file", clientId: uuid(), chatId: chat.chat_id, tries: 0 });
    }
  }
}

// --- one upload: its row, its request, its retries ----------------------------------------------

function start(up) {
  mutate(function () {
    var node = renderPendingNode(up.clientId);
    node.setAttribute("data-upload", "");
    up.node = node;
    up.bar = el("div", { class: "bar-fill" });
    up.progress = el("div", { class: "bar", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100,
      "aria-valuenow": 0, "aria-label": up.name, "data-testid": "upload-progress" }, [up.bar]);
    node._lc.bubble.classList.add("file");
    node._lc.bubble.appendChild(el("div", { class: "file-name", dir: "auto", text: up.name }));
    node._lc.bubble.appendChild(up.progress);
    node._lc.upload = up;
    up.finish = function () { finish(up); };
  }, true);
  send(up);
}

function setProgress(up, fraction) {
  var pct = Math.max(0, Math.min(100, Math.round(fraction * 100)));
  up.progress.setAttribute("aria-valuenow", String(pct));
  up.bar.style.width = pct + "%";
}

function setRow(up, status, reason, code) {
  var node = up.node;
  node.setAttribute("data-status", status);
  var meta = node._lc.meta;
  meta.textContent = "";
  if (status === "failed") {
    node.setAttribute("data-error", code);
    meta.appendChild(el("span", { class: "failed", role: "alert", "data-testid": "upload-error", text: reason }));
    if (TRANSIENT.indexOf(code) >= 0) {
      var retry = el("button", { type: "button", class: "retry", "data-testid": "retry", text: T.retry });
      retry.addEventListener("click", function () {
        up.tries = 0;
        setRow(up, "sending");
        send(up);
      });
      meta.appendChild(retry);
    }
  } else {
    meta.appendChild(el("span", { text: T.fileUploading }));
  }
  var cancel = el("button", { type: "button", class: "retry", "data-testid": "upload-cancel", text: T.fileCancel });
  cancel.addEventListener("click", function () { cancelUpload(up); });
  meta.appendChild(cancel);
}

function send(up) {
  if (up.done) return;
  var xhr = new XMLHttpRequest();
  up.xhr = xhr;
  setRow(up, "sending");
  xhr.open("POST", serverUrl() + "/api/v1/visitor/chats/" + encodeURIComponent(up.chatId) + "/attachments");
  var headers = visitorHeaders();
  headers["X-File-Name"] = encodeURIComponent(up.name);
  headers["X-Client-Id"] = up.clientId;
  headers["Content-Type"] = "application/octet-stream";
  for (var h in headers) xhr.setRequestHeader(h, headers[h]);
  xhr.upload.onprogress = function (e) {
    if (up.xhr === xhr && e.lengthComputable && e.total > 0) setProgress(up, e.loaded / e.total);
  };
  xhr.onload = function () {
    if (up.xhr !== xhr || up.done) return;
    var body = null;
    try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON: a proxy's page */ }
    if (xhr.status >= 200 && xhr.status < 300 && body && body.event) {
      applyEvent(body.event, true); // the row becomes the file's message (finish)
      if (!up.done) finish(up);
      return;
    }
    var detail = body && body.detail && typeof body.detail === "object" ? body.detail : {};
    var code = typeof detail.code === "string" ? detail.code : xhr.status >= 500 ? "unavailable" : "other";
    if ((code === "unavailable" || code === "rate_limited") && up.tries < AUTO_TRIES) {
      var after = parseInt(xhr.getResponseHeader("Retry-After") || "", 10);
      again(up, after > 0 ? Math.min(after, 30) * 1000 : 0);
    } else {
      fail(up, code, typeof detail.message === "string" ? detail.message : "");
    }
  };
  xhr.onerror = xhr.ontimeout = function () {
    if (up.xhr !== xhr || up.done) return;
    if (up.tries < AUTO_TRIES) again(up, 0);
    else fail(up, "network", "");
  };
  xhr.send(up.file);
}

// The same file with the same client id after a pause (backoff).
function again(up, wait) {
  up.tries++;
  up.xhr = null;
  setTimeout(function () { send(up); }, wait || Math.min(8000, 500 * Math.pow(2, up.tries)));
}

function fail(up, code, message) {
  up.xhr = null;
  mutate(function () { setRow(up, "failed", refusal(code, message, limits()), code); });
}

function finish(up) {
  up.done = true;
  up.xhr = null;
  up.node.removeAttribute("data-upload");
  up.node.removeAttribute("data-error");
  up.node._lc.upload = null;
}

function cancelUpload(up) {
  if (up.done) return;
  up.done = true;
  if (up.xhr) up.xhr.abort();
  up.xhr = null;
  if (byClientId[up.clientId] === up.node) delete byClientId[up.clientId];
  mutate(function () { up.node.remove(); });
  updateChrome();
  ui.input.focus();
}

// --- the button, the picker, drag and drop, paste -------------------------------------------------

// Files on the clipboard, unless it holds text too (cells copied from a spreadsheet come with a
// picture of themselves: the visitor pastes the text).
function clipboardFiles(data) {
  var files = [];
  if (!data || Array.prototype.indexOf.call(data.types || [], "text/plain") >= 0) return files;
  var items = data.items || [];
  for (var i = 0; i < items.length; i++) {
    var f = items[i].kind === "file" ? items[i].getAsFile() : null;
    if (f) files.push(f);
  }
  return files;
}

// A pasted screenshot is named by the browser "image.png" (or not at all): name it by the time.
function pastedName(file) {
  if (file.name && !/^image\.\w+$/i.test(file.name)) return file;
  var d = new Date();
  var p = function (n) { return ("0" + n).slice(-2); };
  var ext = /^image\/(png|jpeg|gif|webp)$/.exec(file.type || "");
  var name = "screenshot-" + d.getFullYear() + p(d.getMonth() + 1) + p(d.getDate()) + "-" +
    p(d.getHours()) + p(d.getMinutes()) + p(d.getSeconds()) + "." + (ext ? ext[1].replace("jpeg", "jpg") : "png");
  return new File([file], name, { type: file.type, lastModified: file.lastModified });
}

function hasFiles(e) {
  var types = e.dataTransfer ? e.dataTransfer.types : null;
  return !!types && Array.prototype.indexOf.call(types, "Files") >= 0;
}

export function wireAttachments() {
  picker = el("input", { type: "file", multiple: true, hidden: true, tabindex: -1, "aria-hidden": "true" });
  ui.attach = el("button", { type: "button", class: "attach", "data-testid": "attach", "aria-label": T.fileAttach,
    title: T.fileAttach, hidden: true }, [icon(CLIP, 18)]);
  note = el("div", { class: "attach-note", role: "alert", "data-testid": "attach-error", hidden: true });
  ui.dropHint = el("div", { class: "drop-hint", "data-testid": "drop-hint", hidden: true }, [
    el("span", { text: T.fileDrop }),
  ]);
  ui.input.parentNode.insertBefore(ui.attach, ui.input);
  ui.footer.appendChild(note);
  ui.footer.appendChild(picker);
  ui.window.appendChild(ui.dropHint);

  ui.attach.addEventListener("click", function () { picker.click(); });
  picker.addEventListener("change", function () {
    var files = Array.prototype.slice.call(picker.files || []);
    picker.value = "";
    sendFiles(files);
    ui.input.focus();
  });
  ui.input.addEventListener("paste", function (e) {
    var files = canAttach() ? clipboardFiles(e.clipboardData) : [];
    if (!files.length) return; // text: the textarea takes it
    e.preventDefault();
    sendFiles(files.map(pastedName));
  });
  var win = ui.window;
  win.addEventListener("dragenter", function (e) {
    if (!hasFiles(e) || !canAttach()) return;
    e.preventDefault();
    dragDepth++;
    ui.dropHint.hidden = false;
  });
  win.addEventListener("dragover", function (e) {
    if (!hasFiles(e) || !canAttach()) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  });
  win.addEventListener("dragleave", function () {
    dragDepth = Math.max(0, dragDepth - 1);
    if (!dragDepth) ui.dropHint.hidden = true;
  });
  win.addEventListener("drop", function (e) {
    dragDepth = 0;
    ui.dropHint.hidden = true;
    if (!hasFiles(e) || !canAttach()) return;
    e.preventDefault();
    sendFiles(Array.prototype.slice.call(e.dataTransfer.files || []));
  });
}
