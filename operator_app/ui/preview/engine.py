"""The live preview's page: rrweb's replayer in a QWebEngineView, made inert.

QtWebEngine is imported here, when the first preview opens, never at app start. The page is our own
`preview.html` (with `rrweb_replayer.js`, built from npm `rrweb` by chat_backend/widget/build_replayer.mjs,
MIT: rrweb-LICENSE.txt) in an off-the-record profile of its own:

- the replayer rebuilds the visitor's page in an iframe sandboxed without scripts, taking no input;
- `acceptNavigationRequest` refuses every navigation but our page's (links, forms, meta refresh);
- a `QWebEngineUrlRequestInterceptor` blocks every request except our own files and images from the
  site's configured origins (`WatchPreviewResult.origins`, from the server): never an origin the stream
  names (a visitor can forge it); the page's CSP says the same.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtWidgets import QWidget

from operator_app.ui.video.engine import EngineUnavailable, unavailable_text

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
PREVIEW_PAGE = HERE / "preview.html"
OWN_FILES = frozenset({"preview.html", "preview.js", "rrweb_replayer.js", "rrweb_replayer.css"})
MAX_LOGGED_URLS = 500  # the interceptor keeps this many allowed / blocked addresses (tests read them)


def _origin(url: QUrl) -> str:
    port = url.port()
    default = {"http": 80, "https": 443}.get(url.scheme())
    suffix = f":{port}" if port not in (-1, default) else ""
    return f"{url.scheme()}://{url.host()}{suffix}".lower()


def page_html(origins: list[str]) -> str:
    """preview.html with the site's origins as the only image sources of its CSP."""
    clean = [o for o in origins if all(c not in o for c in " ;'\"\n\r,")]
    return PREVIEW_PAGE.read_text("utf-8").replace("%ORIGINS%", " ".join(clean))


class PreviewEngine(QObject):
    """The preview page of one chat. ``allowed`` / ``blocked``: the URLs the interceptor let through
    or refused (the newest `MAX_LOGGED_URLS`)."""

    def __init__(self, parent_widget: QWidget, origins: list[str]) -> None:
        super().__init__(parent_widget)
        try:
            from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings
            from PySide6.QtWebEngineWidgets import QWebEngineView
        except ImportError as exc:
            log.warning("QtWebEngine cannot be imported: %s", exc)
            raise EngineUnavailable(unavailable_text()) from exc
        self.origins = {o.lower().rstrip("/") for o in origins}
        self.allowed: list[str] = []
        self.blocked: list[str] = []
        self.console: list[str] = []
        self.profile = QWebEngineProfile(self)  # no storage name: off the record, nothing kept
        self.interceptor = _interceptor_class()(self)
        self.profile.setUrlRequestInterceptor(self.interceptor)
        attrs = QWebEngineSettings.WebAttribute
        settings = self.profile.settings()
        for attribute, on in (
            (attrs.JavascriptCanOpenWindows, False),
            (attrs.LocalContentCanAccessRemoteUrls, False),
            (attrs.PluginsEnabled, False),
            (attrs.AutoLoadIconsForPage, False),
            (attrs.DnsPrefetchEnabled, False),
            (attrs.NavigateOnDropEnabled, False),
            (attrs.JavascriptCanAccessClipboard, False),
        ):
            settings.setAttribute(attribute, on)
        self.view = QWebEngineView(parent_widget)
        self.view.setObjectName("previewWebView")
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.page = _page_class(QWebEnginePage)(self.profile, self.view, self)
        self.view.setPage(self.page)
        self.ready = False
        self._queue: list[list[dict[str, Any]]] = []
        self.info: dict[str, Any] = {}
        self.on_info: Callable[[dict[str, Any]], None] | None = None
        self.page.loadFinished.connect(self._loaded)
        self.home = QUrl.fromLocalFile(str(PREVIEW_PAGE))
        self.page.setHtml(page_html(sorted(self.origins)), self.home)

    def allows(self, url: QUrl, image: bool) -> bool:
        scheme = url.scheme()
        if scheme in ("data", "blob", "about"):
            return True
        if scheme == "file":
            path = Path(url.toLocalFile())
            return path.parent == HERE and path.name in OWN_FILES
        return image and scheme in ("http", "https") and _origin(url) in self.origins

    def note(self, url: str, allowed: bool) -> None:
        log_list = self.allowed if allowed else self.blocked
        log_list.append(url[:500])
        del log_list[:-MAX_LOGGED_URLS]
        if not allowed:
            log.info("preview: blocked %s", url[:200])

    def _loaded(self, ok: bool) -> None:
        self.ready = ok
        queued, self._queue = self._queue, []
        for events in queued:
            self.add_events(events)

    def add_events(self, events: list[dict[str, Any]]) -> None:
        if not self.ready:
            self._queue.append(events)
            return
        script = "JSON.stringify(window.previewEvents(" + json.dumps(events) + "))"
        self.page.runJavaScript(script, 0, self._info)

    def _info(self, answer: Any) -> None:
        try:
            info = json.loads(answer) if isinstance(answer, str) else None
        except ValueError:
            info = None
        if isinstance(info, dict):
            self.info = info
            if self.on_info is not None:
                self.on_info(info)

    def release(self) -> None:
        self.view.hide()
        self.page.deleteLater()
        self.view.deleteLater()
        self.deleteLater()


@functools.cache
def _interceptor_class() -> type:
    from PySide6.QtWebEngineCore import QWebEngineUrlRequestInfo, QWebEngineUrlRequestInterceptor

    image = QWebEngineUrlRequestInfo.ResourceType.ResourceTypeImage

    class Interceptor(QWebEngineUrlRequestInterceptor):
        def __init__(self, engine: PreviewEngine) -> None:
            super().__init__(engine)
            self.engine = engine

        def interceptRequest(self, info: Any) -> None:
            url = info.requestUrl()
            allowed = self.engine.allows(url, info.resourceType() == image)
            self.engine.note(url.toString(), allowed)
            if not allowed:
                info.block(True)

    return Interceptor


@functools.cache
def _page_class(base: type) -> type:
    class PreviewPage(base):  # type: ignore[misc]
        """Stays on our page: no navigation anywhere, no new windows."""

        def __init__(self, profile: Any, parent: QObject, engine: PreviewEngine) -> None:
            super().__init__(profile, parent)
            self.engine = engine
            self.refused: list[str] = []

        def acceptNavigationRequest(self, url: QUrl, kind: Any, is_main_frame: bool) -> bool:
            # Our page (setHtml) before it loaded, and the replayer's about:blank frame; nothing else.
            if is_main_frame and not self.engine.ready or url.scheme() == "about":
                return True
            self.refused.append(url.toString()[:500])
            return False

        def createWindow(self, kind: Any) -> None:
            return None

        def javaScriptConsoleMessage(self, level: Any, message: str, line: int, source: str) -> None:
            self.engine.console.append(message[:300])
            log.info("preview page console: %s (%s:%s)", message[:300], source, line)

    return PreviewPage
