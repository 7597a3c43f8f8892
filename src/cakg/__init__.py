"""China–ASEAN ICT cooperation knowledge graph."""

__version__ = "0.1.0"
