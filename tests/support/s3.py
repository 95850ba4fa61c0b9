"""An S3-compatible server on 127.0.0.1 for the attachment store: moto's server mode
(`python -m moto.server`) in a process of its own on a free port, holding its buckets in memory.

`S3Server.new_bucket()` makes a fresh bucket and answers the `CHAT_FILES_S3_*` settings that point a
backend at it; a cluster (tests/support/cluster.py) takes one bucket per cluster. `s3_server` is one
server per pytest session (per xdist worker), exposed to the integration tests by
tests/integration/conftest.py.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.backend import free_port

ACCESS_KEY = "test"
SECRET_KEY = "test"
REGION = "us-east-1"


@dataclass
class S3Server:
    workdir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    bucket: str = ""  # the first bucket, made by `start`

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        log_path = self.workdir / "moto.log"
        with log_path.open("ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.endpoint}/moto-api/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(
                    f"moto's S3 server did not start:\n{log_path.read_text(errors='replace')[-2000:]}"
                )
            time.sleep(0.05)
        self.bucket = self.new_bucket()["CHAT_FILES_S3_BUCKET"]

    def client(self) -> Any:
        import boto3

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def env(self, bucket: str = "") -> dict[str, str]:
        """The settings of a backend keeping its files in `bucket` (the first one by default)."""
        return {
            "CHAT_FILES_S3_BUCKET": bucket or self.bucket,
            "CHAT_FILES_S3_ENDPOINT": self.endpoint,
            "CHAT_FILES_S3_REGION": REGION,
            "CHAT_FILES_S3_ACCESS_KEY": ACCESS_KEY,
            "CHAT_FILES_S3_SECRET_KEY": SECRET_KEY,
        }

    def new_bucket(self) -> dict[str, str]:
        """A fresh empty bucket: the settings pointing at it."""
        name = f"chat-files-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return self.env(name)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's S3 server for the session (each xdist worker its own), with one bucket made."""
    server = S3Server(tmp_path_factory.mktemp("s3"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
