"""python3 -m pontes_mock (with tools/mock on sys.path): the same as tools/mock/mock_server.py."""

import sys

from .cli import main

sys.exit(main(prog="python3 -m pontes_mock"))
