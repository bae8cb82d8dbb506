#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import gc
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rentan.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    finally:
        # The interpreter's last garbage collections over Django's ~100.000 objects took 0,2-0,3 s after every
        # command; frozen objects are left to the operating system (atexit handlers, logging's flush, still run).
        gc.freeze()


if __name__ == "__main__":
    main()
