"""Serialize values with Python's json.dumps, for comparison with ours.

Reads a JSON list of [value, options] pairs on stdin, where options has
"indent", "compact" and "sort_keys", and prints a JSON list of the texts
json.dumps returns.
"""

import json
import sys


def dump(value, options):
    return json.dumps(
        value,
        indent=options.get("indent"),
        separators=(",", ":") if options.get("compact") else None,
        sort_keys=options.get("sort_keys", False),
    )


def main():
    cases = json.load(sys.stdin)
    json.dump([dump(value, options) for value, options in cases], sys.stdout)


if __name__ == "__main__":
    main()
