#!/usr/bin/env python3
"""pressroom's command line in a clone: `python build.py --help` (the same as `pressroom`)."""

from __future__ import annotations

import sys

from pressroom.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
