// The rating card after a chat with an agent ends: good/bad, an optional comment, send or skip.

import { MAX_COMMENT } from "./config.js";
import { ready, request } from "./connection.js";
import { el, icon } from "./dom.js";
import { focusComposer, nearBottom, scrollToBottom, ui, updateChrome } from "./panel.js";
import { T } from "./strings.js";
import { applyEvent, chat } from "./transcript.js";
import { uuid } from "./uuid.js";

export let rating = null; // {chat_id, choice, client_id, status: "prompt" | "sending" | "done"}

// After a chat with an agent ends: good/bad, an optional comment, send or skip.
export function buildRating(r) {
  r.rateGood = el("button", { type: "button", class: "rate good", "data-testid": "rate-good", "aria-pressed": "false" },
    [icon("good", 16), el("span", { text: T.rateGood })]);
  r.rateBad = el("button", { type: "button", class: "rate bad", "data-testid": "rate-bad", "aria-pressed": "false" },
    [icon("bad", 16), el("span", { text: T.rateBad })]);
  r.rateComment = el("textarea", { class: "field", "data-testid": "rating-comment", rows: 2, maxlength: MAX_COMMENT,
    "aria-label": T.rateComment, placeholder: T.rateComment });
  r.rateError = el("div", { class: "form-error", "data-testid": "rating-error", role: "alert", hidden: true });
  r.rateSkip = el("button", { type: "button", class: "btn btn-link", "data-testid": "rating-skip", text: T.rateSkip });
  r.rateSubmit = el("button", { type: "button", class: "btn btn-primary", "data-testid": "rating-submit",
    text: T.rateSubmit, disabled: true });
  r.rating = el("div", { class: "card rating", "data-testid": "rating", role: "group", "aria-labelledby": "lc-rate-title",
    hidden: true }, [
    el("div", { class: "card-title", id: "lc-rate-title", text: T.ratePrompt }),
    el("div", { class: "rate-row" }, [r.rateGood, r.rateBad]),
    r.rateComment,
    r.rateError,
    el("div", { class: "actions" }, [r.rateSkip, r.rateSubmit]),
  ]);
  r.ratingThanks = el("div", { class: "card done", "data-testid": "rating-thanks", role: "status", hidden: true },
    [icon("check", 18), el("span", { text: T.rateThanks })]);
}

// The current chat has just ended: ask for a rating (once per chat, only if an agent was there).
export function offerRating() {
  if (!chat || !chat.hadAgent || (rating && rating.chat_id === chat.chat_id)) return;
  rating = { chat_id: chat.chat_id, choice: null, client_id: uuid(), status: "prompt" };
  ui.rateComment.value = "";
  ui.rateError.hidden = true;
  var stick = nearBottom();
  updateChrome();
  if (stick) scrollToBottom();
}

function chooseRating(choice) {
  if (!rating || rating.status !== "prompt") return;
  rating.choice = choice;
  ui.rateError.hidden = true;
  updateChrome();
}

async function submitRating() {
  var r = rating;
  if (!r || !r.choice || r.status !== "prompt") return;
  ui.rateError.hidden = true;
  if (!ready) {
    ui.rateError.textContent = T.notConnected;
    ui.rateError.hidden = false;
    return;
  }
  r.status = "sending";
  updateChrome();
  try {
    var res = await request("rate_chat", { client_id: r.client_id, rating: r.choice,
      comment: ui.rateComment.value.trim().slice(0, MAX_COMMENT) });
    if (res && res.event) applyEvent(res.event, true);
    r.status = "done";
  } catch (e) {
    if (r.status === "sending") {
      r.status = "prompt";
      if (e.code === "client_id_conflict") r.client_id = uuid();
      ui.rateError.textContent = e.code === "rate_limited" ? T.tooManyTries : T.rateFailed;
      ui.rateError.hidden = false;
    }
  }
  updateChrome();
}

export function wireRating() {
  ui.rateGood.addEventListener("click", function () { chooseRating("good"); });
  ui.rateBad.addEventListener("click", function () { chooseRating("bad"); });
  ui.rateSubmit.addEventListener("click", submitRating);
  ui.rateSkip.addEventListener("click", function () {
    rating = null;
    updateChrome();
    focusComposer();
  });
}

// A new message or a new visitor: no rating prompt.
export function clearRating() {
  rating = null;
}

// Our own rating, echoed as an event (this tab's answer, another tab, a replay): never a bubble.
export function applyRating(ev) {
  if (rating && rating.chat_id === ev.chat_id && ev.author && ev.author.kind === "visitor") {
    rating.status = "done";
    updateChrome();
  }
}
