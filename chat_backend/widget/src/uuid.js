// A random UUID (v4), also where crypto.randomUUID is missing or refused (insecure context).

export function uuid() {
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
