"""Print the tahoe.cfg sections and options Tahoe-LAFS accepts, as JSON.

Prints {"client": {section: [options]}, "introducer": {...}, "dynamic":
{section: accepted}} from the validators Tahoe's client and introducer
apply when they read tahoe.cfg. "dynamic" lists, for a few section names,
whether the client accepts them beyond the fixed table.
"""

import json

from allmydata import client
from allmydata.introducer import server

client_config = client._valid_config()
introducer_config = server._valid_config()
names = [
    "grid_managers",
    "grid_manager_certificates",
    "grid_management_certificates",
    "grid_management_keys",
    "storageclient.plugins.x",
    "storageserver.plugins.y",
    "plugins",
]
print(json.dumps({
    "client": {
        section: sorted(set(options))
        for section, options in client_config._static_valid_sections.items()
    },
    "introducer": {
        section: sorted(set(options))
        for section, options in introducer_config._static_valid_sections.items()
    },
    "dynamic": {
        name: client_config.is_valid_section(name)
        and name not in client_config._static_valid_sections
        for name in names
    },
}))
