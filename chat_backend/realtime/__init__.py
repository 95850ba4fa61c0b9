"""WebSocket endpoints, per-connection send queues and delivery from the event log."""
