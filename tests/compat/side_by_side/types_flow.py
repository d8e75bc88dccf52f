"""Settings and columns with and without a datatype (tests/test_pyprod_side_by_side.py)."""

from intersystems_pyprod import BusinessOperation, Column, IRISLog, IRISProperty, JsonSerialize, Status

iris_package_name = "SbsTypes"


class Reading(JsonSerialize):
    count = Column(0)
    ratio = Column(1.5)
    flag = Column(True)
    label = Column("x")
    empty = Column()
    typed_count = Column(0, "int")
    amount = Column(0, "num")
    annotated: int = Column(0)


class Reader(BusinessOperation):
    retries = IRISProperty(0, settings="Basic")
    ratio = IRISProperty(12.5, settings="Basic")
    enabled = IRISProperty(True, settings="Basic")
    name = IRISProperty("n/a", settings="Basic")
    nothing = IRISProperty(settings="Basic")
    typed_retries = IRISProperty(3, "int", settings="Basic")
    # pyprod writes a bool default as InitialExpression = False, which IRIS cannot compile
    typed_flag = IRISProperty(1, "bool", settings="Basic")

    def OnMessage(self, request):
        values = {n: getattr(self, n) for n in ("retries", "ratio", "enabled", "name", "nothing",
                                                 "typed_retries", "typed_flag")}
        IRISLog.Info(repr(values))
        return Status.OK(), request
