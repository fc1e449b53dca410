"""How pynetdicom's reactor threads wait: every millisecond while an association works,
more slowly while it is silent.

pynetdicom 3.0 serves each association with two threads that poll instead of blocking: the
DUL reactor (``dul.py``, ``run_reactor``) checks its socket (``select`` with no timeout) and
its queues, then sleeps ``_run_loop_delay`` (1 ms) when it found nothing; the association
reactor (``association.py``, ``_run_reactor``) sleeps 1 ms between two looks at its message
queue. An idle association therefore wakes its process 2,000 times a second: about 3% of a
core each on this machine (bench/scp_idle.py), a third of a core for the ten associations a
modality may hold open all day on a Fargate task. Neither delay is a setting of the AE.

:func:`install` replaces the ``time`` module those two pynetdicom modules see with one whose
``sleep`` stretches that 1 ms sleep of an association's reactors with the association's
silence (no PDU in or out): unchanged for :data:`QUIET_AFTER` seconds, so that a stream of
C-STOREs never waits, then growing to :data:`MAXIMUM_DELAY`. The first PDU after a silence
waits for at most that, once per reactor; the next ones find the reactors awake. Only the
associations whose PDUs :func:`handlers` watch (the service's own, as acceptor) are slowed:
those the process opens as requestor (C-MOVE sub-operations, storage commitment reports)
keep pynetdicom's delay. Every other sleep, and every other attribute of ``time``, is
``time``'s own.

While the association serves a request (from the request's last PDU to its first answer),
the DUL reactor has nothing to do: the peer waits for the answer (the service negotiates one
operation at a time), and the answer is what the association's thread will queue. Yet it
would wake every millisecond for the whole of the handler's work, which for a C-STORE is
mostly waiting on the storage (~0.05 ms of CPU per wake-up here, 30 of them for a 30 ms
ingest, and as many GIL hand-overs that delay the handler itself). So it waits for the answer
instead (:func:`_serving`, :func:`_answered`), at most :data:`MAXIMUM_DELAY` at a time (so an
A-ABORT or a C-CANCEL from the peer is read as late as after a silence); the answer's PDUs
are queued right after the wake-up, which therefore resumes the millisecond polling first.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from weakref import WeakKeyDictionary

import pynetdicom
from pynetdicom import association, dul, evt

LOG = logging.getLogger("cirrus.scp")
# The pynetdicom versions whose reactors were read for the above (3.0.4 was).
SUPPORTED_VERSIONS = ("3.0.",)
# pynetdicom's sleep between two polls, in both reactors.
REACTOR_DELAY = 0.001
QUIET_AFTER = 0.1
MAXIMUM_DELAY = 0.02

# When each watched association last sent or received a PDU (time.monotonic()).
_last_pdu: WeakKeyDictionary[association.Association, float] = WeakKeyDictionary()
# The watched associations serving a request: set once the association sends (the answer).
_answer_sent: WeakKeyDictionary[association.Association, threading.Event] = WeakKeyDictionary()


def delay_after(silence: float) -> float:
    """The sleep of a reactor whose association has sent and received nothing for
    ``silence`` seconds: pynetdicom's, then a tenth of the silence beyond QUIET_AFTER, up to
    MAXIMUM_DELAY (so a reactor sleeps at most ~10% of a silence it could have answered)."""
    if silence < QUIET_AFTER:
        return REACTOR_DELAY
    return min(MAXIMUM_DELAY, REACTOR_DELAY + (silence - QUIET_AFTER) / 10)


def _watched_association(thread: threading.Thread) -> association.Association | None:
    """The association whose reactor ``thread`` is, if its PDUs are watched."""
    if isinstance(thread, dul.DULServiceProvider):
        owner = thread.assoc
    elif isinstance(thread, association.Association):
        owner = thread
    else:
        return None
    return owner if owner in _last_pdu else None


class _ReactorTime:
    """The ``time`` module as pynetdicom's ``dul`` and ``association`` modules see it."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        if seconds == REACTOR_DELAY:
            thread = threading.current_thread()
            owner = _watched_association(thread)
            if owner is not None:
                answered = _answer_sent.get(owner)
                if answered is not None and isinstance(thread, dul.DULServiceProvider):
                    answered.wait(MAXIMUM_DELAY)
                    return
                seconds = delay_after(time.monotonic() - _last_pdu.get(owner, 0.0))
        time.sleep(seconds)


def _mark(event: Any) -> None:
    """EVT_CONN_OPEN, EVT_PDU_RECV, EVT_PDU_SENT: the association is (again) busy."""
    _last_pdu[event.assoc] = time.monotonic()


def _serving(event: Any) -> None:
    """EVT_DIMSE_RECV (in the DUL thread): a whole request arrived, the association's thread
    now serves it."""
    if type(event.message).__name__.endswith("_RQ"):
        _answer_sent[event.assoc] = threading.Event()


def _answered(event: Any) -> None:
    """EVT_DIMSE_SENT (in the association's thread, just before its PDUs are queued): wake
    the DUL reactor waiting in :meth:`_ReactorTime.sleep`, busy again (a long handler's
    silence must not slow the reactor that sends its answer)."""
    _last_pdu[event.assoc] = time.monotonic()
    answered = _answer_sent.pop(event.assoc, None)
    if answered is not None:
        answered.set()


def handlers() -> list[tuple[Any, ...]]:
    """The event handlers that watch the service's associations (bound by ``start_server``)."""
    return [
        (evt.EVT_CONN_OPEN, _mark),
        (evt.EVT_PDU_RECV, _mark),
        (evt.EVT_PDU_SENT, _mark),
        (evt.EVT_DIMSE_RECV, _serving),
        (evt.EVT_DIMSE_SENT, _answered),
    ]


def install() -> bool:
    """Slow the reactors of silent watched associations, in this process; False (and
    pynetdicom's own polling kept) on a pynetdicom version this was not written for."""
    if not pynetdicom.__version__.startswith(SUPPORTED_VERSIONS):
        LOG.warning(
            "pynetdicom %s: idle associations keep polling every millisecond "
            "(scp_container/polling.py was written for %s)",
            pynetdicom.__version__,
            ", ".join(f"{v}x" for v in SUPPORTED_VERSIONS),
        )
        return False
    dul.time = association.time = _ReactorTime()  # type: ignore[assignment]
    return True
