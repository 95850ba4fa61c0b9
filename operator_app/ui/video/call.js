// The operator's media side of a 1:1 call, hosted by operator_app/ui/video/engine.py.
// Talks to Python only through the web channel object `bridge`: bridge.post(json) out, bridge.to_page(json)
// in. Nothing here loads anything remote; text from the visitor is set with textContent only.
"use strict";

(function () {
  let bridge = null;
  let pc = null;
  let localStream = null;
  let iceServers = [];
  let wantMicrophone = true;
  let wantCamera = true;
  let statsTimer = null;
  let lastInbound = null;
  let pendingCandidates = [];
  let restartedIce = false;
  let disconnectTimer = null;
  let stopped = false;
  // Opening the devices takes a while; an offer made before it would carry no tracks (nothing sent).
  let mediaReady = Promise.resolve();

  const remoteVideo = document.getElementById("remote");
  const localVideo = document.getElementById("local");
  const initialsBox = document.getElementById("initials");
  const initialsText = document.getElementById("initialsText");

  function post(message) {
    if (bridge) bridge.post(JSON.stringify(message));
  }

  function liveTracks() {
    return localStream ? localStream.getTracks().filter((t) => t.readyState === "live").length : 0;
  }

  // --- local media ------------------------------------------------------------------------------

  async function tryMedia(constraints) {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch (error) {
      return null;
    }
  }

  async function preferredId(kind, label) {
    if (!label) return null;
    try {
      const devices = await navigator.mediaDevices.enumerateDevices();
      const match = devices.find((d) => d.kind === kind && d.label === label);
      return match ? match.deviceId : null;
    } catch (error) {
      return null;
    }
  }

  async function openLocalMedia(cameraLabel, microphoneLabel) {
    // Both first, then what is available: no camera -> audio only, no microphone -> video only.
    let stream = await tryMedia({ audio: true, video: true });
    if (!stream) stream = await tryMedia({ audio: true });
    if (!stream) stream = await tryMedia({ video: true });
    if (stream && (cameraLabel || microphoneLabel)) {
      // Labels are readable only once access was granted: switch to the chosen devices now.
      const videoId = stream.getVideoTracks().length ? await preferredId("videoinput", cameraLabel) : null;
      const audioId = stream.getAudioTracks().length ? await preferredId("audioinput", microphoneLabel) : null;
      const current = (tracks) => (tracks.length ? tracks[0].getSettings().deviceId : null);
      if ((videoId && videoId !== current(stream.getVideoTracks())) ||
          (audioId && audioId !== current(stream.getAudioTracks()))) {
        const chosen = await tryMedia({
          audio: stream.getAudioTracks().length ? (audioId ? { deviceId: { exact: audioId } } : true) : false,
          video: stream.getVideoTracks().length ? (videoId ? { deviceId: { exact: videoId } } : true) : false,
        });
        if (chosen) {
          stream.getTracks().forEach((t) => t.stop());
          stream = chosen;
        }
      }
    }
    localStream = stream;
    const hasMicrophone = !!stream && stream.getAudioTracks().length > 0;
    const hasCamera = !!stream && stream.getVideoTracks().length > 0;
    if (hasCamera) {
      localVideo.srcObject = stream;
    }
    localVideo.style.display = hasCamera && wantCamera ? "block" : "none";
    applyLocalMedia();
    post({
      type: "media",
      microphone: hasMicrophone,
      camera: hasCamera,
      camera_label: hasCamera ? stream.getVideoTracks()[0].label : "",
      microphone_label: hasMicrophone ? stream.getAudioTracks()[0].label : "",
      live_tracks: liveTracks(),
    });
  }

  function applyLocalMedia() {
    if (!localStream) return;
    localStream.getAudioTracks().forEach((t) => (t.enabled = wantMicrophone));
    localStream.getVideoTracks().forEach((t) => (t.enabled = wantCamera));
    localVideo.style.display = localStream.getVideoTracks().length && wantCamera ? "block" : "none";
  }

  // --- peer connection --------------------------------------------------------------------------

  function createPeer() {
    pc = new RTCPeerConnection({ iceServers: iceServers });
    // Send-receive transceivers even without a device: the visitor can later replaceTrack() a
    // camera without renegotiation, and we always receive theirs.
    const streams = localStream ? [localStream] : [];
    const audio = localStream && localStream.getAudioTracks()[0];
    const video = localStream && localStream.getVideoTracks()[0];
    pc.addTransceiver(audio || "audio", { direction: "sendrecv", streams: streams });
    pc.addTransceiver(video || "video", { direction: "sendrecv", streams: streams });
    pc.onicecandidate = (event) => {
      if (event.candidate) {
        post({
          type: "signal",
          kind: "ice",
          candidate: event.candidate.candidate,
          sdp_mid: event.candidate.sdpMid,
          sdp_mline_index: event.candidate.sdpMLineIndex,
        });
      } else {
        post({ type: "signal", kind: "ice", candidate: "" });
      }
    };
    pc.ontrack = (event) => {
      const stream = event.streams && event.streams[0] ? event.streams[0] : new MediaStream([event.track]);
      if (remoteVideo.srcObject !== stream) remoteVideo.srcObject = stream;
    };
    pc.onconnectionstatechange = () => connectionChanged(pc.connectionState);
  }

  function connectionChanged(state) {
    if (stopped) return;
    if (state === "connected") {
      if (disconnectTimer) clearTimeout(disconnectTimer);
      disconnectTimer = null;
      restartedIce = false;
      post({ type: "connection", state: "connected" });
      startStats();
    } else if (state === "disconnected") {
      post({ type: "connection", state: "reconnecting" });
      // Give ICE a few seconds to come back by itself, then restart it once (we are the offerer).
      if (!disconnectTimer) disconnectTimer = setTimeout(restartIce, 4000);
    } else if (state === "failed") {
      if (!restartedIce) {
        restartIce();
      } else {
        post({ type: "connection", state: "failed", detail: "ice failed" });
      }
    }
  }

  async function restartIce() {
    disconnectTimer = null;
    if (!pc || stopped || restartedIce || pc.connectionState === "connected") return;
    restartedIce = true;
    post({ type: "connection", state: "reconnecting" });
    try {
      const offer = await pc.createOffer({ iceRestart: true });
      await pc.setLocalDescription(offer);
      post({ type: "signal", kind: "offer", sdp: pc.localDescription.sdp });
    } catch (error) {
      post({ type: "connection", state: "failed", detail: String(error && error.name) });
    }
  }

  async function makeOffer() {
    if (!pc) createPeer();
    try {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      post({ type: "signal", kind: "offer", sdp: pc.localDescription.sdp });
    } catch (error) {
      post({ type: "connection", state: "failed", detail: "offer: " + String(error && error.name) });
    }
  }

  async function remoteSignal(message) {
    if (!pc) return;
    try {
      if (message.kind === "answer") {
        await pc.setRemoteDescription({ type: "answer", sdp: message.sdp });
        for (const candidate of pendingCandidates) await pc.addIceCandidate(candidate);
        pendingCandidates = [];
      } else if (message.kind === "ice") {
        const candidate = message.candidate
          ? { candidate: message.candidate, sdpMid: message.sdp_mid, sdpMLineIndex: message.sdp_mline_index }
          : null;
        if (!candidate) return; // end of candidates
        if (pc.remoteDescription) await pc.addIceCandidate(candidate);
        else pendingCandidates.push(candidate);
      }
    } catch (error) {
      post({ type: "error", detail: "signal " + message.kind + ": " + String(error && error.name) });
    }
  }

  // --- quality ----------------------------------------------------------------------------------

  function startStats() {
    if (statsTimer) return;
    statsTimer = setInterval(readStats, 2000);
    readStats();
  }

  async function readStats() {
    if (!pc || stopped) return;
    let rtt = null;
    let lost = 0;
    let received = 0;
    try {
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded" &&
            typeof s.currentRoundTripTime === "number") {
          rtt = s.currentRoundTripTime;
        }
        if (s.type === "inbound-rtp") {
          lost += s.packetsLost || 0;
          received += s.packetsReceived || 0;
        }
      });
    } catch (error) {
      return;
    }
    let loss = 0;
    if (lastInbound) {
      const dLost = Math.max(0, lost - lastInbound.lost);
      const dReceived = Math.max(0, received - lastInbound.received);
      loss = dLost + dReceived > 0 ? dLost / (dLost + dReceived) : 0;
    }
    lastInbound = { lost: lost, received: received };
    let level = "good";
    if ((rtt !== null && rtt > 0.4) || loss > 0.08) level = "poor";
    else if ((rtt !== null && rtt > 0.15) || loss > 0.02) level = "fair";
    post({ type: "quality", level: level, rtt_ms: rtt === null ? null : Math.round(rtt * 1000), loss: loss });
  }

  // --- remote media -----------------------------------------------------------------------------

  function remoteMedia(message) {
    const cameraOn = !!message.camera;
    initialsText.textContent = String(message.initials || "");
    initialsBox.style.display = cameraOn ? "none" : "flex";
    remoteVideo.style.visibility = cameraOn ? "visible" : "hidden";
  }

  // --- stop -------------------------------------------------------------------------------------

  // The visitor opens a pushed page: their peer connection is gone. Ours goes too (no ICE restart
  // towards a page that no longer exists); the devices stay open for the fresh offer (make_offer).
  function dropPeer() {
    if (disconnectTimer) clearTimeout(disconnectTimer);
    disconnectTimer = null;
    restartedIce = false;
    pendingCandidates = [];
    lastInbound = null;
    if (pc) {
      pc.onicecandidate = pc.ontrack = pc.onconnectionstatechange = null;
      pc.close();
    }
    pc = null;
    remoteVideo.srcObject = null;
  }

  function stop() {
    stopped = true;
    if (statsTimer) clearInterval(statsTimer);
    if (disconnectTimer) clearTimeout(disconnectTimer);
    statsTimer = disconnectTimer = null;
    if (localStream) localStream.getTracks().forEach((t) => t.stop());
    if (pc) {
      pc.onicecandidate = pc.ontrack = pc.onconnectionstatechange = null;
      pc.close();
    }
    pc = null;
    localVideo.srcObject = null;
    remoteVideo.srcObject = null;
    post({ type: "stopped", live_tracks: liveTracks() });
  }

  // --- messages from Python ---------------------------------------------------------------------

  async function handle(raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch (error) {
      return;
    }
    switch (message.type) {
      case "start":
        iceServers = Array.isArray(message.ice_servers) ? message.ice_servers : [];
        wantMicrophone = message.microphone !== false;
        wantCamera = message.camera !== false;
        remoteMedia({ camera: true, initials: message.initials });
        mediaReady = openLocalMedia(message.camera_label || "", message.microphone_label || "");
        await mediaReady;
        break;
      case "ice_servers":
        iceServers = Array.isArray(message.ice_servers) ? message.ice_servers : [];
        break;
      case "drop_peer":
        dropPeer();
        break;
      case "make_offer":
        await mediaReady;
        if (!stopped) await makeOffer();
        break;
      case "signal":
        await remoteSignal(message);
        break;
      case "set_media":
        wantMicrophone = !!message.microphone;
        wantCamera = !!message.camera;
        applyLocalMedia();
        post({ type: "local_media", microphone: wantMicrophone, camera: wantCamera });
        break;
      case "remote_media":
        remoteMedia(message);
        break;
      case "stop":
        stop();
        break;
      case "probe":
        post({
          type: "probe",
          live_tracks: liveTracks(),
          remote_playing: !!remoteVideo.srcObject && remoteVideo.videoWidth > 0,
          connection: pc ? pc.connectionState : "none",
          initials_shown: initialsBox.style.display !== "none",
          initials: initialsText.textContent,
          local_shown: localVideo.style.display !== "none",
          transceivers: pc ? pc.getTransceivers().map((t) => (t.receiver.track.kind + ":" + t.direction)) : [],
        });
        break;
      default:
        break;
    }
  }

  new QWebChannel(qt.webChannelTransport, (channel) => {
    bridge = channel.objects.bridge;
    bridge.to_page.connect((raw) => {
      handle(raw);
    });
    post({ type: "ready" });
  });
})();
