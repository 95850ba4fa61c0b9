"""Running the backend as several nodes: job leases, drain, readiness, metrics, the single-node lock."""
