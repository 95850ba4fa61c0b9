"""Operations endpoints, outside the API: `/healthz` (the process answers), `/readyz` (it should get
clients: database reachable, not draining, and whatever else was added to its checks) and `/metrics`
(Prometheus; only from trusted networks or with the metrics token, never through a proxy)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from chat_backend.cluster.drain import Drain
from chat_backend.cluster.health import Readiness
from chat_backend.net import Network, client_ip, parse_address
from chat_protocol import ErrorCode

router = APIRouter()


@dataclass
class OpsState:
    readiness: Readiness
    drain: Drain
    metrics_networks: tuple[Network, ...]
    metrics_token: str


def get_ops(request: Request) -> OpsState:
    ops: OpsState = request.app.state.ops
    return ops


Ops = Annotated[OpsState, Depends(get_ops)]


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive (no dependency is checked: a restart would not fix them)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "not ready: the checks say why"}})
async def readyz(ops: Ops) -> JSONResponse:
    checks = await ops.readiness.report()
    if ops.drain.draining:
        checks = {**checks, "draining": "draining"}
    ready = ops.readiness.ready(checks)
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503, headers={"Cache-Control": "no-store"})


@router.get("/metrics", response_class=Response, responses={403: {"description": "not a trusted client"}})
async def metrics(request: Request, ops: Ops) -> Response:
    if not _may_read_metrics(request, ops):
        raise HTTPException(
            403,
            {
                "code": ErrorCode.FORBIDDEN.value,
                "message": "Metrics are served to trusted networks or with the metrics token only.",
            },
        )
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def _may_read_metrics(request: Request, ops: OpsState) -> bool:
    authorization = request.headers.get("authorization", "")
    if ops.metrics_token and authorization.startswith("Bearer "):
        given = authorization.removeprefix("Bearer ").strip().encode()
        if hmac.compare_digest(given, ops.metrics_token.encode()):
            return True
    # A request relayed by a proxy comes from the proxy's address, often loopback: never trusted by
    # address (its client is whoever reached the proxy), whatever CHAT_TRUSTED_PROXIES says.
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    address = parse_address(client_ip(request.scope))
    return address is not None and any(address in network for network in ops.metrics_networks)
