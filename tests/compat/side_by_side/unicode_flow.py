"""Class, field, setting and method names with letters beyond ASCII (tests/test_pyprod_side_by_side.py)."""

from intersystems_pyprod import BusinessOperation, Column, IRISProperty, JsonSerialize, Status

iris_package_name = "Grüße"


class Straße(JsonSerialize):
    größe = Column("")
    länge_gesamt = Column(0, "int", index=True)


class Bücherei(BusinessOperation):
    höhe = IRISProperty("1", settings="Basic")
    MessageMap = {"Grüße.Straße": "prüfe_straße"}

    def prüfe_straße(self, request):
        return Status.OK()
