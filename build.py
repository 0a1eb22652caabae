#!/usr/bin/env python3
"""pressroom's command line: `python build.py --help`."""

from __future__ import annotations

import sys

from pressroom.cli import run

if __name__ == "__main__":
    sys.exit(run())
