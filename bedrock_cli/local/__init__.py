"""The offline Bedrock: an emulator that answers a real boto3 client in-process or over HTTP."""

from __future__ import annotations

from .router import Emulator, EmulatorOptions, Request, Response, route
from .transport import attach

__all__ = ["Emulator", "EmulatorOptions", "Request", "Response", "attach", "route"]
