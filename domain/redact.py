"""Secrets out of anything stored or logged: an error message from a platform client often carries the request URL,
and with it `corpsecret=…` or `access_token=…` (issue 14: outbox.last_error held them in clear)."""
from __future__ import annotations

import re

HIDDEN = "***"
# Query parameters and JSON/form fields that hold a credential, and the shapes of Slack's tokens.
_PARAM = re.compile(r"(?i)\b(access_token|corpsecret|secret|token|key|signing_secret|client_secret|password)"
                    r"(\s*[=:]\s*[\"']?)([^&\s\"',;)]+)")
_SLACK = re.compile(r"\bx(?:ox[abposr]|app)-[A-Za-z0-9-]{6,}")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")


def redact(text: str) -> str:
    """The text with every credential replaced by ***; the rest (status codes, hosts, paths) kept for diagnosis."""
    text = _PARAM.sub(lambda m: m.group(1) + m.group(2) + HIDDEN, text)
    text = _SLACK.sub(HIDDEN, text)
    return _BEARER.sub(lambda m: m.group(1) + HIDDEN, text)
