"""Dystonia patient information kiosk."""

__version__ = "0.1.0"
