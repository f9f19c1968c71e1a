"""The worker pool: forked processes that hold the store copy-on-write and can be killed."""


from __future__ import annotations

import contextlib
import gc
import os
import resource
import select
import signal
import socket
import struct
import threading
import time
from collections.abc import Callable

from regiold.errors import (
    QueryMemoryLimit,
    QueryTimeout,
    StoreUnavailable,
)
from regiold.sparql import sandbox
from regiold.sparql.messages import Job, job_bytes, job_of, reply_bytes, reply_of

_HEADER = struct.Struct("!Q")
# Query workers yield the CPU to the serving threads (pages, /health): nice 10 while a job is
# short (a small query keeps its latency on a busy machine), SCHED_IDLE once it runs on.
NICENESS = 10
DEMOTE_AFTER = 0.05  # seconds a job runs before its worker gets only otherwise idle CPU
_IDLE = getattr(os, "SCHED_IDLE", None)  # Linux
_NORMAL = getattr(os, "SCHED_OTHER", None)


class _WorkerDied(Exception):
    def __init__(self, message: str, *, during_job: bool) -> None:
        super().__init__(message)
        self.during_job = during_job


# The stack of a worker's only thread. A fork copies the forking thread's stack, and the engine's
# recursive parser needs it for chains that need no brackets (`!!!…`, `1+1+…`, OPTIONAL {} …):
# granian's threads have 2 MB, enough for about 3,000 links; 64 MB holds the longest chain a
# 32 KB query can spell (tests/test_hostile_queries.py). Address space only, until it is used.
STACK_MB = 64


class _Worker:
    def __init__(self, run: Callable[[Job], dict[str, object]], retire_mb: int = 0,
                 memory_mb: int = 0, context: tuple[str, dict[str, str]] = ("", {})) -> None:
        parent, child = socket.socketpair()
        parent_pid = os.getpid()

        def child_life() -> None:  # pragma: no cover - runs in the child, tested from outside
            code = 0
            try:
                parent.close()
                _child_main(child, run, parent_pid, retire_mb, memory_mb, context)
            except BaseException:
                code = 1
            finally:
                os._exit(code)

        pid = _fork_with_stack(child_life)
        child.close()
        self.pid, self.sock = pid, parent
        self.normal = True  # False: it could not return from SCHED_IDLE (not reused)

    def call(self, job: Job, timeout: float) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        try:
            _send(self.sock, job_bytes(job))
        except (BrokenPipeError, ConnectionError) as exc:
            raise _WorkerDied(str(exc), during_job=False) from exc
        demoted = not _readable(self.sock, min(DEMOTE_AFTER, timeout)) and self._demote()
        try:
            return reply_of(_receive(self.sock, deadline))
        except (BrokenPipeError, ConnectionError, EOFError, ValueError) as exc:
            raise _WorkerDied(str(exc), during_job=True) from exc
        finally:
            if demoted:
                self.normal = self._set_policy(_NORMAL)

    def _demote(self) -> bool:
        """The job runs on: from now on it gets only the CPU no normal task wants (SCHED_IDLE),
        so pages and /health keep their latency whatever the queries do. Short jobs never get
        here and keep the latency of a normal process at ``NICENESS`` on a busy machine."""
        return _IDLE is not None and self._set_policy(_IDLE)

    def _set_policy(self, policy: int | None) -> bool:
        """Set the worker's scheduling policy (its engine runs on its main thread, pid == tid);
        False when the OS refuses (an unprivileged process may not leave SCHED_IDLE: such a worker
        is not reused)."""
        try:
            os.sched_setscheduler(self.pid, policy, os.sched_param(0))  # type: ignore[arg-type]
        except (OSError, AttributeError, TypeError):
            return False
        return True

    def exited(self) -> bool:
        """True when the process has ended (it is then reaped)."""
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return True
        return pid != 0

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self.sock.close()


class Pool:
    """Forked workers for ``run``; ``memory_mb``: what a job may add to a worker's address space
    (0: no limit); ``retire_mb``: see :func:`_child_main`; ``base_iri`` and ``prefixes``: the
    same for every job, so they are given to each worker once, not sent with each job."""

    def __init__(self, run: Callable[[Job], dict[str, object]], *, retire_mb: int = 0,
                 memory_mb: int = 0, base_iri: str = "",
                 prefixes: dict[str, str] | None = None) -> None:
        self._run = run
        self._context = (base_iri, dict(prefixes or {}))
        self._retire_mb, self._memory_mb = retire_mb, memory_mb
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._closed = False

    def call(self, job: Job, timeout: float) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        for attempt in (1, 2):
            worker = self._checkout()
            try:
                reply = worker.call(job, max(deadline - time.monotonic(), 0.001))
            except TimeoutError:
                worker.kill()
                raise QueryTimeout(
                    f"the query ran longer than {timeout:g} s and was stopped"
                ) from None
            except _WorkerDied as exc:
                worker.kill()
                if exc.during_job:  # the query itself ended the worker: never run it again
                    raise QueryMemoryLimit(self.memory_message()) from None
                # An idle worker may have died since its last job (a fork from a threaded
                # server is fragile): queries are read-only, so one fresh worker may retry.
                if attempt == 1 and time.monotonic() < deadline:
                    continue
                raise StoreUnavailable("the query worker stopped unexpectedly") from None
            except BaseException:
                worker.kill()
                raise
            # it copied too much of the shared store, or stays at idle priority: gone
            if reply.pop("retired", False) or not worker.normal:
                worker.kill()
            else:
                self._checkin(worker)
            return reply
        raise AssertionError("unreachable")  # pragma: no cover

    def _checkout(self) -> _Worker:
        with self._lock:
            if self._pid != os.getpid():  # inherited across fork: those workers are not ours
                self._idle, self._pid = [], os.getpid()
            while self._idle:
                worker = self._idle.pop()
                if not worker.exited():
                    return worker
                worker.sock.close()
        return _Worker(self._run, self._retire_mb, self._memory_mb, self._context)

    def memory_message(self) -> str:
        limit = (f"its memory limit ({self._memory_mb} MB, setting sparql_query_max_mb)"
                 if self._memory_mb > 0 else "the memory available")
        return (f"the query stopped its worker: it needed more than {limit}, or the query engine "
                "failed on it; it is not retried")

    def _checkin(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed or self._pid != os.getpid():
                worker.kill()
            else:
                self._idle.append(worker)

    def pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in self._idle]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._idle = self._idle, []
        if self._pid == os.getpid():
            for worker in workers:
                worker.kill()


def _fork_with_stack(child_life: Callable[[], None]) -> int:
    """``os.fork()`` from a thread with a ``STACK_MB`` stack; the child runs ``child_life`` (which
    ends the process) in it, the parent gets the child's pid."""
    forked: list[int | BaseException] = []

    def fork() -> None:
        try:
            pid = os.fork()
        except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
            forked.append(exc)
            return
        if pid == 0:  # pragma: no cover - the child
            child_life()
        forked.append(pid)

    previous = threading.stack_size(STACK_MB << 20)
    try:
        thread = threading.Thread(target=fork, name="regiold-fork")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if isinstance(forked[0], BaseException):
        raise forked[0]
    return forked[0]


def _child_main(sock: socket.socket, run: Callable[[Job], dict[str, object]],
                parent_pid: int, retire_mb: int = 0, memory_mb: int = 0,
                context: tuple[str, dict[str, str]] = ("", {})) -> None:
    """The worker's life: drop what it inherited, sandbox itself, answer jobs until EOF, or until
    a job left it holding more than ``retire_mb`` of memory of its own (0: no limit).

    Why a limit: an in-memory store is shared with the serving process copy-on-write only until
    it is read; a full scan touches reference counts across the whole store, so the worker ends up
    with a private copy (about 0.4 GB at 10^6 triples). Keeping that copy makes its next scans
    fast (a fresh worker pays the copy again); the limit bounds what each worker may keep
    (docs/performance.md)."""
    gc.disable()  # short-lived work; and the collector would touch (copy) every shared page
    keep = sock.fileno()
    os.closerange(3, keep)  # client connections, listening sockets, other workers' pipes
    os.closerange(keep + 1, _max_fd())
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
                   signal.SIGUSR2, signal.SIGCHLD, signal.SIGWINCH):
        signal.signal(signum, signal.SIG_DFL)
    _exit_with_parent(parent_pid)
    sandbox.deny_network()
    os.nice(NICENESS)
    _limit_memory(memory_mb)
    while True:
        try:
            job = job_of(_receive(sock, None), *context)  # from our own parent
        except (EOFError, ConnectionError):
            return
        reply = run(job)
        retire = retire_mb > 0 and _copied_mb() > retire_mb
        if retire:
            reply["retired"] = True
        _send(sock, reply_bytes(reply))
        if retire:
            return


def _limit_memory(memory_mb: int) -> None:
    """Let this worker's address space grow by at most ``memory_mb`` from what it inherited.

    The inherited part (the serving process: the store's in-memory copy, about 0.4 GB per 10^6
    triples, libraries, thread stacks) is mapped already and costs nothing new; the limit is
    counted on top of it, so it holds whatever the store's size. The kernel enforces it: an
    allocation beyond fails, the engine aborts, and the pool answers with the limit's name.
    """
    if memory_mb <= 0:
        return
    inherited = _address_space_bytes()
    if inherited is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = inherited + (memory_mb << 20)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space_bytes() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _copied_mb() -> float:
    """Memory this process has made its own since the fork, from its minor page faults (each is
    a page copied on write or newly touched): a cheap upper bound, unlike reading
    /proc/self/smaps_rollup (8-16 ms at 10^6 triples)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt * _PAGE / (1 << 20)


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _exit_with_parent(parent_pid: int) -> None:
    """End this worker when the serving process is gone, even in the middle of a query.

    (PR_SET_PDEATHSIG would follow the forking *thread*, which ends with its request; the
    engine releases the GIL while it evaluates, so a watchdog thread runs meanwhile.)
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="regiold-parent-watch", daemon=True).start()


def _max_fd() -> int:
    try:
        return min(int(os.sysconf("SC_OPEN_MAX")), 1 << 20)
    except (ValueError, OSError):
        return 4096


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(_HEADER.pack(len(payload)) + payload)


def _receive(sock: socket.socket, deadline: float | None) -> bytes:
    """One message: a single read takes the length and, for a small message, all of it (two
    reads per message cost a few us each on a cold path)."""
    first = _read_some(sock, _FIRST_READ, deadline)
    while len(first) < _HEADER.size:
        first += _read_some(sock, _HEADER.size - len(first), deadline)
    (size,) = _HEADER.unpack_from(first)
    got = first[_HEADER.size:]
    if len(got) >= size:
        if len(got) > size:
            raise ConnectionError("more than one message")  # one job, one reply: never happens
        return got
    return got + _read_exactly(sock, size - len(got), deadline)


_FIRST_READ = 1 << 16


def _readable(sock: socket.socket, seconds: float) -> bool:
    """True as soon as ``sock`` has data to read (or is closed), False after ``seconds`` without
    (poll, not select: a serving process may hold more than 1,024 descriptors)."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(max(seconds, 0) * 1000))


def _read_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = _read_some(sock, min(remaining, 1 << 20), deadline)
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_some(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    """Up to ``size`` bytes, at least one, before ``deadline`` (None: no limit)."""
    if deadline is not None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        sock.settimeout(left)
    try:
        chunk = sock.recv(size)
    except TimeoutError:
        raise
    except OSError as exc:
        raise ConnectionError(str(exc)) from exc
    if not chunk:
        raise EOFError("worker closed the connection")
    return chunk
