"""Logging set-up shared by every process we start (API, worker, CLI, demo).

httpx logs every request it sends at INFO (``HTTP Request: POST ... "HTTP/1.1 201"``) and
httpcore traces connections at DEBUG: at our default level that is one line per vendor
call. Both are kept at WARNING unless the level asked for is DEBUG.
"""

from __future__ import annotations

import logging

VENDOR_HTTP_LOGGERS = ("httpx", "httpcore")


def quiet_vendor_http(level: str) -> None:
    """httpx/httpcore at WARNING, or inheriting the root level when ``level`` is DEBUG."""
    debug = level.strip().upper() == "DEBUG"
    for name in VENDOR_HTTP_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if debug else logging.WARNING)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.strip().upper())
    quiet_vendor_http(level)
