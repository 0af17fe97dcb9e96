"""Read tahoe.cfg texts with configparser and with Tahoe-LAFS's own code.

Reads a JSON list on stdin; each item is {"text": tahoe.cfg text} with,
optionally, "node_type" ("client" or "introducer") and "files" ({relative
path: text}, written into the node directory next to tahoe.cfg), or
{"node_dir": path, "node_type": ...} to load an existing node directory.
Prints a JSON list with, for each item:

- "configparser": what configparser (as Tahoe configures it) reads: the
  sections, each section's option names and items in configparser's order,
  raw values, or {"error": class name} when it rejects the text. A value
  whose interpolation fails appears as {"error": class name}.
- "tahoe", when "node_type" is given: {"ok": true, "certificates": [...],
  "grid_manager_keys": ["pub-v0-..."]} when Tahoe's read_config accepts the
  node directory, or {"ok": false, "error": text}. The certificates are what
  _Config.get_grid_manager_certificates() loads, and the keys what
  StorageClientConfig.from_node_config() reads (clients only).
"""

import configparser
import json
import os
import sys
import tempfile

from allmydata import client, node
from allmydata.crypto import ed25519
from allmydata.introducer import server as introducer_server
from allmydata.storage_client import StorageClientConfig
from allmydata.util.configutil import get_config_from_string


def read_configparser(text):
    try:
        # Tahoe's node reads the bytes and decodes them with utf-8-sig, so
        # only \n ends a line, and a \r before it is trailing whitespace.
        if text.startswith("\ufeff"):
            text = text[1:]
        parser = get_config_from_string(text)
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


def load_node(basedir, node_type):
    try:
        if node_type == "introducer":
            node.read_config(
                basedir,
                "client.port",
                _valid_config=introducer_server._valid_config(),
            )
            return {"ok": True}
        config = client.read_config(basedir, "client.port")
        certificates = config.get_grid_manager_certificates()
        keys = StorageClientConfig.from_node_config(config).grid_manager_keys
        # The storage server reads this as a boolean when the node starts.
        grid_management = config.get_config(
            "storage", "grid_management", default=False, boolean=True
        )
    except Exception as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    return {
        "ok": True,
        "grid_management": grid_management,
        "certificates": certificates,
        "grid_manager_keys": [
            ed25519.string_from_verifying_key(key).decode("ascii")
            for key in keys
        ],
    }


def read_tahoe(text, node_type, files):
    with tempfile.TemporaryDirectory() as basedir:
        with open(os.path.join(basedir, "tahoe.cfg"), "wb") as f:
            f.write(text.encode("utf-8"))
        for relative, content in files.items():
            path = os.path.join(basedir, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(content.encode("utf-8"))
        return load_node(basedir, node_type)


results = []
for item in json.load(sys.stdin):
    if "node_dir" in item:
        results.append({"tahoe": load_node(item["node_dir"], item["node_type"])})
        continue
    result = {"configparser": read_configparser(item["text"])}
    if "node_type" in item:
        result["tahoe"] = read_tahoe(
            item["text"], item["node_type"], item.get("files", {})
        )
    results.append(result)
json.dump(results, sys.stdout, ensure_ascii=False)
