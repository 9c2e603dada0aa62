"""Well-reasoned unit conversion with small language models."""

__version__ = "1.1.0"
