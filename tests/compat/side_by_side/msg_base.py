"""A base message in a module of its own, with its own package (tests/test_pyprod_side_by_side.py)."""

from intersystems_pyprod import Column, JsonSerialize

iris_package_name = "SbsBase"


class Note(JsonSerialize):
    text: str = ""
    stamp = Column("")
