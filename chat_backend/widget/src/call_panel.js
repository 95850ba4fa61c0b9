// The call panel between the header and the transcript: incoming (who, the recording notice,
// Accept / Decline), then the call (the operator's video, our camera, the controls), then a short
// end notice.

import { call } from "./calls.js";
import { el, icon } from "./dom.js";
import { nearBottom, scrollToBottom, ui } from "./panel.js";
import { T, fmt } from "./strings.js";

// Whether this browser can make a call at all (known before the WebRTC chunk is imported).
export function webrtcSupported() {
  return typeof window.RTCPeerConnection === "function" && !!navigator.mediaDevices &&
    typeof navigator.mediaDevices.getUserMedia === "function";
}

// The video call panel: incoming (who, the recording notice, Accept / Decline), then the call (the
// operator's video with our camera in a corner, microphone / camera / hang-up), then a short end notice.
export function buildCall(r) {
  r.callTitle = el("span", { class: "call-title", "data-testid": "call-title", dir: "auto" });
  r.callTimer = el("span", { class: "call-timer", "data-testid": "call-duration", role: "timer",
    "aria-label": T.callDuration, hidden: true });
  r.callCollapse = el("button", { type: "button", class: "call-icon-btn", "data-testid": "call-collapse",
    "aria-expanded": "true", "aria-label": T.callCollapse, title: T.callCollapse, hidden: true }, [icon("up", 16)]);
  r.callDismiss = el("button", { type: "button", class: "call-icon-btn", "data-testid": "call-dismiss",
    "aria-label": T.callDismiss, title: T.callDismiss, hidden: true }, [icon("close", 16)]);
  r.callState = el("div", { class: "call-state", "data-testid": "call-state", role: "status", "aria-live": "polite",
    dir: "auto" });

  r.callWho = el("div", { class: "call-who", "data-testid": "call-who", role: "alert", dir: "auto" });
  r.callNoticeText = el("span", { "data-testid": "call-recording-notice", dir: "auto" });
  r.callNotice = el("div", { class: "call-notice", role: "note", hidden: true },
    [el("span", { class: "call-notice-title", text: T.callNoticeTitle }), r.callNoticeText]);
  r.callAccept = el("button", { type: "button", class: "call-btn call-accept", "data-testid": "call-accept" },
    [icon("phone", 16), el("span", { text: T.callAccept })]);
  r.callDecline = el("button", { type: "button", class: "call-btn call-decline", "data-testid": "call-decline" },
    [icon("phoneOff", 16), el("span", { text: T.callDecline })]);
  r.callIncoming = el("div", { class: "call-incoming", "data-testid": "call-incoming", hidden: true }, [
    r.callWho,
    r.callNotice,
    el("div", { class: "call-actions" }, [r.callAccept, r.callDecline]),
  ]);

  // `muted` is set as a property (the attribute is only the default); the remote element plays the
  // operator's audio too, so it must not be muted.
  r.callRemote = el("video", { class: "call-remote", "data-testid": "call-remote-video", autoplay: true,
    playsinline: true, "aria-label": T.callRemoteVideo });
  r.callRemote.muted = false;
  r.callLocal = el("video", { class: "call-local", "data-testid": "call-local-video", autoplay: true,
    playsinline: true, muted: true, "aria-label": T.callLocalVideo, hidden: true });
  r.callLocal.muted = true;
  r.callRemoteOff = el("div", { class: "call-remote-off", "data-testid": "call-remote-camera-off",
    text: T.callRemoteCamOff, hidden: true });
  r.callStage = el("div", { class: "call-stage" }, [r.callRemote, r.callRemoteOff, r.callLocal]);
  r.callMic = el("button", { type: "button", class: "cbtn", "data-testid": "call-mic", "aria-label": T.callMic,
    "aria-pressed": "true" });
  r.callCam = el("button", { type: "button", class: "cbtn", "data-testid": "call-camera", "aria-label": T.callCamera,
    "aria-pressed": "false" });
  r.callHangup = el("button", { type: "button", class: "cbtn hang", "data-testid": "call-hangup",
    "aria-label": T.callHangup, title: T.callHangup }, [icon("phoneOff", 18)]);
  r.callInfo = el("div", { class: "call-info", "data-testid": "call-info", role: "status", hidden: true });
  r.callMedia = el("div", { class: "call-media", "data-testid": "call-media", hidden: true }, [
    r.callStage,
    el("div", { class: "call-controls" }, [r.callMic, r.callCam, r.callHangup]),
  ]);

  r.call = el("section", { class: "call", "data-testid": "call-panel", "aria-label": T.callRegion, tabindex: "-1",
    hidden: true }, [
    el("div", { class: "call-head" }, [icon("video", 18), r.callTitle, r.callTimer, r.callCollapse, r.callDismiss]),
    r.callIncoming,
    r.callMedia,
    r.callState,
    r.callInfo,
  ]);
}

function endText(c) {
  var r = c.reason;
  if (r === "hangup") return c.endedBy === "visitor" ? T.end_hangup_visitor : T.end_hangup_agent;
  return (r && T["end_" + r]) || T.end_other;
}

export function renderCall() {
  if (!ui) return;
  var c = call;
  var stick = nearBottom();
  ui.call.hidden = !c;
  if (!c) {
    ui.call.removeAttribute("data-state");
    ui.call.removeAttribute("data-reason");
    ui.call.removeAttribute("data-call-id");
    return;
  }
  var live = c.phase !== "incoming" && c.phase !== "ended";
  ui.call.setAttribute("data-state", c.phase);
  ui.call.setAttribute("data-call-id", c.id);
  if (c.phase === "ended" && c.reason) ui.call.setAttribute("data-reason", c.reason);
  else ui.call.removeAttribute("data-reason");
  ui.call.classList.toggle("collapsed", c.collapsed);

  ui.callTitle.textContent = c.phase === "incoming" ? T.callIncomingTitle : c.phase === "ended" ? T.call_ended :
    fmt(T.callWith, { name: c.agentName || T.agent });

  // "{name} is calling you", the name in its own plain-text element.
  ui.callIncoming.hidden = c.phase !== "incoming";
  if (c.phase === "incoming") {
    var parts = T.callIncoming.split("{name}");
    ui.callWho.textContent = "";
    ui.callWho.appendChild(document.createTextNode(parts[0]));
    ui.callWho.appendChild(el("span", { class: "call-agent", "data-testid": "call-agent-name", dir: "auto",
      text: c.agentName }));
    ui.callWho.appendChild(document.createTextNode(parts.slice(1).join("")));
    ui.callNoticeText.textContent = c.notice;
    ui.callNotice.hidden = !c.notice;
    ui.callAccept.disabled = !webrtcSupported();
  }

  ui.callMedia.hidden = !live;
  ui.callCollapse.hidden = !live;
  ui.callCollapse.setAttribute("aria-expanded", c.collapsed ? "false" : "true");
  ui.callCollapse.setAttribute("aria-label", c.collapsed ? T.callExpand : T.callCollapse);
  ui.callCollapse.title = c.collapsed ? T.callExpand : T.callCollapse;
  ui.callCollapse.textContent = "";
  ui.callCollapse.appendChild(icon(c.collapsed ? "down" : "up", 16));
  ui.callDismiss.hidden = c.phase !== "ended";

  var micOn = !!(c.micTrack && c.micOn);
  ui.callMic.disabled = !live || !c.micTrack;
  ui.callMic.setAttribute("aria-pressed", micOn ? "true" : "false");
  ui.callMic.setAttribute("data-state", c.micTrack ? (c.micOn ? "on" : "off") : "unavailable");
  ui.callMic.title = c.micTrack ? (c.micOn ? T.callMicMute : T.callMicUnmute) : T.callNoMic;
  ui.callMic.textContent = "";
  ui.callMic.appendChild(icon(micOn ? "mic" : "micOff", 18));
  var camOn = !!(c.camTrack && c.camOn);
  ui.callCam.disabled = !live || !c.videoTx || c.camBusy;
  ui.callCam.setAttribute("aria-pressed", camOn ? "true" : "false");
  ui.callCam.setAttribute("data-state", camOn ? "on" : "off");
  ui.callCam.title = c.pc && !c.videoTx ? T.callCamUnavailable : camOn ? T.callCamOff : T.callCamOn;
  ui.callCam.textContent = "";
  ui.callCam.appendChild(icon(camOn ? "video" : "videoOff", 18));
  ui.callLocal.hidden = !camOn;
  ui.callRemoteOff.hidden = c.remoteCam;

  var state = c.phase === "ended" ? endText(c) : live ? T["call_" + c.phase] : "";
  if (live && !c.remoteMic) state += " · " + T.callRemoteMuted;
  ui.callState.textContent = state;
  ui.callState.hidden = state === "";
  // The running time while connected; the server's figure once ended (a call that never connected: none).
  var seconds = c.phase === "ended" ? (c.durationS > 0 ? c.durationS : null) :
    c.connectedAt ? (Date.now() - c.connectedAt) / 1000 : null;
  ui.callTimer.hidden = seconds === null;
  if (seconds !== null) ui.callTimer.textContent = formatDuration(seconds);

  var info = c.info || (live && c.micFailed ? T.callNoMic : "");
  ui.callInfo.textContent = info;
  ui.callInfo.hidden = info === "";
  if (stick) scrollToBottom();
}

// h:mm:ss, or m:ss under an hour.
export function formatDuration(seconds) {
  var s = Math.max(0, Math.round(seconds || 0));
  var h = Math.floor(s / 3600);
  var m = Math.floor((s % 3600) / 60);
  var ss = ("0" + (s % 60)).slice(-2);
  return h > 0 ? h + ":" + ("0" + m).slice(-2) + ":" + ss : m + ":" + ss;
}
