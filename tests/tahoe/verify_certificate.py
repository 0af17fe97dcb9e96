"""Check a certificate the way a Tahoe-LAFS client does before uploading.

Usage: verify_certificate.py GRID_MANAGER_KEY SERVER_KEY CERT_FILE NOW

GRID_MANAGER_KEY and SERVER_KEY are pub-v0- strings, NOW an ISO 8601 time
with an offset. The certificate file is first loaded as a storage node
loads it (parse_grid_manager_certificate), then given to the client's
create_grid_manager_verifier. Prints {"valid": true|false}.
"""

import json
import sys
from datetime import datetime

from allmydata.crypto import ed25519
from allmydata.grid_manager import (
    SignedCertificate,
    create_grid_manager_verifier,
    parse_grid_manager_certificate,
)


def main(grid_manager_key, server_key, cert_file, now):
    with open(cert_file, "r") as handle:
        text = handle.read()
    parse_grid_manager_certificate(text)
    with open(cert_file, "r") as handle:
        certificate = SignedCertificate.load(handle)
    failures = []
    verifier = create_grid_manager_verifier(
        [ed25519.verifying_key_from_string(grid_manager_key.encode("ascii"))],
        [certificate],
        server_key.encode("ascii"),
        now_fn=lambda: datetime.fromisoformat(now),
        bad_cert=lambda key, cert: failures.append(1),
    )
    json.dump({"valid": verifier(), "bad_signatures": len(failures)}, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:5])
