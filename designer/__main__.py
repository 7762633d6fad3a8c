"""``python -m designer`` — the same as the ``netdesigner`` command."""
import sys

from .launch import main

sys.exit(main())
