"""Inference-profile routing: which geography a Region belongs to, which system profile a model
is called through from there, and how model ARNs and geography-prefixed ids are read.

Nothing here loads the catalog; `Catalog.resolve` uses these to turn a name into a
`Resolution` (what to send as `modelId`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bedrock_cli.catalog.models import ModelInfo

GEOGRAPHIES = ("us", "eu", "apac", "jp", "au", "ca", "us-gov", "global")
#: the Region assumed when `resolve` is given none
DEFAULT_REGION = "us-east-1"
#: ARN resource types that name an inference profile (what is sent is then a profile)
PROFILE_KINDS = ("inference-profile", "application-inference-profile")

_JAPAN = frozenset({"ap-northeast-1", "ap-northeast-3"})
_AUSTRALIA = frozenset({"ap-southeast-2", "ap-southeast-4", "ap-southeast-6"})
# A Bedrock-shaped model id: "<provider>.<name>", lower case. Stricter than "anything with a
# dot": the provider has no hyphen and the name starts with a letter, so alias typos such as
# "sonnet-3.6" or "sd3.6" are reported as unknown instead of being sent to Bedrock.
_SHAPED = re.compile(r"^[a-z][a-z0-9]*\.[a-z][a-z0-9.:_-]*$")
_ANY_ARN = re.compile(r"^arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:\d*:\S+$", re.IGNORECASE)
_BEDROCK_ARN = re.compile(r"^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d*:([a-z-]+)/(\S+)$")


def shaped_id(name: str) -> bool:
    """Whether `name` looks like a Bedrock model id (`<provider>.<name>`, lower case)."""
    return _SHAPED.match(name) is not None


def any_arn(name: str) -> bool:
    """Whether `name` is shaped like an ARN of any service."""
    return _ANY_ARN.match(name) is not None


def bedrock_arn(key: str) -> tuple[str, str] | None:
    """(resource type, resource id) of a Bedrock ARN in lower case, or None."""
    match = _BEDROCK_ARN.match(key)
    return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True)
class Resolution:
    """What to call: `model_id` as sent to Bedrock; `profile` is set when that is a profile."""

    model: ModelInfo | None
    model_id: str
    profile: str | None = None

    @property
    def geography(self) -> str | None:
        if not self.profile:
            return None
        head = self.profile.rsplit("/", 1)[-1].split(".", 1)[0]
        return head if head in GEOGRAPHIES else None


def geography(region: str | None) -> str | None:
    """The inference-profile geography a Region belongs to: us-east-1 → us, ap-* → apac, ..."""
    r = (region or "").lower()
    if r.startswith("us-gov-"):
        return "us-gov"
    if r.startswith("us-"):
        return "us"
    if r.startswith("eu-") or r == "il-central-1":
        return "eu"
    if r.startswith("ap-") or r == "me-central-1":
        return "apac"
    if r.startswith("ca-"):
        return "ca"
    return None


def profile_candidates(region: str) -> list[str]:
    """Geographies to try, most specific first. Approximate: some profiles are callable from
    only part of their geography (e.g. the us. Llama 3.1 405B profile from us-east-2 only)."""
    r = region.lower()
    if r in _JAPAN:
        return ["jp", "apac"]
    if r in _AUSTRALIA:
        return ["au", "apac"]
    if r.startswith("ca-"):
        return ["ca", "us"]  # Canada: own ca. profiles (Nova Lite), else the us. profiles
    geo = geography(r)
    return [geo] if geo else []


def profile_geographies(region: str) -> list[str]:
    """The system-profile geographies callable from `region`, most specific first, the global
    profile last (none from GovCloud)."""
    candidates = profile_candidates(region)
    if not region.lower().startswith("us-gov-"):
        candidates.append("global")
    return candidates


def split_geography(name: str) -> tuple[str | None, str]:
    head, dot, rest = name.partition(".")
    if dot and head in GEOGRAPHIES and rest:
        return head, rest
    return None, name


def route(model: ModelInfo, region: str) -> Resolution:
    """The bare id when `model` runs on demand in `region`, else its system profile there."""
    if model.on_demand_in(region):
        return Resolution(model, model.id, None)
    geo = model.profile_geography_for(region)
    if geo is None:  # not callable from this Region at all; Bedrock will say so
        return Resolution(model, model.id, None)
    profile = model.profile_id(geo)
    return Resolution(model, profile, profile)
