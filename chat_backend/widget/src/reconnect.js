// When to reconnect after the socket closed: full-jitter exponential backoff, except after a node said
// it is going away (1001, or 1012 "service restart"): then a short random delay, so that a draining
// node's visitors come back through the load balancer soon but spread over a moment instead of all in
// the same instant. Pure (no DOM), so that tests can call it directly.

import { BACKOFF_MAX, BACKOFF_MIN, DRAIN_RECONNECT_MAX } from "./config.js";

export const GOING_AWAY_CODES = [1001, 1012];
// Going-away closes in a row without getting connected, after which the backoff applies again (a node
// that keeps sending us away, or a whole cluster restarting).
export const GOING_AWAY_MAX_STREAK = 3;

// Milliseconds to wait: `code` is the close code (undefined when the socket never opened), `attempt`
// the failures so far, `streak` the going-away closes in a row, `random` a function like Math.random.
export function reconnectDelay(code, attempt, streak, random) {
  if (GOING_AWAY_CODES.indexOf(code) >= 0 && streak < GOING_AWAY_MAX_STREAK) {
    return random() * DRAIN_RECONNECT_MAX;
  }
  return random() * Math.min(BACKOFF_MAX, BACKOFF_MIN * Math.pow(2, attempt));
}
