"""Retire a granian worker without dropping a connection: it stops accepting, then drains.

All workers accept from one listening socket that the master holds. A worker that is only told
to stop (SIGTERM) may have accepted a connection an instant before and not yet read its request;
granian (hyper) closes such a connection unanswered when it shuts down. So a retiring worker
first stops accepting (``stop_accepting``, in the worker), and the master sends SIGTERM only once
the worker holds no client connection any more (``wait_drained``, in the master). Linux only: it
reads the worker's descriptors and the TCP table in /proc.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

POLL = 0.05  # seconds between two looks at the worker's connections
NO_PROC_WAIT = 0.5  # seconds a retiring worker gets where /proc cannot tell when it is done
_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp


def stop_accepting(listen_fd: int) -> None:
    """In a worker: put a listening socket no client knows on the descriptor number the server
    accepts from. The event loop still wakes up when a client connects to the shared socket, but
    its accept() now finds no connection (EAGAIN) and leaves it queued for the other workers.

    The stand-in is non-blocking (a blocking accept() would stall an event-loop thread forever)
    and listens on an abstract Unix address the kernel picks: nothing to create on disk, nothing
    to fail."""
    stand_in = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stand_in.bind("")  # autobind: a fresh abstract address
    stand_in.listen(1)
    stand_in.setblocking(False)
    os.dup2(stand_in.fileno(), listen_fd, inheritable=False)  # atomic: no accept() sees a gap
    stand_in.close()


def wait_drained(pid: int, listen_fd: int, listener: socket.socket, timeout: float,
                 interrupted: Callable[[], bool]) -> bool:
    """In the master: wait until worker ``pid`` no longer accepts from ``listener`` (which it holds
    as ``listen_fd``) and holds no connection accepted from it; at most ``timeout`` seconds, less
    if ``interrupted()``. Whether it drained. Twice in a row empty: an accept() under way when
    the worker stopped accepting may install its connection just after a look."""
    if not Path("/proc/self/fd").is_dir():  # not Linux: no way to look, give it a moment
        time.sleep(min(max(timeout, 0), NO_PROC_WAIT))
        return False
    inode, port = os.fstat(listener.fileno()).st_ino, listener.getsockname()[1]
    deadline, empty = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and not interrupted():
        held = _socket_inodes(pid)
        if held is None:  # the worker is gone
            return True
        accepting = _fd_inode(pid, listen_fd) == inode
        empty = 0 if accepting or held & _connections(pid, port) else empty + 1
        if empty >= 2:
            return True
        time.sleep(POLL)
    return False


def _socket_inodes(pid: int) -> set[int] | None:
    """The inodes of the sockets ``pid`` holds (None once it is gone)."""
    inodes = set()
    try:
        entries = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return None
    for entry in entries:
        try:
            target = os.readlink(entry)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def _fd_inode(pid: int, fd: int) -> int | None:
    try:
        target = os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError:
        return None
    return int(target[8:-1]) if target.startswith("socket:[") else None


def _connections(pid: int, port: int) -> set[int]:
    """Inodes of the TCP connections (not listeners) in ``pid``'s network namespace whose local
    port is ``port``: the connections accepted from the listening socket."""
    found = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] != _LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                found.add(int(fields[9]))
    return found
