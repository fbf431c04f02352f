"""Server-side framing: JSON bodies compressed with zlib (with header), as the live server does."""

from __future__ import annotations

import json
import zlib
from typing import Any

from dfx_tui.book.codec import encode_server_frame

ERR_INVALID_ARGUMENT = 1
ERR_INTERNAL = 2
ERR_METHOD_NOT_FOUND = 4

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def encode(body: Any) -> bytes:
    """A server frame: zlib.compress(JSON); the first bytes are 78 9c (the project's codec)."""
    return encode_server_frame(body)


def decode(payload: bytes | str) -> Any:
    """The inverse, for tests: binary = inflate then parse, text = parse."""
    if isinstance(payload, str):
        return json.loads(payload)
    return json.loads(zlib.decompress(payload))


def decode_request(msg: str | bytes) -> dict[str, Any]:
    """A client request; ValueError unless it is a JSON object."""
    try:
        req = json.loads(msg)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(str(e)) from e
    if not isinstance(req, dict):
        raise ValueError("request is not an object")
    return req


def dumps(body: Any) -> str:
    return _dumps(body)


def reply(rid: Any, result: Any) -> dict[str, Any]:
    return {"error": None, "result": result, "id": rid}


def error(rid: Any, code: int, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}, "result": None, "id": rid}


def push(method: str, params: list[Any]) -> dict[str, Any]:
    return {"method": method, "params": params, "id": None}
