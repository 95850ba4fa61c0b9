// The site's own origins (from the login result) and the check that a pushed page is on one of them:
// eager (the connection learns the origins; `LiveChatWidget.internals.pageAllowed` is public), while
// the page push UI (page_push.js) is in the chat UI chunk.

import { MAX_URL } from "./config.js";

export let siteOrigins = []; // the site's origins from the login result: pages may be pushed only there

// The site's origins, from the login result.
export function useSiteOrigins(origins) {
  siteOrigins = origins;
}

// `scheme://host[:port]` of an absolute http(s) URL without credentials, backslashes or control
// characters, else null (as chat_protocol.traffic.origin_of).
function originOf(url) {
  if (typeof url !== "string" || !url || url.length > MAX_URL || url !== url.trim()) return null;
  if (/[\u0000-\u001f\u007f\\]/.test(url)) return null;
  var m = /^https?:\/\/([^\/?#]*)/i.exec(url);
  if (!m || !m[1] || m[1].indexOf("@") >= 0) return null;
  try {
    var u = new URL(url);
    if ((u.protocol !== "http:" && u.protocol !== "https:") || u.username || u.password || !u.hostname) return null;
    return u.origin;
  } catch (e) {
    return null;
  }
}

// True when `url` is an http(s) page on exactly one of `origins` (the site's own).
export function pageAllowed(url, origins) {
  var origin = originOf(url);
  if (!origin || !Array.isArray(origins)) return false;
  for (var i = 0; i < origins.length; i++) {
    if (typeof origins[i] === "string" && originOf(origins[i].replace(/\/+$/, "") + "/") === origin) return true;
  }
  return false;
}

export function allowedOrigins() {
  return siteOrigins.length ? siteOrigins : [location.origin];
}
