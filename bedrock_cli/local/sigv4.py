"""Check a received request's SigV4 signature for ``serve --require-signature``.

The expected signature is recomputed with botocore's own :class:`SigV4Auth` over the request as
it arrived: the canonical headers are exactly the ones the client listed in ``SignedHeaders``,
the timestamp is its ``X-Amz-Date``, the region and service come from its credential scope, and
the payload hash is computed from the body received (or taken from ``X-Amz-Content-SHA256``).

Rejections carry the codes and messages AWS sends (all HTTP 403):

- no ``Authorization`` header: ``MissingAuthenticationTokenException`` "Missing Authentication
  Token";
- an ``Authorization`` header that is not a complete SigV4 header, or no ``X-Amz-Date``:
  ``IncompleteSignatureException``;
- an access key id other than the configured one: ``UnrecognizedClientException`` "The security
  token included in the request is invalid.";
- a wrong signature, a scope for another service, or a timestamp more than 15 minutes off:
  ``InvalidSignatureException``;
- ``Authorization: Bearer …`` (a Bedrock API key) when signatures are required:
  ``AccessDeniedException`` (the wording Bedrock uses for a key it does not accept; the exact
  text is UNVERIFIED).

The secret key is held only to compute HMACs; it is never logged or put in a message.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from .errors import EmulatorError

SERVICE = "bedrock"
MAX_SKEW = timedelta(minutes=15)

MISSING_TOKEN = "Missing Authentication Token"
UNRECOGNIZED = "The security token included in the request is invalid."
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
BEARER_REJECTED = "Authentication failed: Please make sure your API Key is valid."

_FIELD = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]*)")
_AMZ_DATE = "%Y%m%dT%H%M%SZ"


def _forbidden(code: str, message: str) -> EmulatorError:
    return EmulatorError(code, message, 403)


class SignatureVerifier:
    """Accepts only requests signed with SigV4 by the configured key pair."""

    def __init__(self, access_key_id: str, secret_access_key: str) -> None:
        if not access_key_id or not secret_access_key:
            raise ValueError("both an access key id and a secret access key are needed")
        self.access_key_id = access_key_id
        self._secret = secret_access_key

    def __repr__(self) -> str:  # never show the secret, even in a traceback
        return f"SignatureVerifier(access_key_id={self.access_key_id!r})"

    def check(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        now: datetime | None = None,
    ) -> EmulatorError | None:
        """None when the request is correctly signed, else the error to send back."""
        lower = {k.lower(): v for k, v in headers.items()}
        auth = lower.get("authorization", "").strip()
        if not auth:
            return _forbidden("MissingAuthenticationTokenException", MISSING_TOKEN)
        if auth.lower().startswith("bearer "):
            return _forbidden("AccessDeniedException", BEARER_REJECTED)
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return _forbidden(
                "IncompleteSignatureException",
                "Authorization header requires a supported signing algorithm: AWS4-HMAC-SHA256.",
            )
        fields = dict(_FIELD.findall(auth))
        for name in ("Credential", "SignedHeaders", "Signature"):
            if not fields.get(name):
                return _forbidden(
                    "IncompleteSignatureException",
                    f"Authorization header requires '{name}' parameter. "
                    f"Authorization={auth.split(' ', 1)[0]}",
                )
        scope = fields["Credential"].split("/")
        if len(scope) != 5 or scope[4] != "aws4_request":
            return _forbidden(
                "IncompleteSignatureException",
                "Credential should be scoped to a valid region, service and 'aws4_request'.",
            )
        key_id, day, region, service, _ = scope
        if not hmac.compare_digest(key_id.encode(), self.access_key_id.encode()):
            return _forbidden("UnrecognizedClientException", UNRECOGNIZED)
        if service != SERVICE:
            return _forbidden(
                "InvalidSignatureException",
                f"Credential should be scoped to correct service: '{SERVICE}'.",
            )
        stamp = lower.get("x-amz-date", "")
        try:
            when = datetime.strptime(stamp, _AMZ_DATE).replace(tzinfo=timezone.utc)
        except ValueError:
            return _forbidden(
                "IncompleteSignatureException",
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                "header.",
            )
        if stamp[:8] != day:
            return _forbidden(
                "InvalidSignatureException",
                f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                f"date from HTTP: '{day}' != '{stamp[:8]}', from '{stamp}'.",
            )
        current = now or datetime.now(timezone.utc)
        if abs(current - when) > MAX_SKEW:
            earliest = (current - MAX_SKEW).strftime(_AMZ_DATE)
            return _forbidden(
                "InvalidSignatureException",
                f"Signature expired: {stamp} is now earlier than {earliest} "
                f"({current.strftime(_AMZ_DATE)} - 15 min.)",
            )
        signed = [h for h in fields["SignedHeaders"].lower().split(";") if h]
        if "host" not in signed:
            return _forbidden("InvalidSignatureException", MISMATCH)
        expected = self._signature(method, target, lower, body, signed, stamp, region)
        if not hmac.compare_digest(expected, fields["Signature"].lower()):
            return _forbidden("InvalidSignatureException", MISMATCH)
        return None

    def _signature(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes,
        signed: list[str],
        stamp: str,
        region: str,
    ) -> str:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest, HTTPHeaders
        from botocore.credentials import Credentials

        class _AsReceived(SigV4Auth):
            """botocore's signer, with the client's own SignedHeaders list."""

            def headers_to_sign(self, request: Any) -> Any:
                header_map = HTTPHeaders()
                for name in signed:
                    header_map[name] = headers.get(name, "")
                return header_map

        declared = headers.get("x-amz-content-sha256")
        request = AWSRequest(
            method=method.upper(),
            url=f"http://{headers.get('host', 'localhost')}{target}",
            headers={"X-Amz-Content-SHA256": declared} if declared else {},
            data=body,
        )
        request.context["timestamp"] = stamp
        signer = _AsReceived(Credentials(self.access_key_id, self._secret), SERVICE, region)
        canonical = signer.canonical_request(request)
        return str(signer.signature(signer.string_to_sign(request, canonical), request))
