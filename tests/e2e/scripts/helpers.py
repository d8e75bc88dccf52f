"""A module two e2e scripts share by name: the hot reload changes TAG."""

TAG = "v1"


def tag() -> str:
    return TAG
