"""Domain services: plain async functions over a session. No HTTP or socket objects here."""
