"""The pickle opcodes as methods of a small virtual machine (a stack, marks and a memo).

:mod:`.unpickler` runs the opcodes of ordinary data inline in its loop; this module holds one
method per opcode for all the others it accepts, the helpers that read the input with every
declared length checked first, and the table of opcodes it refuses outright.
"""

from __future__ import annotations

import pickle
import struct
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import pickle_policy as policy
from .pickle_policy import PickleRefused

#: Largest integer in a pickle (bytes of its two's-complement form; 64 KiB is 157,000 digits).
MAX_INT_BYTES = 64 * 1024

#: Opcodes refused in messages, by name.
REFUSED_OPCODES = {
    b"P"[0]: "PERSID", b"Q"[0]: "BINPERSID", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
    0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER", b"S"[0]: "STRING", b"T"[0]: "BINSTRING",
    b"U"[0]: "SHORT_BINSTRING",
}


class OpcodeMachine:
    """The pickle virtual machine's state, and one method per opcode.

    The input is read in place (bytes or a bytearray, never copied whole); values are copied out
    of it. Every opcode that resolves a class, calls one or changes an object asks
    :mod:`.pickle_policy`.
    """

    __slots__ = ("data", "marks", "memo", "pos", "stack", "view")

    def __init__(self, data: Any) -> None:
        self.data = data
        self.view: Optional[memoryview] = None  # made when a long value is first read
        self.pos = 0
        self.stack: List[Any] = []
        self.marks: List[int] = []
        self.memo: Dict[int, Any] = {}

    # -- input ---------------------------------------------------------------------------------
    def _span(self, size: int) -> int:
        """Check that ``size`` bytes remain; returns where they end."""
        remaining = len(self.data) - self.pos
        if size < 0 or size > remaining:
            raise PickleRefused(f"a length of {size} bytes at byte {self.pos} exceeds the {remaining} bytes left")
        return self.pos + size

    def window(self, start: int, end: int) -> memoryview:
        """The input from ``start`` to ``end``, uncopied."""
        if self.view is None:
            self.view = memoryview(self.data)
        return self.view[start:end]

    def read(self, size: int) -> bytes:
        end = self._span(size)
        start, self.pos = self.pos, end
        return self.data[start:end] if type(self.data) is bytes else bytes(self.window(start, end))

    def unpack(self, fmt: str) -> int:
        size = struct.calcsize(fmt)
        self._span(size)
        value: int = struct.unpack_from(fmt, self.data, self.pos)[0]
        self.pos += size
        return value

    def line(self) -> bytes:
        end = self.data.find(b"\n", self.pos)
        if end < 0:
            raise PickleRefused(f"a text argument at byte {self.pos} has no end of line")
        text = bytes(self.data[self.pos:end])
        self.pos = end + 1
        return text

    def text_line(self) -> str:
        return self.line().decode("utf-8")

    # -- stack -------------------------------------------------------------------------------------
    def pop_mark(self) -> List[Any]:
        if not self.marks:
            raise PickleRefused("a MARK is missing")
        start = self.marks.pop()
        items = self.stack[start:]
        del self.stack[start:]
        return items

    # -- opcodes: framing and constants ------------------------------------------------------------
    def op_proto(self) -> None:
        version = self.read(1)[0]
        if version > pickle.HIGHEST_PROTOCOL:
            raise PickleRefused(f"pickle protocol {version} is newer than this Python supports")

    def op_frame(self) -> None:
        size = self.unpack("<Q")
        if size > len(self.data) - self.pos:
            raise PickleRefused(f"a frame of {size} bytes exceeds the {len(self.data) - self.pos} bytes left")

    def op_mark(self) -> None:
        self.marks.append(len(self.stack))

    def op_pop(self) -> None:
        if self.marks and self.marks[-1] == len(self.stack):
            self.pop_mark()
        else:
            self.stack.pop()

    def op_pop_mark(self) -> None:
        self.pop_mark()

    def op_dup(self) -> None:
        self.stack.append(self.stack[-1])

    def op_none(self) -> None:
        self.stack.append(None)

    def op_true(self) -> None:
        self.stack.append(True)

    def op_false(self) -> None:
        self.stack.append(False)

    def op_int(self) -> None:
        text = self.line()
        self.stack.append({b"00": False, b"01": True}[text] if text in (b"00", b"01") else self._int_text(text))

    def op_long(self) -> None:
        self.stack.append(self._int_text(self.line().rstrip(b"L")))

    def _int_text(self, text: bytes) -> int:
        if len(text) > MAX_INT_BYTES * 2:
            raise PickleRefused(f"an integer of {len(text)} digits exceeds the limit")
        return int(text)

    def op_binint(self) -> None:
        self.stack.append(self.unpack("<i"))

    def op_binint1(self) -> None:
        self.stack.append(self.read(1)[0])

    def op_binint2(self) -> None:
        self.stack.append(self.unpack("<H"))

    def op_long1(self) -> None:
        self.stack.append(int.from_bytes(self.read(self.read(1)[0]), "little", signed=True))

    def op_long4(self) -> None:
        size = self.unpack("<i")
        if size > MAX_INT_BYTES:
            raise PickleRefused(f"an integer of {size} bytes exceeds the limit of {MAX_INT_BYTES}")
        self.stack.append(int.from_bytes(self.read(size), "little", signed=True))

    def op_float(self) -> None:
        self.stack.append(float(self.line()))

    def op_binfloat(self) -> None:
        self.stack.append(struct.unpack(">d", self.read(8))[0])

    def op_unicode(self) -> None:
        self.stack.append(self.line().decode("raw-unicode-escape"))

    def _text(self, size: int) -> None:
        end = self._span(size)
        self.stack.append(str(self.window(self.pos, end), "utf-8", "surrogatepass"))
        self.pos = end

    def op_short_binunicode(self) -> None:
        self._text(self.read(1)[0])

    def op_binunicode(self) -> None:
        self._text(self.unpack("<I"))

    def op_binunicode8(self) -> None:
        self._text(self.unpack("<Q"))

    def op_short_binbytes(self) -> None:
        self.stack.append(self.read(self.read(1)[0]))

    def op_binbytes(self) -> None:
        self.stack.append(self.read(self.unpack("<I")))

    def op_binbytes8(self) -> None:
        self.stack.append(self.read(self.unpack("<Q")))

    def op_bytearray8(self) -> None:
        end = self._span(self.unpack("<Q"))
        self.stack.append(bytearray(self.window(self.pos, end)))
        self.pos = end

    # -- opcodes: containers -----------------------------------------------------------------------
    def op_empty_list(self) -> None:
        self.stack.append([])

    def op_empty_dict(self) -> None:
        self.stack.append({})

    def op_empty_tuple(self) -> None:
        self.stack.append(())

    def op_empty_set(self) -> None:
        self.stack.append(set())

    def op_list(self) -> None:
        self.stack.append(self.pop_mark())

    def op_tuple(self) -> None:
        self.stack.append(tuple(self.pop_mark()))

    def _tuple_n(self, size: int) -> None:
        if len(self.stack) < size:
            raise PickleRefused("a TUPLE opcode finds too few items")
        items = tuple(self.stack[len(self.stack) - size:])
        del self.stack[len(self.stack) - size:]
        self.stack.append(items)

    def op_tuple1(self) -> None:
        self._tuple_n(1)

    def op_tuple2(self) -> None:
        self._tuple_n(2)

    def op_tuple3(self) -> None:
        self._tuple_n(3)

    def op_dict(self) -> None:
        items = self.pop_mark()
        result: Dict[Any, Any] = {}
        policy.set_items(result, items)
        self.stack.append(result)

    def op_frozenset(self) -> None:
        self.stack.append(frozenset(self.pop_mark()))

    def op_append(self) -> None:
        value = self.stack.pop()
        policy.extend(self.stack[-1], [value])

    def op_appends(self) -> None:
        items = self.pop_mark()
        policy.extend(self.stack[-1], items)

    def op_setitem(self) -> None:
        value = self.stack.pop()
        key = self.stack.pop()
        policy.set_items(self.stack[-1], [key, value])

    def op_setitems(self) -> None:
        items = self.pop_mark()
        policy.set_items(self.stack[-1], items)

    def op_additems(self) -> None:
        items = self.pop_mark()
        policy.add_items(self.stack[-1], items)

    # -- opcodes: memo -----------------------------------------------------------------------------
    def _get(self, index: int) -> None:
        if index not in self.memo:
            raise PickleRefused(f"memo entry {index} is read before it is written")
        self.stack.append(self.memo[index])

    def op_get(self) -> None:
        self._get(int(self.line()))

    def op_binget(self) -> None:
        self._get(self.read(1)[0])

    def op_long_binget(self) -> None:
        self._get(self.unpack("<I"))

    def op_put(self) -> None:
        self.memo[int(self.line())] = self.stack[-1]

    def op_binput(self) -> None:
        self.memo[self.read(1)[0]] = self.stack[-1]

    def op_long_binput(self) -> None:
        self.memo[self.unpack("<I")] = self.stack[-1]

    def op_memoize(self) -> None:
        self.memo[len(self.memo)] = self.stack[-1]

    # -- opcodes: classes and objects --------------------------------------------------------------
    def op_global(self) -> None:
        module = self.text_line()
        self.stack.append(policy.find_class(module, self.text_line()))

    def op_stack_global(self) -> None:
        name = self.stack.pop()
        module = self.stack.pop()
        if not (isinstance(module, str) and isinstance(name, str)):
            raise PickleRefused("STACK_GLOBAL needs a module name and a class name as strings")
        self.stack.append(policy.find_class(module, name))

    def op_reduce(self) -> None:
        args = self.stack.pop()
        self.stack[-1] = policy.call(self.stack[-1], args)

    def op_newobj(self) -> None:
        args = self.stack.pop()
        cls = self.stack.pop()
        self.stack.append(policy.new(cls, args, {}))

    def op_newobj_ex(self) -> None:
        kwargs = self.stack.pop()
        args = self.stack.pop()
        cls = self.stack.pop()
        self.stack.append(policy.new(cls, args, kwargs))

    def op_inst(self) -> None:
        module = self.text_line()
        cls = policy.find_class(module, self.text_line())
        self._instantiate(cls, tuple(self.pop_mark()))

    def op_obj(self) -> None:
        items = self.pop_mark()
        if not items:
            raise PickleRefused("OBJ finds no class")
        self._instantiate(items[0], tuple(items[1:]))

    def _instantiate(self, cls: Any, args: Tuple[Any, ...]) -> None:
        self.stack.append(policy.call(cls, args) if args else policy.new(cls, (), {}))

    def op_build(self) -> None:
        state = self.stack.pop()
        policy.build(self.stack[-1], state)


_OPS: Dict[int, str] = {
    0x80: "op_proto", 0x95: "op_frame", 0x28: "op_mark", 0x30: "op_pop", 0x31: "op_pop_mark", 0x32: "op_dup",
    0x4E: "op_none", 0x88: "op_true", 0x89: "op_false", 0x49: "op_int", 0x4C: "op_long", 0x4A: "op_binint",
    0x4B: "op_binint1", 0x4D: "op_binint2", 0x8A: "op_long1", 0x8B: "op_long4", 0x46: "op_float",
    0x47: "op_binfloat", 0x56: "op_unicode", 0x8C: "op_short_binunicode", 0x58: "op_binunicode",
    0x8D: "op_binunicode8", 0x43: "op_short_binbytes", 0x42: "op_binbytes", 0x8E: "op_binbytes8",
    0x96: "op_bytearray8", 0x5D: "op_empty_list", 0x7D: "op_empty_dict", 0x29: "op_empty_tuple",
    0x8F: "op_empty_set", 0x6C: "op_list", 0x74: "op_tuple", 0x85: "op_tuple1", 0x86: "op_tuple2",
    0x87: "op_tuple3", 0x64: "op_dict", 0x91: "op_frozenset", 0x61: "op_append", 0x65: "op_appends",
    0x73: "op_setitem", 0x75: "op_setitems", 0x90: "op_additems", 0x67: "op_get", 0x68: "op_binget",
    0x6A: "op_long_binget", 0x70: "op_put", 0x71: "op_binput", 0x72: "op_long_binput", 0x94: "op_memoize",
    0x63: "op_global", 0x93: "op_stack_global", 0x52: "op_reduce", 0x81: "op_newobj", 0x92: "op_newobj_ex",
    0x69: "op_inst", 0x6F: "op_obj", 0x62: "op_build",
}


#: opcode -> the (unbound) method that handles it

#: opcode -> the (unbound) method that handles it
HANDLERS: Dict[int, Callable[[OpcodeMachine], Any]] = {
    code: getattr(OpcodeMachine, name) for code, name in _OPS.items()}
