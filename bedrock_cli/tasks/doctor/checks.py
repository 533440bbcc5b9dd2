"""What a doctor check reports: one `Check` per line, gathered in a `Report`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
UPGRADE = "pip install -U boto3 botocore (or `pipx upgrade bedrock-cli`)"


@dataclass
class Check:
    name: str
    status: str  # ok | warn | fail | skip
    detail: str
    fix: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    checks: list[Check]
    backend: str | None
    region: str | None

    @property
    def ok(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "backend": self.backend, "region": self.region,
                "checks": [c.to_json() for c in self.checks]}
