"""1:1 video calls in the widget, in headless Chromium with a fake camera and microphone, against the
real backend: the agent is a wire client on /ws/agent, and its WebRTC peer is a second plain page of
the same browser (the test relays that page's offer and ICE candidates through the agent's socket,
as the operator app does). The visitor sees who calls and the recording notice before accepting,
starts with the camera off and the microphone on, and leaves no camera or microphone open.

The operator's page is a page of the backend's origin, not about:blank: about:blank is not a secure
context, so it has no `navigator.mediaDevices`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.widget_helpers import (
    Agent,
    frames_sent,
    launch_chromium_with_fake_media,
    media_tracks,
    new_page,
    record_media_tracks,
    record_sent_frames,
    shadow,
    start_chat,
    wait_for_sent,
)
from tests.support.backend import BackendProcess
from tests.support.wire import new_id

HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">'
NOTICE = "This call may be recorded for training. <b>Not bold</b>"

# The operator's peer: audio from the fake microphone, a `sendrecv` video transceiver with the fake
# camera on it, the offer; its ICE candidates wait in `op.ice` for the test to relay.
OPERATOR_START = """async (iceServers) => {
  const op = window.op = { ice: [], pending: [], remoteSet: false };
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const pc = op.pc = new RTCPeerConnection({ iceServers });
  pc.onicecandidate = (e) => op.ice.push(e.candidate ? { candidate: e.candidate.candidate,
    sdp_mid: e.candidate.sdpMid, sdp_mline_index: e.candidate.sdpMLineIndex } : { candidate: '' });
  pc.addTrack(stream.getAudioTracks()[0], stream);
  const video = pc.addTransceiver('video', { direction: 'sendrecv', streams: [stream] });
  await video.sender.replaceTrack(stream.getVideoTracks()[0]);
  await pc.setLocalDescription(await pc.createOffer());
  return pc.localDescription.sdp;
}"""
OPERATOR_APPLY = """async (s) => {
  const op = window.op;
  if (s.kind === 'answer') {
    await op.pc.setRemoteDescription({ type: 'answer', sdp: s.sdp });
    op.remoteSet = true;
    for (const c of op.pending.splice(0)) await op.pc.addIceCandidate(c);
  } else if (s.kind === 'ice') {
    const c = s.candidate ? { candidate: s.candidate, sdpMid: s.sdp_mid, sdpMLineIndex: s.sdp_mline_index } : undefined;
    if (op.remoteSet) await op.pc.addIceCandidate(c); else op.pending.push(c);
  }
}"""
OPERATOR_FRAMES_IN = """async () => {
  let frames = 0;
  (await window.op.pc.getStats()).forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0;
  });
  return frames;
}"""
VISITOR_VIDEO = """const v = root.querySelector('[data-testid="call-remote-video"]');
return { width: v.videoWidth, frames: v.getVideoPlaybackQuality().totalVideoFrames, muted: v.muted,
  paused: v.paused };"""


class Call:
    """One call as the agent side sees it: every push the agent got, and the relay between the agent's
    socket and the operator page's peer connection."""

    def __init__(self, agent: Agent, operator: Page | None, invite: dict[str, Any]) -> None:
        self.agent = agent
        self.operator = operator
        self.call_id: str = invite["call_id"]
        self.ice_servers: list[dict[str, Any]] = invite["ice_servers"]
        self.pushes: list[dict[str, Any]] = []
        self.offered = False

    def pump(self) -> None:
        new = self.agent.drain_pushes()
        self.pushes += new
        for frame in new:
            if frame["action"] == "call_signal" and self.operator is not None:
                self.operator.evaluate(OPERATOR_APPLY, frame["payload"])
        if self.offered and self.operator is not None:
            for candidate in self.operator.evaluate("() => window.op.ice.splice(0)"):
                self.signal({"kind": "ice", **candidate})

    def signal(self, payload: dict[str, Any]) -> None:
        self.agent.ok("call_signal", {"call_id": self.call_id, **payload})

    def wait(self, condition: Callable[[], bool], within: float = 15) -> None:
        deadline = time.monotonic() + within
        while True:
            self.pump()
            if condition():
                return
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            time.sleep(0.05)

    def find(self, action: str, **match: Any) -> dict[str, Any] | None:
        for frame in self.pushes:
            if frame["action"] != action:
                continue
            payload = frame["payload"]["event"] if action == "event" else frame["payload"]
            if all(payload.get(k) == v for k, v in match.items()):
                return dict(payload)
        return None

    def wait_push(self, action: str, within: float = 15, **match: Any) -> dict[str, Any]:
        self.wait(lambda: self.find(action, **match) is not None, within)
        found = self.find(action, **match)
        assert found is not None
        return found

    def offer(self) -> None:
        assert self.operator is not None
        sdp = self.operator.evaluate(OPERATOR_START, self.ice_servers)
        self.signal({"kind": "offer", "sdp": sdp})
        self.offered = True

    def operator_frames_in(self) -> int:
        assert self.operator is not None
        frames: int = self.operator.evaluate(OPERATOR_FRAMES_IN)
        return frames


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch_chromium_with_fake_media() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser, backend: BackendProcess) -> Iterator[Page]:
    page, errors = new_page(browser)
    record_sent_frames(page)
    record_media_tracks(page)
    yield page
    page.context.close()
    assert errors == []


@pytest.fixture
def operator(browser: Browser, backend: BackendProcess) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(backend.url + "/healthz")
    yield page
    context.close()


@pytest.fixture
def agent(backend: BackendProcess) -> Iterator[Agent]:
    backend.cli("routing", "--auto-assign", "off")
    agent = Agent(backend)
    yield agent
    agent.stop()


def panel(page: Page) -> Any:
    return page.get_by_test_id("call-panel")


def invite(agent: Agent, operator: Page | None, chat_id: str) -> Call:
    return Call(agent, operator, agent.ok("call_invite", {"chat_id": chat_id, "client_id": new_id()}))


def connect(page: Page, agent: Agent, operator: Page, chat_id: str) -> Call:
    """Ring, accept, relay the offer and candidates until both peers and the server say connected."""
    call = invite(agent, operator, chat_id)
    page.get_by_test_id("call-accept").click()
    call.wait_push("call_state", state="connecting", call_id=call.call_id)
    call.offer()
    call.wait(lambda: operator.evaluate("() => window.op.pc.connectionState") == "connected")
    call.wait_push("call_state", state="connected", call_id=call.call_id)
    expect(panel(page)).to_have_attribute("data-state", "connected")
    return call


def visitor_video(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = shadow(page, VISITOR_VIDEO)
    return found


def test_incoming_call_shows_the_name_as_text_and_the_notice_and_decline_ends_it(
    page: Page, backend: BackendProcess
) -> None:
    backend.cli("routing", "--auto-assign", "off")
    backend.create_agent("evil@example.com", HOSTILE_NAME, "Correct-Horse-Battery-9", role="admin")
    admin = Agent(backend, "evil@example.com", "Correct-Horse-Battery-9")
    try:
        token = admin.token
        response = httpx.put(
            f"{backend.url}/api/v1/settings/calls",
            json={"recording_notice_enabled": True, "recording_notice": NOTICE, "ice_servers": []},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        response.raise_for_status()
        chat_id = start_chat(page, admin, backend)
        page.get_by_test_id("minimize").click()
        expect(page.get_by_test_id("chat-window")).to_be_hidden()

        call = invite(admin, None, chat_id)
        # The window opens on its own; who calls and the notice are there before any answer.
        expect(page.get_by_test_id("chat-window")).to_be_visible()
        expect(panel(page)).to_have_attribute("data-state", "incoming")
        expect(page.get_by_test_id("call-agent-name")).to_have_text(HOSTILE_NAME)
        expect(page.get_by_test_id("call-who")).to_have_text(HOSTILE_NAME + " is calling you")
        expect(page.get_by_test_id("call-recording-notice")).to_have_text(NOTICE)
        expect(page.get_by_test_id("call-recording-notice")).to_be_visible()
        expect(page.get_by_test_id("call-accept")).to_be_focused()
        assert shadow(page, "return root.querySelectorAll('img, b').length") == 0
        assert page.evaluate("() => window.__pwned === undefined")
        assert wait_for_sent(page, "call_ringing")[0] == {"call_id": call.call_id}
        call.wait_push("call_state", state="ringing", call_id=call.call_id)
        assert frames_sent(page, "call_answer") == []

        page.get_by_test_id("call-decline").click()
        ended = call.wait_push("call_state", state="ended", call_id=call.call_id)
        assert (ended["reason"], ended["ended_by"]) == ("declined", "visitor")
        assert frames_sent(page, "call_answer") == [{"call_id": call.call_id, "accept": False}]
        expect(panel(page)).to_have_attribute("data-state", "ended")
        expect(panel(page)).to_have_attribute("data-reason", "declined")
        expect(page.get_by_test_id("call-state")).to_have_text("You declined the call.")
        line = page.get_by_test_id("call-event")
        expect(line).to_have_count(1)
        expect(line).to_have_text("Video call declined")
        event = call.wait_push("event", kind="call", call_id=call.call_id)
        assert (event["state"], event["reason"]) == ("ended", "declined")
        assert media_tracks(page) == []  # never asked for the microphone or the camera
        expect(panel(page)).to_be_hidden(timeout=12_000)  # the notice goes away
        expect(line).to_have_text("Video call declined")
    finally:
        admin.stop()


def test_accepted_call_connects_with_the_camera_off_until_the_visitor_turns_it_on(
    page: Page, backend: BackendProcess, agent: Agent, operator: Page
) -> None:
    chat_id = start_chat(page, agent, backend)
    call = connect(page, agent, operator, chat_id)
    assert frames_sent(page, "call_answer") == [{"call_id": call.call_id, "accept": True}]
    reports = wait_for_sent(page, "call_state_report")
    assert reports[0]["state"] == "connected"

    # The operator's video plays in the widget, with sound.
    first = visitor_video(page)
    call.wait(lambda: visitor_video(page)["width"] > 0)
    call.wait(lambda: visitor_video(page)["frames"] > first["frames"] + 10)
    assert visitor_video(page)["muted"] is False
    assert visitor_video(page)["paused"] is False

    # Microphone on, camera off: only an audio track was asked for, and no video reaches the operator.
    assert [(t["kind"], t["state"], t["enabled"]) for t in media_tracks(page)] == [("audio", "live", True)]
    expect(page.get_by_test_id("call-mic")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("call-camera")).to_have_attribute("aria-pressed", "false")
    media = call.wait_push("call_media", call_id=call.call_id, party="visitor")
    assert (media["microphone"], media["camera"]) == (True, False)
    time.sleep(1.0)
    assert call.operator_frames_in() == 0

    page.get_by_test_id("call-camera").click()
    expect(page.get_by_test_id("call-camera")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("call-local-video")).to_be_visible()
    call.wait(lambda: call.operator_frames_in() > 10)
    seen = call.operator_frames_in()
    call.wait(lambda: call.operator_frames_in() > seen + 5)
    call.wait_push("call_media", call_id=call.call_id, party="visitor", camera=True, microphone=True)
    assert frames_sent(page, "call_signal")[0]["kind"] == "answer"
    assert [f for f in frames_sent(page, "call_signal") if f["kind"] == "offer"] == []  # no renegotiation

    # Chat goes on during the call; the transcript says the call started.
    expect(page.get_by_test_id("call-event").filter(has_text="Video call started")).to_have_count(1)
    agent.say(chat_id, "Can you see me?")
    expect(page.get_by_test_id("message").filter(has_text="Can you see me?")).to_have_count(1)
    expect(page.get_by_test_id("call-duration")).to_have_text(re.compile(r"^\d+:\d\d$"))

    # The operator hangs up: the visitor is told, nothing stays open.
    agent.ok("call_hangup", {"call_id": call.call_id})
    expect(panel(page)).to_have_attribute("data-reason", "hangup")
    expect(page.get_by_test_id("call-state")).to_have_text("The operator hung up.")
    assert [t["state"] for t in media_tracks(page)] == ["ended", "ended"]
    expect(page.get_by_test_id("call-event").filter(has_text="Video call ended (0:")).to_have_count(1)


def test_mute_then_visitor_hangup_ends_both_sides_and_stops_every_track(
    page: Page, backend: BackendProcess, agent: Agent, operator: Page
) -> None:
    chat_id = start_chat(page, agent, backend)
    call = connect(page, agent, operator, chat_id)
    page.get_by_test_id("call-camera").click()
    expect(page.get_by_test_id("call-camera")).to_have_attribute("aria-pressed", "true")

    page.get_by_test_id("call-mic").click()
    expect(page.get_by_test_id("call-mic")).to_have_attribute("aria-pressed", "false")
    call.wait_push("call_media", call_id=call.call_id, party="visitor", microphone=False, camera=True)
    audio = [t for t in media_tracks(page) if t["kind"] == "audio"]
    assert [(t["state"], t["enabled"]) for t in audio] == [("live", False)]

    # The operator mutes too: the visitor sees it.
    agent.ok("call_media", {"call_id": call.call_id, "microphone": False, "camera": True})
    expect(page.get_by_test_id("call-state")).to_contain_text("The operator's microphone is muted")

    page.get_by_test_id("call-hangup").click()
    ended = call.wait_push("call_state", state="ended", call_id=call.call_id)
    assert (ended["reason"], ended["ended_by"]) == ("hangup", "visitor")
    assert frames_sent(page, "call_hangup") == [{"call_id": call.call_id}]
    expect(panel(page)).to_have_attribute("data-state", "ended")
    expect(page.get_by_test_id("call-state")).to_have_text("You hung up.")
    tracks = media_tracks(page)
    assert sorted(t["kind"] for t in tracks) == ["audio", "video"]
    assert all(t["state"] == "ended" for t in tracks), tracks
    call.wait(lambda: operator.evaluate("() => window.op.pc.connectionState") in ("disconnected", "failed"))
    event = call.wait_push("event", kind="call", call_id=call.call_id, state="ended")
    assert event["duration_s"] > 0
    expect(page.get_by_test_id("call-event").filter(has_text="Video call ended (0:")).to_have_count(1)


def test_reload_mid_call_stops_the_media_and_the_new_page_says_why(
    page: Page, backend: BackendProcess, agent: Agent, operator: Page
) -> None:
    chat_id = start_chat(page, agent, backend)
    call = connect(page, agent, operator, chat_id)
    page.get_by_test_id("call-camera").click()
    expect(page.get_by_test_id("call-camera")).to_have_attribute("aria-pressed", "true")

    # `pagehide` (what a reload fires first) stops the camera and the microphone.
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }))")
    tracks = media_tracks(page)
    assert sorted(t["kind"] for t in tracks) == ["audio", "video"]
    assert all(t["state"] == "ended" for t in tracks), tracks

    page.reload()
    ended = call.wait_push("call_state", state="ended", call_id=call.call_id)
    assert (ended["reason"], ended["ended_by"]) == ("page_reloaded", "visitor")
    expect(panel(page)).to_have_attribute("data-state", "ended")
    expect(panel(page)).to_have_attribute("data-reason", "page_reloaded")
    expect(page.get_by_test_id("call-state")).to_have_text(
        "The video call ended because the page was reloaded."
    )
    expect(page.get_by_test_id("call-event").filter(has_text="Video call ended")).to_have_count(1)
    assert media_tracks(page) == []
    # The chat itself goes on.
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "connected")
    agent.say(chat_id, "Still here")
    expect(page.get_by_test_id("message").filter(has_text="Still here")).to_have_count(1)
