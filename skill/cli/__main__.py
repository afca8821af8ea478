"""`python -m skill.cli`: the `recovery-coach` command."""

import sys

from skill.cli import main

sys.exit(main())
