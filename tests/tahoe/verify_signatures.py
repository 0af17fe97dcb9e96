"""Report which Ed25519 signatures Tahoe-LAFS's verify_signature accepts.

Reads a JSON list of [public_key_hex, signature_hex, message_hex] on stdin
and prints a JSON list of booleans. A public key that Tahoe cannot even
load counts as a rejected signature.
"""

import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from allmydata.crypto import ed25519


def accepts(public_key_hex, signature_hex, message_hex):
    try:
        public_key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        ed25519.verify_signature(
            public_key, bytes.fromhex(signature_hex), bytes.fromhex(message_hex)
        )
    except Exception:
        return False
    return True


def main():
    json.dump([accepts(*case) for case in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
