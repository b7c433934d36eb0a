"""Hypothesis strategies for paging parameters, shared by the list-path property tests."""

from __future__ import annotations

import uuid

from hypothesis import strategies as st

from ticketbridge.itsm.paging import PageParams, encode_cursor


@st.composite
def pages(draw: st.DrawFn, ids: list[uuid.UUID]) -> PageParams:
    """A first page, an offset, or a next/previous cursor anchored on one of `ids` (or on
    an id that is not there)."""
    limit = draw(st.integers(1, 4))
    mode = draw(st.sampled_from(["first", "offset", "next", "previous"]))
    if mode == "offset":
        return PageParams(limit=limit, cursor=None, offset=draw(st.integers(0, 8)))
    if mode == "first":
        return PageParams(limit=limit, cursor=None, offset=None)
    anchor = draw(st.sampled_from(ids) | st.uuids()) if ids else draw(st.uuids())
    return PageParams(limit=limit, cursor=encode_cursor(mode[0], anchor), offset=None)
