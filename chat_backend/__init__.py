"""The chat backend: REST + WebSocket server, storage, routing and the visitor widget."""

__version__ = "0.1.0"
