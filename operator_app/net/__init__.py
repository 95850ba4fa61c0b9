"""Network layer: REST (httpx), the realtime socket (websockets) and the outbox. No Qt here."""
