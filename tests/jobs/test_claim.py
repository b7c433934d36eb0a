"""Which RUNNING jobs a starting worker may take over at once."""

from __future__ import annotations

import os
import socket

from ticketbridge.jobs import service


def test_only_a_dead_local_holder_counts_as_orphan() -> None:
    me = f"{socket.gethostname()}:{os.getpid()}:abcd"
    assert service._holder_is_dead(me) is False  # alive: this process
    assert service._holder_is_dead(f"{socket.gethostname()}:999999999:x") is True
    assert service._holder_is_dead("other-host:1:x") is False  # its lease will tell
    assert service._holder_is_dead(None) is False
