"""A second module of the project: a message subclass, and a class-level package name
(tests/test_pyprod_side_by_side.py)."""

from msg_base import Note

from intersystems_pyprod import BusinessOperation, Column, PickleSerialize, Status

iris_package_name = "SbsSub"


class Urgent(Note):
    level: int = 1
    note = Column("")


class Parcel(PickleSerialize):
    iris_package_name = "SbsElsewhere"
    weight: float = 0.0


class Desk(BusinessOperation):
    iris_package_name = "SbsElsewhere"

    def OnMessage(self, request):
        return Status.OK()
