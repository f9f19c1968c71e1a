"""Kernel-level limits for the SPARQL query workers (Linux; a no-op elsewhere).

``deny_network`` installs a seccomp filter that makes ``socket(AF_INET | AF_INET6 | AF_PACKET)``
and ``io_uring_setup`` fail with ``EACCES``: whatever the query engine is asked to do (``SERVICE``
is refused before, see screen.py), the worker process cannot open a network connection.
Only the worker calls it, after ``fork``; the serving process is untouched.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct
import sys

_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000 | errno.EACCES
_LD_ABS, _JEQ, _RET = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K
_AF_INET, _AF_INET6, _AF_PACKET = 2, 10, 17
_IO_URING_SETUP = 425  # same number on x86_64 and aarch64

# machine -> (AUDIT_ARCH_*, socket syscall number, x32 socket number or an impossible value)
_ARCHES = {
    "x86_64": (0xC000003E, 41, 0x40000000 | 41),
    "aarch64": (0xC00000B7, 198, 0xFFFFFFFF),
}


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _program(arch: int, socket_nr: int, x32_socket_nr: int) -> bytes:
    insn = struct.Struct("=HBBI")  # struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}
    return b"".join(insn.pack(*i) for i in (
        (_LD_ABS, 0, 0, 4),  # 0: A = seccomp_data.arch
        (_JEQ, 1, 0, arch),  # 1: native arch -> 3
        (_RET, 0, 0, _RET_ERRNO),  # 2: a foreign syscall ABI: refuse everything
        (_LD_ABS, 0, 0, 0),  # 3: A = seccomp_data.nr
        (_JEQ, 3, 0, socket_nr),  # 4: socket -> 8
        (_JEQ, 2, 0, x32_socket_nr),  # 5: socket (x32 ABI) -> 8
        (_JEQ, 6, 0, _IO_URING_SETUP),  # 6: io_uring could open sockets itself -> 13
        (_RET, 0, 0, _RET_ALLOW),  # 7: any other syscall
        (_LD_ABS, 0, 0, 16),  # 8: A = low 32 bits of args[0], the address family
        (_JEQ, 3, 0, _AF_INET),  # 9 -> 13
        (_JEQ, 2, 0, _AF_INET6),  # 10 -> 13
        (_JEQ, 1, 0, _AF_PACKET),  # 11 -> 13
        (_RET, 0, 0, _RET_ALLOW),  # 12: other families (AF_UNIX: the pipe to the parent)
        (_RET, 0, 0, _RET_ERRNO),  # 13
    ))


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def supported() -> bool:
    """True when :func:`deny_network` can install its filter on this machine."""
    return _libc() is not None and platform.machine() in _ARCHES


def deny_network() -> bool:
    """Forbid this process (and its future children) to open network sockets, for good.

    Returns False (and changes nothing) where seccomp is not available.
    """
    libc = _libc()
    arch = _ARCHES.get(platform.machine())
    if libc is None or arch is None:
        return False
    code = _program(*arch)
    buffer = ctypes.create_string_buffer(code, len(code))
    prog = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0
