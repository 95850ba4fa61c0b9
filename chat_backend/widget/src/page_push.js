// Page push: the operator offers a page of the site; the visitor opens it or not. Only pages on the
// site's own origins are opened (the server checks too).

import { carryCallAcrossPush } from "./calls.js";
import { MAX_URL } from "./config.js";
import { ready, request } from "./connection.js";
import { el, icon } from "./dom.js";
import { mutate } from "./panel.js";
import { allowedOrigins, pageAllowed } from "./page_origins.js";
import { T } from "./strings.js";
import { cutText } from "./text.js";
import { applyEvent, byEventId, place } from "./transcript.js";
import { uuid } from "./uuid.js";

let pushes = {}; // "chat_id:seq" of a page_push offer -> its state and DOM node
let pushAnswers = {}; // "chat_id:offer_seq" -> "accepted" | "declined"

// A new visitor: no offers shown.
export function resetPagePushes() {
  pushes = {};
  pushAnswers = {};
}

export function applyPagePush(ev, order, seq) {
  if (typeof ev.event_id === "number") byEventId[ev.event_id] = true;
  var url = typeof ev.url === "string" ? cutText(ev.url, MAX_URL) : "";
  var key;
  if (ev.state === "offered") {
    key = ev.chat_id + ":" + seq;
    if (pushes[key]) return;
  } else if ((ev.state === "accepted" || ev.state === "declined") && typeof ev.offer_seq === "number") {
    key = ev.chat_id + ":" + ev.offer_seq;
    pushAnswers[key] = ev.state;
    if (pushes[key]) {
      pushes[key].answer = ev.state;
      mutate(function () { renderPush(pushes[key]); });
      return;
    }
  } else {
    return;
  }
  // An offer, or an answer whose offer we never saw: one line at this seq.
  var item = { chatId: ev.chat_id, seq: ev.state === "offered" ? seq : ev.offer_seq, url: url,
    answer: pushAnswers[key] || null, busy: false, refused: false, error: null, clientIds: {} };
  item.node = el("div", { class: "push", "data-testid": "page-push", "data-seq": String(seq), role: "group" });
  item.node._lc = { authorKey: null };
  pushes[key] = item;
  mutate(function () {
    renderPush(item);
    place(item.node, order, seq);
  });
}

function renderPush(item) {
  var node = item.node;
  var state = item.answer || (item.refused ? "refused" : "offered");
  node.setAttribute("data-state", state);
  node.className = item.answer || item.refused ? "push status" : "push";
  node.textContent = "";
  var url = el("span", { class: "push-url", "data-testid": "page-push-url", dir: "ltr", text: item.url });
  if (item.answer || item.refused) {
    var said = item.answer === "accepted" ? T.pushAccepted : T.pushDeclined;
    node.appendChild(el("span", { text: said + " " }));
    node.appendChild(url);
  } else {
    node.appendChild(el("div", { class: "push-title" }, [icon("link", 16), el("span", { text: T.pushPrompt })]));
    node.appendChild(url);
  }
  if (item.refused) {
    node.appendChild(el("div", { class: "push-error", "data-testid": "page-push-refused", role: "alert",
      text: T.pushRefused }));
  } else if (item.error && !item.answer) {
    node.appendChild(el("div", { class: "push-error", "data-testid": "page-push-error", role: "alert",
      text: item.error }));
  }
  if (!item.answer && !item.refused) {
    var open = el("button", { type: "button", class: "btn btn-primary", "data-testid": "page-push-open",
      text: item.busy === "open" ? T.pushOpening : T.pushOpen, disabled: !!item.busy });
    var decline = el("button", { type: "button", class: "btn btn-link", "data-testid": "page-push-decline",
      text: T.pushDecline, disabled: !!item.busy });
    open.addEventListener("click", function () { answerPush(item, true); });
    decline.addEventListener("click", function () { answerPush(item, false); });
    node.appendChild(el("div", { class: "actions" }, [decline, open]));
  }
}

// Open: the widget checks the URL itself first (the server did too); a page elsewhere is refused
// and declined. The page opens only after the server stored the answer.
async function answerPush(item, accept) {
  if (item.busy || item.answer || item.refused) return;
  if (accept && !pageAllowed(item.url, allowedOrigins())) {
    item.refused = true;
    accept = false;
  }
  if (!ready) {
    item.error = T.notConnected;
    mutate(function () { renderPush(item); });
    return;
  }
  var key = accept ? "yes" : "no";
  if (!item.clientIds[key]) item.clientIds[key] = uuid();
  item.busy = accept ? "open" : "decline";
  item.error = null;
  mutate(function () { renderPush(item); });
  try {
    var res = await request("answer_page_push", { client_id: item.clientIds[key], seq: item.seq, accept: accept });
    item.busy = false;
    if (res && res.event) applyEvent(res.event, true);
    item.answer = item.answer || (accept ? "accepted" : "declined");
    mutate(function () { renderPush(item); });
    // The stored answer decides (another tab may have answered first).
    if (item.answer === "accepted" && pageAllowed(item.url, allowedOrigins())) {
      carryCallAcrossPush(); // the server keeps a running call for the new page
      location.assign(item.url);
    }
  } catch (e) {
    item.busy = false;
    if (e.code === "rate_limited") item.error = T.tooManyTries;
    else if (e.code === "disconnected" || e.code === "timeout") item.error = T.notConnected;
    else item.error = T.pushFailed;
    mutate(function () { renderPush(item); });
  }
}
