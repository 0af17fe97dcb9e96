"""Print what configparser, as Tahoe-LAFS configures it, reads from files.

Usage: read_cfg.py FILE...

For each FILE (decoded as UTF-8 with an optional byte order mark, read with
universal newlines, as Tahoe reads tahoe.cfg) prints one JSON object per
line: {"sections": [...], "items": {section: [[name, value], ...]},
"raw": {section: {name: raw}}, "defaults": {name: raw}}, or {"error": text}
when configparser rejects the file. A value whose interpolation fails is
reported as {"error": text} in place of the value.
"""

import configparser
import json
import sys

from allmydata.util.configutil import get_config


def read(path):
    try:
        parser = get_config(path)
    except configparser.Error as error:
        return {"error": type(error).__name__}
    items = {}
    raw = {}
    for section in parser.sections():
        raw[section] = {
            name: parser.get(section, name, raw=True)
            for name in parser.options(section)
        }
        pairs = []
        # items() lists defaults first, unlike options().
        for name, _ in parser.items(section, raw=True):
            try:
                pairs.append([name, parser.get(section, name)])
            except configparser.Error as error:
                pairs.append([name, {"error": type(error).__name__}])
        items[section] = pairs
    return {
        "sections": parser.sections(),
        "options": {s: parser.options(s) for s in parser.sections()},
        "items": items,
        "raw": raw,
        "defaults": dict(parser.defaults()),
    }


for path in sys.argv[1:]:
    print(json.dumps(read(path), ensure_ascii=False))
