// Tracking: the page and the device in `login`, single-page-app moves as `page_view`.

import { MAX_LABEL, MAX_TITLE, MAX_URL, PAGE_VIEW_DEBOUNCE } from "./config.js";
import { loggedIn, sendFrame } from "./connection.js";
import { cutText, scalarText } from "./text.js";

// {device_class, os, browser} from User-Agent Client Hints when present, else the UA string.
export function describeDevice(ua, uaData, touchPoints) {
  ua = typeof ua === "string" ? ua : "";
  var os = "";
  var browser = "";
  var cls = "";
  if (uaData && typeof uaData === "object") {
    var platform = typeof uaData.platform === "string" ? uaData.platform : "";
    os = { "Chrome OS": "ChromeOS", "Chromium OS": "ChromeOS", "Mac OS X": "macOS" }[platform] || platform;
    var brands = Array.isArray(uaData.brands) ? uaData.brands.map(function (b) { return b && b.brand; }) : [];
    var known = [["Microsoft Edge", "Edge"], ["Opera", "Opera"], ["Samsung Internet", "Samsung Internet"],
      ["Google Chrome", "Chrome"], ["Chromium", "Chrome"]];
    for (var i = 0; i < known.length && !browser; i++) if (brands.indexOf(known[i][0]) >= 0) browser = known[i][1];
    if (uaData.mobile === true) cls = "mobile";
    else if (os === "Android" || os === "iOS") cls = "tablet";
    else if (os) cls = "desktop";
  }
  var appleTouch = /Macintosh/.test(ua) && touchPoints > 1; // iPadOS asks for desktop pages
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
    if (/iPad|Tablet/.test(ua) || appleTouch || (/Android/.test(ua) && !/Mobile/.test(ua))) cls = "tablet";
    else if (/Mobi|iPhone|iPod|Android/.test(ua)) cls = "mobile";
    else if (os) cls = "desktop";
    else cls = "unknown";
  }
  return { device_class: cls, os: cutText(os, MAX_LABEL), browser: cutText(browser, MAX_LABEL) };
}

export function deviceInfo() {
  var d = describeDevice(navigator.userAgent, navigator.userAgentData, navigator.maxTouchPoints || 0);
  d.language = scalarText(navigator.language, MAX_LABEL);
  try {
    d.time_zone = scalarText(Intl.DateTimeFormat().resolvedOptions().timeZone, MAX_LABEL);
  } catch (e) {
    d.time_zone = "";
  }
  return d;
}

export let pageUrl = location.href; // the page as the server last heard of it (or will, in `login`)
let pageReferrer = document.referrer;
let loginPageUrl = null; // the URL this connection's `login` carried
let pageTimer = null;

// A `login` that carried `url` has succeeded.
export function loggedInWithPage(url) {
  loginPageUrl = url;
}

export function currentPage() {
  return { url: cutText(pageUrl, MAX_URL), title: scalarText(document.title, MAX_TITLE),
    referrer: cutText(pageReferrer || "", MAX_URL) };
}

// history.pushState/replaceState, popstate, hashchange: a page_view once the URL really changed
// and the app had ~300 ms to set the title. A closed socket sends it in the next `login` instead.
function onNavigation() {
  clearTimeout(pageTimer);
  pageTimer = setTimeout(function () {
    pageTimer = null;
    if (location.href === pageUrl) return;
    pageReferrer = pageUrl;
    pageUrl = location.href;
    if (loggedIn) sendPageView();
  }, PAGE_VIEW_DEBOUNCE);
}
export function sendPageView() {
  if (loginPageUrl !== pageUrl && sendFrame("page_view", currentPage())) loginPageUrl = pageUrl;
}

export function watchNavigation() {
  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    if (typeof original !== "function") return;
    history[name] = function () {
      var result = original.apply(this, arguments);
      onNavigation();
      return result;
    };
  });
  window.addEventListener("popstate", onNavigation);
  window.addEventListener("hashchange", onNavigation);
}
