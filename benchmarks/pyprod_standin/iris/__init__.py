"""A stand-in for the embedded ``iris`` module, just enough for pyprod 0.2.0 to import, generate
classes offline (productions included) and move JSON and pickle messages through in-memory streams,
read chunk by chunk as pyprod reads them; used by
the benchmarks and by the test that compares generated names with pyprod's."""

from typing import Any, List


class StandInStream:
    """``%Stream.GlobalCharacter`` / ``%Stream.GlobalBinary``: the chunks written, read back chunk
    by chunk (a read of a whole stored chunk hands it back uncopied, as our own stand-in does)."""

    def __init__(self) -> None:
        self.chunks: List[Any] = []
        self._index = 0
        self._offset = 0

    def Write(self, data: Any) -> int:
        if data:
            self.chunks.append(data)
        return 1

    def Rewind(self) -> int:
        self._index = self._offset = 0
        return 1

    @property
    def AtEnd(self) -> int:
        return int(self._index >= len(self.chunks))

    def Read(self, size: int) -> Any:
        out: List[Any] = []
        while size > 0 and self._index < len(self.chunks):
            chunk = self.chunks[self._index]
            if self._offset == 0 and len(chunk) <= size:
                out.append(chunk)
                size -= len(chunk)
                self._index += 1
                continue
            part = chunk[self._offset:self._offset + size]
            out.append(part)
            size -= len(part)
            self._offset += len(part)
            if self._offset >= len(chunk):
                self._index, self._offset = self._index + 1, 0
        if not out:
            return ""
        return out[0] if len(out) == 1 else out[0][:0].join(out)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.decode("latin-1") for c in self.chunks)


class StandInObject:
    """A generated message object: attributes, and the method pyprod's generated classes have."""

    def __init__(self) -> None:
        self.SerializedStream = None

    def chunksFromIRIS(self, iteration: int, size: int) -> Any:
        """As pyprod's ObjectScript: rewind at 0, then one ``Read(size)`` per call; a binary
        stream's chunk comes back as bytes (``%SYS.Python.Bytes``)."""
        stream = self.SerializedStream
        if stream is None:
            return ""
        if iteration == 0:
            stream.Rewind()
        if stream.AtEnd:
            return b"" if stream.chunks and isinstance(stream.chunks[0], bytes) else ""
        return stream.Read(size)


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
        if self._path.endswith("Python.Bytes"):  # %SYS.Python.Bytes: Python bytes of an 8-bit string
            value = args[0] if args else b""
            return value if isinstance(value, bytes) else bytes(value, "latin-1")
        return 1


class _Record:
    """An opened dictionary record: every attribute is empty."""

    def __getattr__(self, name: str) -> Any:
        return ""


system = _Name("system")


def __getattr__(name: str) -> Any:
    return _Name(name)
