"""Load a Grid Manager with Tahoe-LAFS's own loader and describe it as JSON.

Usage: load_grid_manager.py DIR|-   (with "-", the config comes on stdin)

Prints {"public_identity", "storage_servers": {name: {"public_key",
"certificates": [{"index", "expires", "public_key"}]}}}. A config that
Tahoe cannot load makes the script exit non-zero with Tahoe's traceback.
"""

import json
import sys

from twisted.python.filepath import FilePath

from allmydata.crypto import ed25519
from allmydata.grid_manager import load_grid_manager


def main(location):
    path = None if location == "-" else FilePath(location)
    grid_manager = load_grid_manager(path)
    servers = {}
    for name, server in grid_manager.storage_servers.items():
        servers[name] = {
            "public_key": server.public_key_string().decode("ascii"),
            "certificates": [
                {
                    "index": certificate.index,
                    "expires": certificate.expires.isoformat(),
                    "public_key": ed25519.string_from_verifying_key(
                        certificate.public_key
                    ).decode("ascii"),
                }
                for certificate in server.certificates
            ],
        }
    json.dump(
        {
            "public_identity": grid_manager.public_identity().decode("ascii"),
            "storage_servers": servers,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main(sys.argv[1])
