// The WebRTC side of a video call: the microphone and the camera, the peer connection, the agent's
// offer and our answer, ICE candidates both ways.

import { renderCall } from "./call_panel.js";
import { call, endCall, markConnected } from "./calls.js";
import { request } from "./connection.js";
import { ui } from "./panel.js";
import { T } from "./strings.js";
import { cutText } from "./text.js";

const MAX_PENDING_ICE = 100;
const MAX_SDP = 20000; // calls.MAX_SDP_CHARS
const MAX_CANDIDATE = 1000; // calls.MAX_CANDIDATE_CHARS

// STUN/TURN servers as RTCPeerConnection takes them; anything malformed is dropped.
export function iceServersFrom(list) {
  if (!Array.isArray(list)) return [];
  var out = [];
  list.slice(0, 8).forEach(function (s) {
    if (!s || typeof s !== "object" || !Array.isArray(s.urls)) return;
    var urls = s.urls.filter(function (u) { return typeof u === "string" && /^(stun|stuns|turn|turns):/i.test(u); });
    if (!urls.length) return;
    var server = { urls: urls.slice(0, 8) };
    if (typeof s.username === "string" && s.username) server.username = s.username;
    if (typeof s.credential === "string" && s.credential) server.credential = s.credential;
    out.push(server);
  });
  return out;
}

export function startMicrophone(c) {
  var gen = ++c.micGen;
  if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== "function") {
    c.micFailed = true;
    renderCall();
    return;
  }
  navigator.mediaDevices.getUserMedia({ audio: true, video: false }).then(function (stream) {
    var track = stream.getAudioTracks()[0] || null;
    if (call !== c || c.phase === "ended" || !c.accepted || gen !== c.micGen) {
      stream.getTracks().forEach(function (t) { t.stop(); });
      return;
    }
    stream.getVideoTracks().forEach(function (t) { t.stop(); });
    if (!track) {
      c.micFailed = true;
      renderCall();
      return;
    }
    c.micTrack = track;
    track.enabled = c.micOn;
    track.addEventListener("ended", function () {
      if (call !== c || c.micTrack !== track || c.phase === "ended") return;
      c.micTrack = null; // unplugged
      c.micFailed = true;
      renderCall();
      sendCallMedia(c);
    });
    attachMicrophone(c);
    renderCall();
    sendCallMedia(c);
  }, function () {
    if (call !== c || c.phase === "ended" || gen !== c.micGen) return;
    c.micFailed = true; // denied or no device: the call goes on receive-only
    renderCall();
    sendCallMedia(c);
  });
}

function attachMicrophone(c) {
  if (!c.audioTx || !c.micTrack) return;
  c.audioTx.sender.replaceTrack(c.micTrack).catch(function () { /* the call is ending */ });
}

export function toggleMicrophone() {
  var c = call;
  if (!c || !c.micTrack || c.phase === "ended") return;
  c.micOn = !c.micOn;
  c.micTrack.enabled = c.micOn;
  renderCall();
  sendCallMedia(c);
}

export function toggleCamera() {
  var c = call;
  if (!c || !c.videoTx || c.camBusy || c.phase === "ended") return;
  if (c.camOn) {
    var old = c.camTrack;
    c.camOn = false;
    c.camTrack = null;
    c.videoTx.sender.replaceTrack(null).catch(function () { /* the call is ending */ });
    if (old) old.stop(); // the camera light goes off
    ui.callLocal.srcObject = null;
    renderCall();
    sendCallMedia(c);
    return;
  }
  c.camBusy = true;
  c.info = "";
  renderCall();
  navigator.mediaDevices.getUserMedia({ audio: false, video: { width: { ideal: 640 }, height: { ideal: 480 } } })
    .then(function (stream) {
      var track = stream.getVideoTracks()[0] || null;
      c.camBusy = false;
      if (call !== c || c.phase === "ended" || !track || !c.videoTx) {
        stream.getTracks().forEach(function (t) { t.stop(); });
        renderCall();
        return;
      }
      return c.videoTx.sender.replaceTrack(track).then(function () {
        if (call !== c || c.phase === "ended") {
          track.stop();
          return;
        }
        c.camTrack = track;
        c.camOn = true;
        ui.callLocal.srcObject = new MediaStream([track]);
        playQuietly(ui.callLocal);
        track.addEventListener("ended", function () {
          if (call !== c || c.camTrack !== track) return;
          c.camTrack = null;
          c.camOn = false;
          ui.callLocal.srcObject = null;
          renderCall();
          sendCallMedia(c);
        });
        renderCall();
        sendCallMedia(c);
      });
    })
    .catch(function () {
      c.camBusy = false;
      if (call !== c || c.phase === "ended") return;
      c.info = T.callNoCamera;
      renderCall();
    });
}

function sendCallMedia(c) {
  if (!c || c.phase === "ended") return;
  request("call_media", { call_id: c.id, microphone: !!(c.micTrack && c.micOn), camera: !!(c.camTrack && c.camOn) })
    .catch(function () { /* the next change or the call's end tells the truth */ });
}

function reportCallState(c, state, detail) {
  if (c.reported === state) return;
  c.reported = state;
  request("call_state_report", { call_id: c.id, state: state, detail: detail || "" })
    .catch(function () { /* the server also watches the sockets */ });
}

function sendSignal(c, payload) {
  payload.call_id = c.id;
  return request("call_signal", payload);
}

// `call_signal` from the agent: offers and candidates, applied one after the other.
export function onCallSignal(p) {
  var c = call;
  if (!c || p.call_id !== c.id || !c.accepted || c.phase === "ended") return;
  if (p.kind === "offer" && typeof p.sdp === "string" && p.sdp && p.sdp.length <= MAX_SDP) {
    var sdp = p.sdp;
    c.signals = c.signals.then(function () { return applyOffer(c, sdp); }).catch(function (e) {
      if (call !== c || c.phase === "ended") return;
      reportCallState(c, "failed", cutText(String((e && e.message) || e), 200));
      endCall("failed", "visitor", null);
    });
  } else if (p.kind === "ice" && typeof p.candidate === "string" && p.candidate.length <= MAX_CANDIDATE) {
    var cand = { candidate: p.candidate, sdpMid: typeof p.sdp_mid === "string" ? p.sdp_mid : null,
      sdpMLineIndex: typeof p.sdp_mline_index === "number" ? p.sdp_mline_index : null };
    if (cand.sdpMid === null && cand.sdpMLineIndex === null) cand.sdpMLineIndex = 0;
    if (!c.remoteSet) {
      if (c.pendingIce.length < MAX_PENDING_ICE) c.pendingIce.push(cand);
      return;
    }
    c.signals = c.signals.then(function () { return addRemoteCandidate(c, cand); });
  }
}

function addRemoteCandidate(c, cand) {
  if (!c.pc || call !== c || c.phase === "ended") return Promise.resolve();
  // An empty candidate is the end of the agent's candidates.
  var add = cand.candidate === "" ? c.pc.addIceCandidate() : c.pc.addIceCandidate(cand);
  return add.catch(function () { /* a candidate this connection cannot use: ICE tries the others */ });
}

function createPeer(c) {
  var pc = new RTCPeerConnection({ iceServers: c.iceServers });
  c.pc = pc;
  pc.onicecandidate = function (e) {
    if (call !== c || c.phase === "ended") return;
    var cand = e.candidate;
    var payload = cand ?
      { kind: "ice", candidate: cand.candidate, sdp_mid: cand.sdpMid, sdp_mline_index: cand.sdpMLineIndex } :
      { kind: "ice", candidate: "" };
    if (payload.candidate.length > MAX_CANDIDATE) return;
    sendSignal(c, payload).catch(function () { /* lost: ICE uses the other candidates */ });
  };
  pc.ontrack = function (e) {
    if (call !== c) return;
    if (!c.remoteStream) c.remoteStream = new MediaStream();
    if (c.remoteStream.getTracks().indexOf(e.track) < 0) c.remoteStream.addTrack(e.track);
    if (ui.callRemote.srcObject !== c.remoteStream) ui.callRemote.srcObject = c.remoteStream;
    ui.callRemote.muted = false;
    playQuietly(ui.callRemote);
  };
  pc.onconnectionstatechange = function () {
    if (call !== c || c.phase === "ended") return;
    var state = pc.connectionState;
    if (state === "connected") {
      reportCallState(c, "connected");
      markConnected(c);
    } else if (state === "disconnected") {
      reportCallState(c, "reconnecting");
      c.phase = "reconnecting";
      renderCall();
    } else if (state === "failed") {
      reportCallState(c, "failed", "ice failed");
      endCall("failed", "visitor", c.connectedAt ? (Date.now() - c.connectedAt) / 1000 : 0);
    }
  };
  return pc;
}

// The agent's offer (the first one, or a later renegotiation): answer with our audio and video
// transceivers `sendrecv` (see the comment at the top of calls.js).
function applyOffer(c, sdp) {
  if (call !== c || c.phase === "ended") return Promise.resolve();
  var pc = c.pc || createPeer(c);
  return pc.setRemoteDescription({ type: "offer", sdp: sdp }).then(function () {
    if (call !== c || c.phase === "ended") return;
    c.remoteSet = true;
    pc.getTransceivers().forEach(function (tx) {
      var kind = tx.receiver && tx.receiver.track ? tx.receiver.track.kind : "";
      if (tx.stopped || tx.currentDirection === "stopped") return;
      if (kind === "audio" && !c.audioTx) c.audioTx = tx;
      else if (kind === "video" && !c.videoTx) c.videoTx = tx;
      else return;
      tx.direction = "sendrecv";
    });
    attachMicrophone(c);
    if (c.camTrack && c.videoTx) c.videoTx.sender.replaceTrack(c.camTrack).catch(function () { /* ending */ });
    return pc.createAnswer();
  }).then(function (answer) {
    if (!answer || call !== c || c.phase === "ended") return;
    return pc.setLocalDescription(answer);
  }).then(function () {
    if (call !== c || c.phase === "ended" || !pc.localDescription) return;
    var queued = c.pendingIce;
    c.pendingIce = [];
    renderCall();
    return sendSignal(c, { kind: "answer", sdp: pc.localDescription.sdp }).then(function () {
      // A call carried from the previous page with the camera on: on again here.
      if (c.wantCam && !c.camOn && !c.camBusy && c.videoTx && call === c) {
        c.wantCam = false;
        toggleCamera();
      }
      return Promise.all(queued.map(function (cand) { return addRemoteCandidate(c, cand); }));
    });
  });
}

function playQuietly(video) {
  try {
    var p = video.play();
    if (p && typeof p.catch === "function") p.catch(function () { /* autoplay refused: the controls stay */ });
  } catch (e) { /* not playable yet */ }
}

// No camera or microphone left open, no connection left behind.
export function stopCallMedia(c) {
  c.micGen++; // a microphone still being granted is stopped when it comes
  [c.micTrack, c.camTrack].forEach(function (t) { if (t) t.stop(); });
  c.micTrack = null;
  c.camTrack = null;
  c.camOn = false;
  if (c.pc) {
    try {
      c.pc.getSenders().forEach(function (s) { if (s.track) s.track.stop(); });
    } catch (e) { /* closed */ }
    c.pc.onicecandidate = c.pc.ontrack = c.pc.onconnectionstatechange = null;
    try { c.pc.close(); } catch (e) { /* closed */ }
  }
  c.pc = null;
  c.audioTx = c.videoTx = null;
  c.remoteStream = null;
  if (call === c && ui) {
    ui.callRemote.srcObject = null;
    ui.callLocal.srcObject = null;
  }
}
