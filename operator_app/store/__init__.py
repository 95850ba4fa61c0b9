"""Client-side state built from protocol events, the services the UI calls, and Qt item models."""
