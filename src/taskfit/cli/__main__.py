"""`python -m taskfit.cli`."""

from taskfit.cli import main

main()
