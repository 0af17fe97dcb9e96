"""Load a Grid Manager directory with Tahoe-LAFS and save it with Tahoe.

Usage: save_grid_manager.py SOURCE_DIR TARGET_DIR

TARGET_DIR/config.json is then the file Tahoe writes for the same Grid
Manager, so a test can compare it byte for byte with ours.
"""

import sys

from twisted.python.filepath import FilePath

from allmydata.grid_manager import load_grid_manager, save_grid_manager


def main(source, target):
    grid_manager = load_grid_manager(FilePath(source))
    save_grid_manager(FilePath(target), grid_manager, create=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
