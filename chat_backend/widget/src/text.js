// Sizes and caps of text: UTF-8 length of a frame, strings and numbers from the site.

var encoder = typeof TextEncoder === "function" ? new TextEncoder() : null;
export function byteLength(s) {
  return encoder ? encoder.encode(s).length : unescape(encodeURIComponent(s)).length;
}

// Plain text from the site: coerced and capped as chat_protocol.traffic does.

// At most `limit` characters (code points, as the server counts), never half a surrogate pair.
export function cutText(s, limit) {
  if (s.length <= limit) return s;
  return Array.from(s.slice(0, limit * 2)).slice(0, limit).join("");
}
// A scalar as text (numbers and booleans too); anything else is empty.
export function scalarText(value, limit) {
  var t = typeof value;
  var s = t === "string" ? value : t === "number" || t === "boolean" || t === "bigint" ? String(value) : "";
  return cutText(s, limit);
}
// A finite number in [0, max]; anything else is 0.
export function amount(value, max) {
  var n = typeof value === "number" ? value : typeof value === "string" ? parseFloat(value) : NaN;
  return isFinite(n) && n > 0 ? Math.min(n, max) : 0;
}
