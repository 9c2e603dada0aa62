"""python -m homework.questions generate|questions|coverage|robust: see commands.py."""

from ..cli import main
from .commands import COMMANDS

main(COMMANDS)
