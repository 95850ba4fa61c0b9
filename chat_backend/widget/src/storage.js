// localStorage (may be missing or throw: falls back to memory) and sessionStorage, and the keys
// the widget keeps there, per site.

var memory = {};
export const store = {
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
export const session = {
  get: function (key) {
    try { return window.sessionStorage.getItem(key); } catch (e) { return null; }
  },
  set: function (key, value) {
    try { window.sessionStorage.setItem(key, value); } catch (e) { /* disabled */ }
  },
};

// Keys of this site's entries (useSiteKeys).
export let K_TOKEN = null;
export let K_OUTBOX = null;
export let K_NAME = null;
export let K_OPEN = null;
export let K_AVAILABLE = null;
export let K_OFFLINE_SENT = null;
export let K_INVITES = null; // {invitation_id: "dismissed" | "replied"}, the latest 20
export let K_CALL = null; // sessionStorage: the call_id of a call this tab shows (to explain a reload)
export let K_CALL_CARRY = null; // sessionStorage: a call carried to a pushed page (see carryCallAcrossPush)
export let K_PREVIEW = null; // sessionStorage: the chat whose operator watches this tab's pages (preview.js)

export function useSiteKeys(siteId) {
  var key = "livechat:" + siteId + ":";
  K_TOKEN = key + "token";
  K_OUTBOX = key + "outbox";
  K_NAME = key + "name";
  K_OPEN = key + "open";
  K_AVAILABLE = key + "available";
  K_OFFLINE_SENT = key + "offline-sent";
  K_INVITES = key + "invitations";
  K_CALL = key + "call";
  K_CALL_CARRY = key + "call-carry";
  K_PREVIEW = key + "preview";
}
