"""
Prints what a Tahoe-LAFS 1.20 client decides about each storage server in
announcement files, using Tahoe's own code: the certificate loading of
StorageFarmBroker._make_storage_server and create_grid_manager_verifier.

Usage: grid_manager_verdicts.py NOW [--key PUBKEY]... FILE...

NOW is an ISO 8601 time with an offset. A FILE named servers.yaml is read
as static servers; any other FILE as an introducer cache, where the last
announcement read for a server wins. Prints one JSON
object mapping server id to "allowed", "refused", "dropped" (the client
raises while loading the announcement) or "breaks-uploads" (the check
raises at upload time).
"""

import json
import os
import sys
from datetime import datetime
from io import StringIO

from allmydata.util import yamlutil
from allmydata.crypto import ed25519
from allmydata.grid_manager import SignedCertificate, create_grid_manager_verifier


def announcements(path):
    with open(path) as f:
        data = yamlutil.safe_load(f)
    if os.path.basename(path) == "servers.yaml":
        for server_id, server in (data or {}).get("storage", {}).items():
            yield server_id, server["ann"]
        return
    for entry in data or []:
        if entry["ann"]["service-name"] == "storage":
            yield entry["key_s"], entry["ann"]


def verdict(keys, server_id, ann, now):
    try:
        certs = [
            SignedCertificate.load(StringIO(json.dumps(data)))
            for data in ann.get("grid-manager-certificates", [])
        ]
        verifier = create_grid_manager_verifier(
            keys,
            certs,
            "pub-{}".format(server_id).encode("ascii"),
            now_fn=lambda: now,
            bad_cert=lambda key, cert: None,
        )
    except Exception:
        return "dropped"
    try:
        return "allowed" if verifier() else "refused"
    except Exception:
        return "breaks-uploads"


def main(argv):
    now = datetime.fromisoformat(argv[0])
    keys = []
    files = []
    rest = argv[1:]
    while rest:
        if rest[0] == "--key":
            keys.append(ed25519.verifying_key_from_string(rest[1].encode("ascii")))
            rest = rest[2:]
        else:
            files.append(rest[0])
            rest = rest[1:]
    verdicts = {}
    # As StorageFarmBroker does: static servers first, and only those that
    # load hide the introducer announcements for their id.
    static_ids = set()
    for path in files:
        if os.path.basename(path) != "servers.yaml":
            continue
        for server_id, ann in announcements(path):
            verdicts[server_id] = verdict(keys, server_id, ann, now)
            if verdicts[server_id] != "dropped":
                static_ids.add(server_id)
    for path in files:
        if os.path.basename(path) == "servers.yaml":
            continue
        for server_id, ann in announcements(path):
            if server_id not in static_ids:
                verdicts[server_id] = verdict(keys, server_id, ann, now)
    print(json.dumps(verdicts, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
