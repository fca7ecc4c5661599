#!/usr/bin/env python
import os
import sys


def main():
    # An empty value counts as unset (setdefault would keep it).
    os.environ["DJANGO_SETTINGS_MODULE"] = (
        os.environ.get("DJANGO_SETTINGS_MODULE") or "portal.settings"
    )
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
