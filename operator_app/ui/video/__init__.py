"""1:1 video calls in the app: the media engine (QtWebEngine, loaded lazily) and the call pane."""
