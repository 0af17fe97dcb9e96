"""Parse times with datetime.fromisoformat, as Tahoe-LAFS reads expiries.

Reads a JSON list of strings on stdin and prints a JSON list of the
microseconds since the epoch of each. A string gives null when Python
rejects it or when the time has no UTC offset, because Tahoe cannot
compare such a time with the current time.
"""

import json
import sys
from datetime import datetime, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse(text):
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    delta = value - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds


def main():
    json.dump([parse(text) for text in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
