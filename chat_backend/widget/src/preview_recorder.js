// The page recorder of the live preview (preview.js): rrweb's `record`, a chunk of its own imported
// only when an operator asks to watch the page. Privacy first: every form field's value is masked
// (passwords and card fields whatever the options), a site's private parts (`data-chat-private`) and
// the widget itself are blocked out, stylesheets are inlined (the operator's app loads nothing from
// the page), no canvas, mouse moves and scrolls sampled. `pageSize` guesses the size of a full
// snapshot cheaply, before rrweb spends the visitor's time serializing a page too large to send.

import { record } from "rrweb";

export const BLOCK_SELECTOR = "[data-chat-private],[data-livechat]";
const BYTES_PER_ELEMENT = 64; // rrweb's JSON of an element without its text: its id, tag, attributes
const TOO_MANY_ELEMENTS = 40000; // past this the text is not even looked at

// About the bytes of a full snapshot of this page (its elements and its text), at least.
export function pageSize() {
  var elements = document.getElementsByTagName("*").length;
  if (elements > TOO_MANY_ELEMENTS) return elements * BYTES_PER_ELEMENT;
  var root = document.documentElement;
  return elements * BYTES_PER_ELEMENT + (root ? root.textContent.length : 0);
}

// Starts recording; `emit(event, isCheckout)` gets every event. Returns {stop, snapshot}.
export function startRecording(emit) {
  var stop = record({
    emit: emit,
    maskAllInputs: true,
    maskInputOptions: { password: true, color: true, date: true, "datetime-local": true, email: true,
      month: true, number: true, range: true, search: true, tel: true, text: true, time: true, url: true,
      week: true, textarea: true, select: true },
    maskInputFn: function (text) { return "*".repeat(Math.min(text.length, 64)); },
    blockSelector: BLOCK_SELECTOR,
    inlineStylesheet: true,
    inlineImages: false,
    collectFonts: false,
    recordCanvas: false,
    recordCrossOriginIframes: false,
    sampling: { mousemove: 100, scroll: 150, media: 800 }, // every input: the operator sees typing (masked) live
    slimDOMOptions: { script: true, comment: true, headFavicon: true, headWhitespace: true,
      headMetaSocial: true, headMetaRobots: true, headMetaHttpEquiv: true, headMetaVerification: true },
  });
  return {
    stop: function () { if (stop) stop(); stop = null; },
    snapshot: function () {
      try {
        record.takeFullSnapshot(true);
      } catch (e) {
        // Not started yet (the page is still loading): rrweb takes the first one once it is loaded.
      }
    },
  };
}
