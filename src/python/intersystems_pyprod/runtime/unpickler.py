"""A closed unpickler for pickle message bodies.

It interprets the pickle opcodes itself instead of handing them to :mod:`pickle`: every global
goes through :mod:`.pickle_policy` (classes only, from allowed modules), every call and every
state assignment is checked there, and every declared length is checked against the bytes that
remain before anything is allocated. Opcodes no Python 3 pickler needs for plain objects
(persistent ids, the extension registry, out-of-band buffers, Python 2 strings) are refused.
"""

from __future__ import annotations

import pickle
import struct
from typing import Any, Dict, Optional, Tuple

from . import pickle_policy as policy
from .pickle_opcodes import HANDLERS, REFUSED_OPCODES, OpcodeMachine
from .pickle_policy import PickleRefused

#: Largest pickle body accepted (bytes).
MAX_PICKLE_BYTES = 256 * 1024 * 1024
#: Texts up to this many bytes are decoded from a copy; longer ones straight from the input.
_COPY_BELOW = 4096

#: MEMOIZE, STACK_GLOBAL, MEMOIZE, EMPTY_TUPLE, NEWOBJ, MEMOIZE: see :meth:`_Machine.start`.
_NEW_OBJECT = b"\x94\x93\x94)\x81\x94"
#: EMPTY_DICT, MEMOIZE, MARK: the object's state (its attributes) follows as key, value pairs.
_STATE_ITEMS = b"}\x94("
#: The last object start :meth:`_Machine.start` read: its bytes (module name to NEWOBJ's MEMOIZE)
#: and the two names they hold, so the same start is not decoded again. The class is resolved
#: and checked each time.
_last_start: Optional[Tuple[bytes, str, str]] = None
_unpack_from = struct.unpack_from


class _Machine(OpcodeMachine):
    """The pickle virtual machine: :meth:`run` reads the input to its STOP opcode."""

    __slots__ = ()

    def run(self) -> Any:
        """Run to STOP in one loop, so plain data costs no method call per opcode.

        The opcodes are tested as a small decision tree (the most frequent first, then by code
        range), so that no opcode waits behind a long chain of tests. The opcodes that make an
        ordinary object (its class, NEWOBJ without arguments, BUILD from a dict) take their fast
        path here once :mod:`.pickle_policy` has allowed that class; anything else goes through it.
        """
        data, stack, marks, memo = self.data, self.stack, self.marks, self.memo
        push = stack.append
        unpack_from = struct.unpack_from
        allowed = policy.allowed_classes
        size = len(data)
        pos = self.pos = self.start()
        try:
            while pos < size:
                code = data[pos]
                pos += 1
                if code == 0x94:  # MEMOIZE
                    memo[len(memo)] = stack[-1]
                elif code == 0x68:  # BINGET
                    index = data[pos]
                    pos += 1
                    if index not in memo:
                        raise PickleRefused(f"memo entry {index} is read before it is written")
                    push(memo[index])
                elif code < 0x58:
                    if code == 0x4D:  # BININT2
                        push(data[pos] | data[pos + 1] << 8)
                        pos += 2
                    elif code == 0x4A:  # BININT
                        push(unpack_from("<i", data, pos)[0])
                        pos += 4
                    elif code == 0x47:  # BINFLOAT
                        push(unpack_from(">d", data, pos)[0])
                        pos += 8
                    elif code == 0x28:  # MARK
                        marks.append(len(stack))
                    elif code == 0x4B:  # BININT1
                        push(data[pos])
                        pos += 1
                    elif code == 0x4E:  # NONE
                        push(None)
                    elif code == 0x2E:  # STOP
                        self.pos = pos
                        if len(stack) != 1 or marks:
                            raise PickleRefused("the pickle ends with a malformed stack")
                        return stack.pop()
                    elif code == 0x29:  # EMPTY_TUPLE
                        push(())
                    else:
                        pos = self.other(code, pos)
                elif code >= 0x80:
                    if code == 0x8C:  # SHORT_BINUNICODE
                        end = pos + 1 + data[pos]
                        if end > size:
                            self.pos = pos
                            raise PickleRefused(f"a length of {data[pos]} bytes at byte {pos} exceeds the bytes left")
                        text = data[pos + 1:end].decode("utf-8", "surrogatepass")
                        push(text)
                        if end < size and data[end] == 0x94:  # MEMOIZE, which follows each new text
                            memo[len(memo)] = text
                            end += 1
                        pos = end
                    elif code == 0x88:  # NEWTRUE
                        push(True)
                    elif code == 0x89:  # NEWFALSE
                        push(False)
                    elif code == 0x93:  # STACK_GLOBAL
                        name = stack.pop()
                        if not (isinstance(name, str) and isinstance(stack[-1], str)):
                            raise PickleRefused("STACK_GLOBAL needs a module name and a class name as strings")
                        self.pos = pos
                        stack[-1] = policy.find_class(stack[-1], name)
                    elif code == 0x81:  # NEWOBJ: an allowed class without arguments is created here
                        args = stack.pop()
                        cls = stack[-1]
                        if type(args) is tuple and not args and isinstance(cls, type) and cls in allowed:
                            stack[-1] = cls.__new__(cls)  # type: ignore[call-overload]  # as policy.new does
                        else:
                            self.pos = pos
                            stack[-1] = policy.new(cls, args, {})
                    elif code == 0x95:  # FRAME: its length must fit in what remains
                        if unpack_from("<Q", data, pos)[0] > size - pos - 8:
                            raise PickleRefused(f"a frame of {unpack_from('<Q', data, pos)[0]} bytes exceeds the "
                                                f"{size - pos - 8} bytes left")
                        pos += 8
                    elif code == 0x80:  # PROTO
                        if data[pos] > pickle.HIGHEST_PROTOCOL:
                            raise PickleRefused(f"pickle protocol {data[pos]} is newer than this Python supports")
                        pos += 1
                    else:
                        pos = self.other(code, pos)
                elif code < 0x68:
                    if code == 0x5D:  # EMPTY_LIST
                        push([])
                    elif code == 0x65:  # APPENDS
                        if not marks:
                            raise PickleRefused("a MARK is missing")
                        start = marks.pop()
                        if start == 0:
                            raise PickleRefused("APPENDS has no target")
                        items = stack[start:]
                        del stack[start:]
                        if type(stack[-1]) is list:
                            stack[-1].extend(items)
                        else:
                            policy.extend(stack[-1], items)
                    elif code == 0x58:  # BINUNICODE
                        end = pos + 4 + unpack_from("<I", data, pos)[0]
                        if end > size:
                            raise PickleRefused(f"a text of {end - pos - 4} bytes at byte {pos} exceeds the bytes left")
                        if end - pos > _COPY_BELOW:
                            push(str(self.window(pos + 4, end), "utf-8", "surrogatepass"))
                        else:
                            push(data[pos + 4:end].decode("utf-8", "surrogatepass"))
                        pos = end
                    elif code == 0x62:  # BUILD
                        state = stack.pop()
                        target = stack[-1]
                        # Here: a dict of names not starting with "__" set on an instance of an
                        # allowed class without __setstate__ (looked up on the instance, as pickle
                        # does). Anything else goes through policy.build.
                        if (type(state) is dict and type(target) in allowed and not isinstance(target, type)
                                and getattr(target, "__setstate__", None) is None):
                            for key in state:
                                if type(key) is not str or key[:2] == "__":
                                    break
                            else:
                                if state:
                                    target.__dict__.update(state)
                                continue
                        self.pos = pos
                        policy.build(target, state)
                    else:
                        pos = self.other(code, pos)
                elif code == 0x75:  # SETITEMS
                    if not marks:
                        raise PickleRefused("a MARK is missing")
                    start = marks.pop()
                    if start == 0:
                        raise PickleRefused("SETITEMS has no target")
                    target = stack[start - 1]
                    end = len(stack)
                    if type(target) is not dict or (end - start) % 2:
                        policy.set_items(target, stack[start:])
                    elif end - start > 32:
                        items = stack[start:]
                        target.update(zip(items[::2], items[1::2]))
                    else:  # a few pairs (an object's attributes): cheaper one by one
                        index = start
                        while index < end:
                            target[stack[index]] = stack[index + 1]
                            index += 2
                    del stack[start:]
                elif code == 0x7D:  # EMPTY_DICT
                    push({})
                elif code == 0x71:  # BINPUT
                    memo[data[pos]] = stack[-1]
                    pos += 1
                else:
                    pos = self.other(code, pos)
            self.pos = pos
        except Exception:
            if self.pos < pos:
                self.pos = pos
            raise
        raise PickleRefused("the pickle has no STOP opcode (truncated?)")

    def start(self) -> int:
        """Read the usual start of a pickled object in one step; returns where :meth:`run` goes on.

        ``pickle.dumps`` (protocol 4+) of an instance of a plain class starts with PROTO, FRAME,
        the module and class names (each memoized), STACK_GLOBAL, MEMOIZE, EMPTY_TUPLE, NEWOBJ,
        MEMOIZE, and then usually EMPTY_DICT, MEMOIZE, MARK (the start of its attributes). When
        the input starts that way and the class is allowed, this does what those opcodes do, with
        the same checks; otherwise it does nothing and the loop reads the input from its start.
        """
        global _last_start
        data = self.data
        size = len(data)
        if (size < 32 or data[0] != 0x80 or data[2] != 0x95 or data[1] > pickle.HIGHEST_PROTOCOL
                or _unpack_from("<Q", data, 3)[0] > size - 11):
            return 0
        last = _last_start
        if last is not None and data.startswith(last[0], 11):  # the same names as last time
            header, module, name = last
            end = 11 + len(header)
        else:
            second = 13 + data[12]  # after SHORT_BINUNICODE module: MEMOIZE, SHORT_BINUNICODE name
            if data[11] != 0x8C or second + 2 >= size or data[second:second + 2] != b"\x94\x8c":
                return 0
            end = second + 9 + data[second + 2]
            if data[end - 6:end] != _NEW_OBJECT:
                return 0
            header = bytes(data[11:end])
            module = data[13:second].decode("utf-8", "surrogatepass")
            name = data[second + 3:end - 6].decode("utf-8", "surrogatepass")
        self.pos = end - 4  # just after STACK_GLOBAL
        cls = policy.find_class(module, name)
        if cls not in policy.allowed_classes and not policy.allowed_class(cls):
            return 0  # not a class to create: the loop refuses it
        _last_start = (header, module, name)
        memo = self.memo
        memo[0] = module
        memo[1] = name
        memo[2] = cls
        memo[3] = obj = cls.__new__(cls)
        self.stack.append(obj)
        if data[end:end + 3] != _STATE_ITEMS:
            return end
        state: Dict[Any, Any] = {}
        memo[4] = state
        self.stack.append(state)
        self.marks.append(2)
        return end + 3

    def other(self, code: int, pos: int) -> int:
        """Run an opcode the loop does not handle inline (``pos`` is just after it); returns where
        the next one starts."""
        op = HANDLERS.get(code)
        if op is None:
            name = REFUSED_OPCODES.get(code)
            if name is not None:
                raise PickleRefused(f"opcode {name} at byte {pos - 1} is not accepted in messages")
            raise PickleRefused(f"unknown opcode 0x{code:02x} at byte {pos - 1}")
        self.pos = pos
        op(self)
        return self.pos


def loads(data: Any) -> Any:
    """Rebuild the object a pickle describes (``bytes`` or a ``bytearray``, read in place), or raise
    :class:`PickleRefused` naming the cause."""
    if len(data) > MAX_PICKLE_BYTES:
        raise PickleRefused(f"the pickle is {len(data)} bytes; the limit is {MAX_PICKLE_BYTES}")
    machine = _Machine(data if isinstance(data, (bytes, bytearray)) else bytes(data))
    try:
        return machine.run()
    except PickleRefused:
        raise
    except Exception as exc:  # a malformed opcode stream, or a constructor that rejected its arguments
        raise PickleRefused(f"malformed pickle near byte {machine.pos}: {type(exc).__name__}: {exc}") from None
    finally:
        if machine.view is not None:
            machine.view.release()


__all__ = ["MAX_PICKLE_BYTES", "PickleRefused", "loads"]
