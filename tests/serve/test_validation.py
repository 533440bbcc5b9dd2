"""A raw HTTP client (no botocore checks on its side) is refused as Bedrock refuses it."""

from __future__ import annotations

import http.client
import json
from urllib.parse import quote

from .conftest import Live


def test_serve_refuses_what_the_model_forbids_in_bedrocks_words(live: Live) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)
    body = json.dumps({"messages": [{"role": "user", "content": [{"text": "Hi."}]}],
                       "inferenceConfig": {"maxTokens": 0}})
    conn.request("POST", f"/model/{quote('amazon.nova-lite-v1:0', safe='')}/converse", body,
                 {"Content-Type": "application/json"})
    reply = conn.getresponse()
    assert reply.status == 400
    assert reply.getheader("x-amzn-ErrorType", "").startswith("ValidationException:")
    assert json.loads(reply.read()) == {"message": (
        "1 validation error detected: Value '0' at 'inferenceConfig.maxTokens' failed to "
        "satisfy constraint: Member must have value greater than or equal to 1")}
