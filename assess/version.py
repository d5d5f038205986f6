"""The engine's version: stamped on every output, so a diff can tell engine changes apart."""

__version__ = "0.1.0"
