"""Where Batch Inference files live: `s3://bucket/key` through an S3 client, or `file://` paths
for fully offline use with the local backend. Used by `batch submit/fetch` and by the emulator's
batch jobs, so it sits below both (it imports only `paths` from the project).

A URI ending in `/` is a prefix (a folder); anything else names one object.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote


class StorageError(Exception):
    """An object could not be listed, read or written (the message says which and why)."""


@dataclass(frozen=True)
class Location:
    scheme: str  # "s3" or "file"
    bucket: str  # s3 only
    key: str  # the s3 key, or the absolute path for file://

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}" if self.scheme == "s3" else f"file://{self.key}"

    @property
    def is_prefix(self) -> bool:
        return self.key == "" or self.key.endswith("/")

    @property
    def name(self) -> str:
        return self.key.rstrip("/").rsplit("/", 1)[-1]

    def child(self, relative: str) -> Location:
        base = self.key if self.is_prefix else self.key + "/"
        return Location(self.scheme, self.bucket, base + relative.lstrip("/"))

    def parent(self) -> Location:
        """The prefix holding this object."""
        head = self.key.rstrip("/").rsplit("/", 1)[0] if "/" in self.key.rstrip("/") else ""
        return Location(self.scheme, self.bucket, head + "/" if head else "")


def parse_uri(uri: str) -> Location:
    """`s3://bucket/key` or `file:///abs/path` (`file://rel/path` and `~` are resolved here)."""
    if uri.startswith("s3://"):
        bucket, _, key = uri[5:].partition("/")
        if not bucket:
            raise ValueError(f"{uri!r} has no bucket")
        return Location("s3", bucket, key)
    if uri.startswith("file://"):
        raw = unquote(uri[7:])
        if not raw:
            raise ValueError(f"{uri!r} has no path")
        path = os.path.abspath(os.path.expanduser(raw))
        return Location("file", "", path + ("/" if raw.endswith("/") else ""))
    raise ValueError(f"{uri!r} is not an s3:// or file:// URI")


class Store:
    """List, read and write objects; `s3` is called once, the first time S3 is needed."""

    def __init__(self, s3: Callable[[], Any] | None = None) -> None:
        self._s3_factory = s3
        self._s3: Any = None

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            if self._s3_factory is None:
                raise StorageError("No S3 client is available here; use file:// URIs.")
            self._s3 = self._s3_factory()
        return self._s3

    def _fail(self, action: str, loc: Location, exc: BaseException) -> StorageError:
        detail = getattr(exc, "response", {}).get("Error", {}) if hasattr(exc, "response") \
            else {}
        reason = f"{detail.get('Code')}: {detail.get('Message')}" if detail else str(exc)
        return StorageError(f"Could not {action} {loc.uri}: {reason}")

    def objects(self, loc: Location, suffix: str = "") -> list[tuple[Location, int]]:
        """Objects under a prefix (recursively), or the one object; (location, size)."""
        try:
            if loc.scheme == "file":
                return self._list_files(loc, suffix)
            if not loc.is_prefix:
                head = self.s3.head_object(Bucket=loc.bucket, Key=loc.key)
                return [(loc, int(head["ContentLength"]))]
            found = []
            pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=loc.bucket,
                                                                     Prefix=loc.key)
            for page in pages:
                for obj in page.get("Contents", []):
                    if obj["Key"].endswith(suffix) and not obj["Key"].endswith("/"):
                        found.append((Location("s3", loc.bucket, obj["Key"]), int(obj["Size"])))
            return found
        except StorageError:
            raise
        except Exception as exc:
            raise self._fail("list", loc, exc) from None

    @staticmethod
    def _list_files(loc: Location, suffix: str) -> list[tuple[Location, int]]:
        path = Path(loc.key)
        if not loc.is_prefix:
            return [(loc, path.stat().st_size)]
        if not path.is_dir():
            return []
        return [(Location("file", "", str(p)), p.stat().st_size)
                for p in sorted(path.rglob(f"*{suffix}")) if p.is_file()]

    def lines(self, loc: Location) -> Iterator[bytes]:
        """The object's lines, streamed (line endings stripped)."""
        try:
            if loc.scheme == "file":
                with open(loc.key, "rb") as handle:
                    for raw in handle:
                        yield raw.rstrip(b"\r\n")
                return
            body = self.s3.get_object(Bucket=loc.bucket, Key=loc.key)["Body"]
            try:
                for raw in body.iter_lines(keepends=False):
                    yield raw.rstrip(b"\r")
            finally:
                body.close()
        except Exception as exc:
            raise self._fail("read", loc, exc) from None

    def read(self, loc: Location) -> bytes:
        try:
            if loc.scheme == "file":
                return Path(loc.key).read_bytes()
            return bytes(self.s3.get_object(Bucket=loc.bucket, Key=loc.key)["Body"].read())
        except Exception as exc:
            raise self._fail("read", loc, exc) from None

    def put_file(self, source: Path, loc: Location) -> None:
        try:
            if loc.scheme == "file":
                target = Path(loc.key)
                target.parent.mkdir(parents=True, exist_ok=True)
                from bedrock_cli.paths import create_exclusive, temporary_beside

                tmp = temporary_beside(target)  # never through a planted symlink
                try:
                    with open(source, "rb") as src, \
                            open(create_exclusive(tmp, 0o666), "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    os.replace(tmp, target)
                finally:
                    tmp.unlink(missing_ok=True)
                return
            self.s3.upload_file(str(source), loc.bucket, loc.key)
        except Exception as exc:
            raise self._fail("write", loc, exc) from None

    def put_bytes(self, data: bytes, loc: Location) -> None:
        try:
            if loc.scheme == "file":
                from bedrock_cli.paths import atomic_write

                atomic_write(Path(loc.key), data)
                return
            self.s3.put_object(Bucket=loc.bucket, Key=loc.key, Body=data)
        except Exception as exc:
            raise self._fail("write", loc, exc) from None
