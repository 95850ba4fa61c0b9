"""Attachments in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW...): the store of several nodes.

One boto3 client per store, made once from the settings (endpoint, region and keys when set; else the
usual AWS environment and config files). boto3 blocks, so every call runs in a thread. Every failure of
boto3 or botocore becomes a `StoreError` whose message names the operation, the bucket and the error
code, never the keys. Imported only when `CHAT_FILES_S3_BUCKET` is set (`stores.open_store`): a server
keeping files on disk never loads boto3.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from chat_backend.files.store import StoreError, checked_key
from chat_backend.settings import Settings

DELETE_BATCH = 1000  # the most keys one DeleteObjects request takes
_NOT_FOUND = frozenset({"404", "NotFound"})  # HeadBucket's answer has no body, only its status
_DENIED = frozenset({"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "Forbidden"})

T = TypeVar("T")


class S3Store:
    """Files as objects of one private bucket, under the server's own keys."""

    name = "s3"

    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.files_s3_bucket
        endpoint = urlsplit(settings.files_s3_endpoint)  # a URL with `user:password@` is possible too
        given = (
            settings.files_s3_secret_key,
            settings.files_s3_access_key,
            endpoint.password,
            endpoint.username,
        )
        self._secrets = [secret for secret in given if secret]
        options: dict[str, Any] = {
            "retries": {"max_attempts": 3, "mode": "standard"},
            "connect_timeout": 5,
            "read_timeout": 30,
        }
        client: dict[str, Any] = {}
        if settings.files_s3_endpoint:
            client["endpoint_url"] = settings.files_s3_endpoint
            # MinIO, Ceph and moto serve buckets by path (`host/bucket/key`), not as subdomains; and
            # checksums only where S3 requires one, which services other than AWS all understand.
            options["s3"] = {"addressing_style": "path"}
            options["request_checksum_calculation"] = "when_required"
            options["response_checksum_validation"] = "when_required"
        if settings.files_s3_region:
            client["region_name"] = settings.files_s3_region
        if settings.files_s3_access_key and settings.files_s3_secret_key:
            client["aws_access_key_id"] = settings.files_s3_access_key
            client["aws_secret_access_key"] = settings.files_s3_secret_key
        # A session of its own: boto3's default session is not safe to share between threads.
        self._client = boto3.session.Session().client("s3", config=Config(**options), **client)

    async def put(self, key: str, data: bytes) -> None:
        key = checked_key(key)
        await self._call(
            "PutObject",
            self._client.put_object,
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType="application/octet-stream",
        )

    async def get(self, key: str) -> bytes:
        key = checked_key(key)
        return await self._call("GetObject", self._get, key)

    def _get(self, key: str) -> bytes:
        try:
            answer = self._client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) == "NoSuchKey":
                raise KeyError(key) from None
            raise
        body = answer["Body"]
        try:
            data: bytes = body.read()
        finally:
            body.close()
        return data

    async def delete(self, keys: Iterable[str]) -> None:
        wanted = [checked_key(key) for key in keys]
        for start in range(0, len(wanted), DELETE_BATCH):
            batch = wanted[start : start + DELETE_BATCH]
            answer = await self._call(
                "DeleteObjects",
                self._client.delete_objects,
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
            )
            # Keys that did not exist count as deleted; any other refusal is the store's fault.
            failed = [e for e in answer.get("Errors", []) if e.get("Code") != "NoSuchKey"]
            if failed:
                first = failed[0]
                raise StoreError(
                    f"S3 DeleteObjects on bucket {self.bucket!r}: {len(failed)} of {len(batch)} keys not deleted"
                    f" ({self._scrub(str(first.get('Code', '?')))}: {self._scrub(str(first.get('Message', '')))})"
                )

    async def check(self) -> None:
        """Whether the bucket exists and these keys may use it (at `serve`): `StoreError` if not."""
        try:
            await self._call("HeadBucket", self._client.head_bucket, Bucket=self.bucket)
        except StoreError as exc:
            raise StoreError(f"the file store is not usable: {exc}") from None

    async def _call(self, operation: str, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return await asyncio.to_thread(call, *args, **kwargs)
        except KeyError:
            raise
        except ClientError as exc:
            raise StoreError(self._client_error(operation, exc)) from None
        except (BotoCoreError, OSError) as exc:
            detail = self._scrub(str(exc)) or type(exc).__name__
            raise StoreError(f"S3 {operation} on bucket {self.bucket!r} failed: {detail}") from None

    def _client_error(self, operation: str, exc: ClientError) -> str:
        code = _code(exc)
        where = f"S3 {operation} on bucket {self.bucket!r}"
        if code == "NoSuchBucket" or (operation == "HeadBucket" and code in _NOT_FOUND):
            return f"{where}: the bucket does not exist ({code})"
        if code in _DENIED:
            return f"{where}: access denied ({code}); check CHAT_FILES_S3_ACCESS_KEY/SECRET_KEY and the bucket's policy"
        message = exc.response.get("Error", {}).get("Message", "")
        return f"{where} failed: {self._scrub(code)}" + (f" ({self._scrub(str(message))})" if message else "")

    def _scrub(self, text: str) -> str:
        """`text` without the keys, should a server or library echo them."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text[:500]


def _code(exc: ClientError) -> str:
    return str(
        exc.response.get("Error", {}).get("Code", "")
        or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
    )
