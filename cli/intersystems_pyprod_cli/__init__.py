"""The intersystems_pyprod command: load Python production scripts into IRIS."""

__version__ = "0.3.0"
