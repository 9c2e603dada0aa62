"""Well-reasoned unit conversion with small language models."""
