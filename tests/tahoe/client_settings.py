"""
Prints the upload settings a Tahoe-LAFS 1.20 client reads from a node
directory's tahoe.cfg, using Tahoe's own config reader and validation:
the [grid_managers] entries (as StorageClientConfig.from_node_config reads
them) and shares.needed/happy/total (as Client.init_client reads them).

Usage: client_settings.py NODEDIR

Prints one JSON object: {"grid_managers": [[name, key], ...], "needed": N,
"happy": N, "total": N}, or {"error": "..."} when the client would not
start.
"""

import json
import sys

from allmydata.client import _valid_config
from allmydata.crypto import ed25519
from allmydata.node import read_config


def main(basedir):
    try:
        config = read_config(basedir, "client.port", _valid_config=_valid_config())
        managers = []
        for name, key in config.enumerate_section("grid_managers").items():
            ed25519.verifying_key_from_string(key.encode("ascii"))
            managers.append([name, key])
        result = {
            "grid_managers": managers,
            "needed": int(config.get_config("client", "shares.needed", 3)),
            "happy": int(config.get_config("client", "shares.happy", 7)),
            "total": int(config.get_config("client", "shares.total", 10)),
        }
    except Exception as error:
        result = {"error": "{}: {}".format(type(error).__name__, error)}
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
