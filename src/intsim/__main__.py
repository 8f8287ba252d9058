"""``python -m intsim`` runs the command-line interface."""

import sys

from intsim.cli import main

sys.exit(main())
