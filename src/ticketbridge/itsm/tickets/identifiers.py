"""One unique space per connection for caller identifiers and synced tickets' identifiers.

A caller may give a ticket any free identifier, even one that looks like a vendor key not
issued yet ("ENG-170" while Jira is at ENG-168). The rule when the vendor later issues that
key: **the caller's identifier is kept**; a ticket whose preferred identifier is already
held by another ticket takes the next of its candidates (`candidates`), the last being
derived from its vendor ids, so it is the same on every sync and every store. A ticket keeps
the identifier it was first stored with. Only when every candidate is held (a caller took
them all on purpose) is the ticket left out, and the sync reports it as skipped.
"""

from __future__ import annotations

# Joins a vendor key and the vendor's internal id in the last-resort identifier. Unreserved
# in URLs, so `/tickets/by-identifier/ENG-170~10170` needs no escaping.
SEPARATOR = "~"


def fallback(key: str, internal_id: str) -> str:
    """The identifier of a ticket whose key another ticket holds (``ENG-170~10170``)."""
    return f"{key}{SEPARATOR}{internal_id}"


def candidates(key: str, internal_id: str, claimed: str | None = None) -> list[str]:
    """A new ticket's identifiers in order of preference: the one a caller gave it (kept at
    the vendor by us), its vendor key, then `fallback`."""
    first = [claimed] if claimed else []
    return [*first, key, fallback(key, internal_id)]


def taken_message(held: list[str]) -> str:
    """Why a ticket has no identifier: every candidate is held by another ticket."""
    listed = ", ".join(repr(h) for h in held)
    return f"its identifiers {listed} are all held by other tickets of this connection"
