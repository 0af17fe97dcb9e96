"""
Answers questions about Tahoe-LAFS 1.20 behaviour in bulk, for the property
tests: one JSON request per stdin line, one JSON answer per stdout line, in order.

Requests:
  {"op": "a2b", "text": ...}             -> {"hex": ...} or {"error": ...}
  {"op": "dumps", "value": ..., "indent": n|null, "compact": bool,
   "sort_keys": bool}                     -> {"text": ...}
  {"op": "fromisoformat", "text": ...}   -> {"micros": n}, {"naive": true}
                                            or {"error": ...}
  {"op": "verify", "key": hex, "signature": hex, "message": hex}
                                          -> {"valid": bool} or {"error": ...}
"""

import json
import sys
from datetime import datetime, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from allmydata.crypto import ed25519
from allmydata.util import base32

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def answer(request):
    op = request["op"]
    if op == "a2b":
        try:
            return {"hex": base32.a2b(request["text"].encode("ascii")).hex()}
        except Exception as e:  # Tahoe signals bad input with assertions too
            return {"error": type(e).__name__}
    if op == "dumps":
        separators = (",", ":") if request["compact"] else None
        return {
            "text": json.dumps(
                request["value"],
                indent=request["indent"],
                separators=separators,
                sort_keys=request["sort_keys"],
            )
        }
    if op == "fromisoformat":
        try:
            parsed = datetime.fromisoformat(request["text"])
        except Exception as e:
            return {"error": type(e).__name__}
        if parsed.tzinfo is None:
            return {"naive": True}
        delta = parsed - EPOCH
        micros = (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds
        return {"micros": micros}
    if op == "verify":
        try:
            key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(request["key"]))
        except Exception as e:
            return {"error": type(e).__name__}
        try:
            ed25519.verify_signature(
                key,
                bytes.fromhex(request["signature"]),
                bytes.fromhex(request["message"]),
            )
            return {"valid": True}
        except ed25519.BadSignature:
            return {"valid": False}
        except Exception as e:
            return {"error": type(e).__name__}
    raise ValueError("unknown op " + op)


def main():
    # Read every request before answering: the caller writes all of stdin
    # before it reads stdout, so answering early could fill the pipe.
    requests = [json.loads(line) for line in sys.stdin]
    sys.stdout.write("".join(json.dumps(answer(r)) + "\n" for r in requests))


if __name__ == "__main__":
    main()
