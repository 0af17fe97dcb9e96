"""Report which key strings Tahoe-LAFS's Ed25519 key decoders accept.

Reads a JSON list of strings on stdin and prints a JSON list of
{"public": bool, "private": bool}: whether verifying_key_from_string and
signing_keypair_from_string accept the string's UTF-8 bytes.
"""

import json
import sys

from allmydata.crypto import ed25519


def accepts(decode, text):
    try:
        decode(text.encode("utf-8"))
    except Exception:
        return False
    return True


def main():
    results = [
        {
            "public": accepts(ed25519.verifying_key_from_string, text),
            "private": accepts(ed25519.signing_keypair_from_string, text),
        }
        for text in json.load(sys.stdin)
    ]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
