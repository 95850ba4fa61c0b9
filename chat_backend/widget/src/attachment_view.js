// Files in the transcript (both directions, live or from history): an image as a thumbnail that opens
// the full image in an overlay, any other file as a button that downloads it. Files are fetched with
// the visitor's token in headers (never in a URL) into blobs shown through object URLs, which are
// revoked when their row or the overlay goes.

import { el, icon } from "./dom.js";
import { ui } from "./panel.js";
import { script, siteId } from "./site.js";
import { K_TOKEN, store } from "./storage.js";
import { T, fmt } from "./strings.js";

const CATEGORIES = ["images", "pdf", "text", "office"];
const FILE_ICON = ["M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z", "M14 2v6h6"];
const THUMB_EDGE = 200; // shown at most this wide and high (the server's thumbnails fit 320)

let thumbUrls = {}; // attachment_id -> object URL of its thumbnail (one fetch per id)
let overlay = null; // {node, opener, url}

// The server the widget came from (uploads and downloads go there, like the socket).
export function serverUrl() {
  return new URL(script.src, document.baseURI).origin;
}

export function visitorHeaders() {
  return { "X-Visitor-Token": store.get(K_TOKEN) || "", "X-Site-Id": siteId };
}

// "120 KB", "3.4 MB" (the same units in Japanese).
export function humanSize(bytes) {
  if (!(bytes >= 0)) return "";
  if (bytes < 1024) return bytes + " B";
  if (bytes < 1024 * 1024) return Math.max(1, Math.round(bytes / 1024)) + " KB";
  var mb = bytes / (1024 * 1024);
  return (mb < 10 ? Math.round(mb * 10) / 10 : Math.round(mb)) + " MB";
}

// The attachment of a message event as the server sent it, checked (hostile input), or null.
export function attachmentOf(ev) {
  var a = ev && ev.attachment;
  if (!a || typeof a !== "object" || typeof a.attachment_id !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(a.attachment_id)) {
    return null;
  }
  var dim = function (n) { return typeof n === "number" && n > 0 && n < 100000 ? n : null; };
  return {
    attachment_id: a.attachment_id,
    name: typeof a.name === "string" && a.name ? a.name.slice(0, 200) : a.attachment_id,
    size: typeof a.size === "number" && a.size >= 0 ? a.size : null,
    category: CATEGORIES.indexOf(a.category) >= 0 ? a.category : "other",
    width: dim(a.width),
    height: dim(a.height),
    thumbnail: a.thumbnail === true,
  };
}

async function fetchBlob(id, thumbnail) {
  var url = serverUrl() + "/api/v1/visitor/attachments/" + encodeURIComponent(id) + (thumbnail ? "/thumbnail" : "");
  var res = await fetch(url, { headers: visitorHeaders(), credentials: "omit", referrerPolicy: "no-referrer" });
  if (!res.ok) throw new Error("HTTP " + res.status);
  return res.blob();
}

// The message's bubble shows the file (replacing whatever it showed: text, an upload's progress).
export function showAttachment(node, att) {
  var bubble = node._lc.bubble;
  bubble.textContent = "";
  bubble.classList.add("file");
  node.setAttribute("data-attachment-id", att.attachment_id);
  node._lc.attachment = att;
  if (att.category === "images" && att.thumbnail) bubble.appendChild(thumbnail(att));
  else bubble.appendChild(fileButton(att));
}

function thumbnail(att) {
  var w = att.width || THUMB_EDGE;
  var h = att.height || THUMB_EDGE;
  var scale = Math.min(1, THUMB_EDGE / Math.max(w, h));
  var img = el("img", { alt: att.name, width: Math.max(1, Math.round(w * scale)),
    height: Math.max(1, Math.round(h * scale)), "data-testid": "attachment-thumbnail" });
  var btn = el("button", { type: "button", class: "thumb", "data-testid": "attachment-image",
    "aria-label": fmt(T.fileView, { name: att.name }), title: att.name }, [img]);
  btn.addEventListener("click", function () { openImage(att, btn); });
  var id = att.attachment_id;
  if (thumbUrls[id]) img.src = thumbUrls[id];
  else {
    fetchBlob(id, true).then(function (blob) {
      if (!thumbUrls[id]) thumbUrls[id] = URL.createObjectURL(blob);
      img.src = thumbUrls[id];
    }, function () { btn.classList.add("broken"); });
  }
  return btn;
}

function fileButton(att) {
  var label = att.size === null ? "" : " · " + humanSize(att.size);
  var btn = el("button", { type: "button", class: "file-link", "data-testid": "attachment-file",
    "aria-label": fmt(T.fileDownload, { name: att.name }) + label, title: att.name }, [
    icon(FILE_ICON, 18),
    el("span", { class: "file-name", dir: "auto", text: att.name }),
    el("span", { class: "file-size", text: label }),
  ]);
  btn.addEventListener("click", function () { download(att, btn); });
  return btn;
}

// The file into a blob, saved under its name (`a.download` on an object URL: no token in a URL).
async function download(att, btn) {
  if (btn.getAttribute("aria-busy") === "true") return;
  btn.setAttribute("aria-busy", "true");
  try {
    var url = URL.createObjectURL(await fetchBlob(att.attachment_id, false));
    var a = el("a", { href: url, download: att.name, hidden: true });
    ui.root.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  } catch (e) {
    btn.classList.add("broken");
    btn.title = T.fileLoadFailed;
  } finally {
    btn.removeAttribute("aria-busy");
  }
}

// --- the image overlay (a modal dialog in the shadow root; Escape or Close ends it) -------------

function openImage(att, opener) {
  closeImage();
  var img = el("img", { class: "ov-img", alt: att.name, "data-testid": "image-full" });
  var close = el("button", { type: "button", class: "ov-close", "data-testid": "image-close",
    "aria-label": T.fileClose, title: T.fileClose }, [icon("close", 22)]);
  var caption = el("div", { class: "ov-cap", dir: "auto", text: att.name });
  var node = el("div", { class: "overlay", role: "dialog", "aria-modal": "true", "aria-label": att.name,
    "data-testid": "image-overlay" }, [close, img, caption]);
  var mine = overlay = { node: node, opener: opener, url: null };
  node.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation(); // not the chat window's Escape (minimize)
      closeImage();
    } else if (e.key === "Tab") {
      e.preventDefault(); // the close button is the dialog's only control
      close.focus();
    }
  });
  node.addEventListener("click", function (e) { if (e.target === node) closeImage(); });
  close.addEventListener("click", closeImage);
  ui.root.appendChild(node);
  close.focus();
  fetchBlob(att.attachment_id, false).then(function (blob) {
    if (overlay !== mine) return;
    mine.url = URL.createObjectURL(blob);
    img.src = mine.url;
  }, function () {
    if (overlay === mine) caption.textContent = T.fileLoadFailed;
  });
}

export function closeImage() {
  if (!overlay) return;
  var o = overlay;
  overlay = null;
  o.node.remove();
  if (o.url) URL.revokeObjectURL(o.url);
  if (o.opener && o.opener.isConnected) o.opener.focus();
}

// The transcript was cleared (another visitor, a reset): its object URLs go with it.
export function forgetAttachments() {
  closeImage();
  Object.keys(thumbUrls).forEach(function (id) { URL.revokeObjectURL(thumbUrls[id]); });
  thumbUrls = {};
}
