"""Load YAML texts with PyYAML's safe_load, as Tahoe-LAFS reads its
announcement caches and private/servers.yaml.

Reads a JSON list of texts on stdin and prints a JSON list with, for each,
{"value": ...} or {"error": class name}. Values are made JSON-safe:
timestamps become {"timestamp": true}, binary becomes {"binary": hex},
infinities and NaN become the strings "inf", "-inf" and "nan", and a
mapping with a key that is not a string becomes {"non_string_key": true}.
"""

import datetime
import json
import math
import sys

import yaml


def plain(value, depth=0):
    if depth > 200:
        raise RecursionError("too deep to compare")
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return {"timestamp": True}
    if isinstance(value, bytes):
        return {"binary": value.hex()}
    if isinstance(value, list):
        return [plain(item, depth + 1) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            return {"non_string_key": True}
        return {key: plain(item, depth + 1) for key, item in value.items()}
    return {"other": type(value).__name__}


results = []
for text in json.load(sys.stdin):
    try:
        results.append({"value": plain(yaml.safe_load(text))})
    except Exception as error:
        results.append({"error": type(error).__name__})
json.dump(results, sys.stdout)
