"""REST routers under /api/v1: thin handlers over domain functions."""
