#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    from pipeline.settings.envfile import load_env_file

    load_env_file()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipeline.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
