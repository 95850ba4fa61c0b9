// The live preview page (operator_app/ui/preview/engine.py): rrweb's Replayer in live mode, scaled to
// fit the window. The app calls `previewEvents(events)` with the visitor's recording in order; it
// answers the viewport size and page address the stream last told. The replayer rebuilds the page in
// an iframe sandboxed without scripts (`allow-same-origin` only), which takes no pointer input; the
// app refuses every navigation and every request outside its own files and the site's origins.
(function () {
  "use strict";
  var stage = document.getElementById("stage");
  var replayer = null;
  var info = { width: 0, height: 0, href: "", events: 0 };

  function fit() {
    if (!info.width || !info.height) return;
    var scale = Math.min(window.innerWidth / info.width, window.innerHeight / info.height, 1);
    stage.style.transform = "scale(" + scale + ")";
    stage.style.left = Math.max(0, (window.innerWidth - info.width * scale) / 2) + "px";
    stage.style.top = Math.max(0, (window.innerHeight - info.height * scale) / 2) + "px";
  }

  function start(first) {
    replayer = new window.rrwebReplayer([], {
      root: stage,
      liveMode: true,
      mouseTail: false,
      triggerFocus: false,
      UNSAFE_replayCanvas: false,
      pauseAnimation: true,
      showWarning: false,
      showDebug: false,
      useVirtualDom: false,  // every event goes straight to the page (see startLive below)
    });
    replayer.on("resize", function (size) {
      info.width = size.width;
      info.height = size.height;
      fit();
    });
    // rrweb's live mode plays events at their recorded spacing from a baseline, so however late the
    // first event was shown (a slow start of the web engine) every later one would be as late. Events
    // older than the baseline are applied as soon as they are added: a baseline far in the future shows
    // each event the moment it arrives, in arrival order (the server relays them in order).
    replayer.startLive(first.timestamp + 1e12);
  }

  window.previewEvents = function (events) {
    for (var i = 0; i < events.length; i++) {
      var e = events[i];
      if (!e || typeof e !== "object" || typeof e.type !== "number") continue;
      if (e.type === 4 && e.data) {
        info.width = +e.data.width || info.width;
        info.height = +e.data.height || info.height;
        info.href = String(e.data.href || "").slice(0, 2000);
      }
      if (e.type === 3 && e.data && e.data.source === 4) {  // viewport resize
        info.width = +e.data.width || info.width;
        info.height = +e.data.height || info.height;
      }
      if (!replayer) {
        if (e.type !== 4) continue;  // live mode starts at a Meta event (a full snapshot follows)
        start(e);
      }
      try {
        replayer.addEvent(e);
        info.events++;
      } catch (err) {
        console.warn("preview: an event could not be replayed");
      }
    }
    fit();
    return info;
  };

  window.previewInfo = function () { return info; };
  window.addEventListener("resize", fit);
})();
