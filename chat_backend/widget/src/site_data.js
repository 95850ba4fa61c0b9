// The site's API: identify, setCustomData, setCart (and calls queued before the widget loaded).

import {
  MAX_CART_ITEMS, MAX_CUSTOM_FIELDS, MAX_FRAME, MAX_LABEL, MAX_SHORT, MAX_TITLE, MAX_VALUE,
} from "./config.js";
import { loggedIn, sendFrame, sendFrameText } from "./connection.js";
import { amount, byteLength, cutText, scalarText } from "./text.js";

let siteData = {}; // action -> the latest payload, sent after every login
let siteSent = {}; // action -> the JSON this connection has sent already
const SITE_ACTIONS = ["identify", "custom_data", "cart"];

// The payload made with the longest strings that keep the frame under 64 KiB (or null).
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
    external_id: scalarText(who.id, MAX_SHORT),
  };
}

function customDataPayload(data) {
  var keys = Object.keys(data).slice(0, MAX_CUSTOM_FIELDS);
  return fitted("custom_data", function (cap) {
    var out = {};
    keys.forEach(function (key) {
      var value = data[key];
      var text = "";
      if (value !== null && typeof value === "object") {
        try { text = JSON.stringify(value) || ""; } catch (e) { text = ""; }
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
  return fitted("cart", function (cap) {
    var items = [];
    var sum = 0;
    raw.forEach(function (it) {
      if (!it || typeof it !== "object") return;
      var quantity = it.quantity === undefined ? 1 : Math.floor(amount(it.quantity, 1000000));
      var item = { name: scalarText(it.name, Math.min(MAX_TITLE, cap)), price: amount(it.price, 1e9),
        quantity: quantity };
      sum += item.price * item.quantity;
      items.push(item);
    });
    var total = cart.total === undefined || cart.total === null ? Math.min(sum, 1e12) : amount(cart.total, 1e12);
    return { items: items, total: total, currency: scalarText(cart.currency, MAX_LABEL) };
  });
}

function setSiteData(action, payload) {
  if (!payload) return;
  siteData[action] = payload;
  flushSiteData();
}
// A new connection has logged in: it has sent nothing yet.
export function siteDataAfterLogin() {
  siteSent = {};
  flushSiteData();
}

// Frames without an answer; a lost one is sent again after the next login.
function flushSiteData() {
  if (!loggedIn) return;
  SITE_ACTIONS.forEach(function (action) {
    if (!siteData[action]) return;
    var text = JSON.stringify(siteData[action]);
    if (siteSent[action] !== text && sendFrame(action, siteData[action])) siteSent[action] = text;
  });
}

export const API = {
  identify: function (who) {
    if (who && typeof who === "object") setSiteData("identify", identifyPayload(who));
  },
  setCustomData: function (data) {
    if (data && typeof data === "object" && !Array.isArray(data)) setSiteData("custom_data", customDataPayload(data));
  },
  setCart: function (cart) {
    if (cart && typeof cart === "object") setSiteData("cart", cartPayload(cart));
  },
};

// `window.LiveChatWidgetQueue = [["setCart", {...}], ...]` set before the script loaded; later
// pushes onto it are run at once.
export function runQueue() {
  var queue = window.LiveChatWidgetQueue;
  var run = function (call) {
    if (!call || typeof call !== "object" || typeof call.length !== "number") return;
    var fn = Object.prototype.hasOwnProperty.call(API, call[0]) ? API[call[0]] : null;
    if (fn) {
      try { fn(call[1]); } catch (e) { /* bad input from the site: ignored */ }
    }
  };
  if (Array.isArray(queue)) queue.forEach(run);
  try {
    window.LiveChatWidgetQueue = { push: function () { for (var i = 0; i < arguments.length; i++) run(arguments[i]); } };
  } catch (e) { /* read-only global */ }
}
