"""Sign a certificate with Tahoe-LAFS's Grid Manager at a fixed time.

Usage: sign_certificate.py PRIVATE_KEY SERVER_KEY NOW DAYS

Registers SERVER_KEY as "server" with a Grid Manager holding PRIVATE_KEY,
signs for DAYS days as if the clock read NOW (ISO 8601 with an offset), and
prints the document the way `grid-manager sign` prints it.
"""


import sys
from datetime import datetime, timedelta

import allmydata.grid_manager as grid_manager_module
from allmydata.util import jsonbytes as json
from allmydata.crypto import ed25519
from allmydata.grid_manager import _GridManager


def main(private_key, server_key, now, days):
    grid_manager_module.current_datetime_with_zone = (
        lambda: datetime.fromisoformat(now)
    )
    grid_manager = _GridManager(private_key.encode("ascii"), {})
    grid_manager.add_storage_server(
        "server", ed25519.verifying_key_from_string(server_key.encode("ascii"))
    )
    certificate = grid_manager.sign("server", timedelta(days=int(days)))
    sys.stdout.write(json.dumps(certificate.marshal(), indent=4))


if __name__ == "__main__":
    main(*sys.argv[1:5])
