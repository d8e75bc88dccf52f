"""A stand-in for the embedded ``iris`` module, just enough for pyprod 0.2.0 to import, generate
classes offline (productions included) and move JSON messages through an in-memory stream; used by
the benchmarks and by the test that compares generated names with pyprod's."""

from typing import Any, List


class StandInStream:
    def __init__(self) -> None:
        self.chunks: List[str] = []

    def Write(self, data: str) -> int:
        self.chunks.append(data)
        return 1

    def text(self) -> str:
        return "".join(self.chunks)


class StandInObject:
    """A generated message object: attributes, and the stub method pyprod's ObjectScript has."""

    def __init__(self) -> None:
        self.SerializedStream = None
        self._joined = ""

    def chunksFromIRIS(self, iteration: int, size: int) -> str:
        if iteration == 0:
            self._joined = self.SerializedStream.text() if self.SerializedStream else ""
        return self._joined[iteration * size:(iteration + 1) * size]


class _Name:
    """Any ``iris.<package>.<Class>`` path; ``_New()`` makes an object or a stream."""

    def __init__(self, path: str) -> None:
        self._path = path

    def __getattr__(self, name: str) -> Any:
        return _Name(f"{self._path}.{name}")

    def _New(self) -> Any:
        return StandInStream() if "Stream" in self._path else StandInObject()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._path.endswith("._OpenId"):
            return _Record()
        return 1


class _Record:
    """An opened dictionary record: every attribute is empty."""

    def __getattr__(self, name: str) -> Any:
        return ""


system = _Name("system")


def __getattr__(name: str) -> Any:
    return _Name(name)
