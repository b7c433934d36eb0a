"""ADF -> Markdown, inline content, second step: the escaping passes over pieces (emphasis
flanking, line edges, line starts, delimiter alternation) and writing them out. See
``adf_to_markdown``."""

from __future__ import annotations

import itertools
import re

from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isValidEntityCode, isWhiteSpace

from .adf_md_pieces import ENTITY_LIKE, DelimPiece, Piece, RawPiece, TextPiece

LINE_START_ESCAPE = frozenset("#>-+=:")


def _cls(ch: str) -> str:
    if isWhiteSpace(ord(ch)):
        return "space"
    if isMdAsciiPunct(ord(ch)) or isPunctChar(ch):
        return "punct"
    return "other"


def edge_slot(piece: Piece | None, first: bool) -> tuple[TextPiece | None, int]:
    """The character slot of ``piece`` facing a neighbour (text pieces only)."""
    if not isinstance(piece, TextPiece):
        return None, 0
    return piece, 0 if first else len(piece.text) - 1


def edge_class(piece: Piece | None, first: bool) -> str:
    if piece is None:
        return "space"
    if isinstance(piece, TextPiece):  # backslash escapes only ever apply to punctuation
        index = 0 if first else len(piece.text) - 1
        ch = piece.text[index]
        return "punct" if index in piece.entity or ch in "\n\r" else _cls(ch)
    return _cls(piece.text[0] if first else piece.text[-1])


def is_space(ch: str) -> bool:
    return ch.isspace() or isWhiteSpace(ord(ch))


def encode_edge(piece: Piece | None, first: bool) -> bool:
    """Write the edge character of ``piece`` as a character reference, if that changes it."""
    text, index = edge_slot(piece, first)
    if text is None or index in text.entity or text.text[index] in "\n\r":
        return False
    if not isValidEntityCode(ord(text.text[index])):
        return False
    text.entity.add(index)
    return True


def _run_ok(run: list[DelimPiece], before: Piece | None, after: Piece | None) -> bool:
    """Would markdown-it let this delimiter run open/close as needed? (its ``scanDelims``)"""
    last, nxt = edge_class(before, first=False), edge_class(after, first=True)
    left = nxt != "space" and (nxt != "punct" or last != "other")
    right = last != "space" and (last != "punct" or nxt != "other")
    if run[0].text[0] == "_":
        can_open = left and (not right or last == "punct")
        can_close = right and (not left or nxt == "punct")
    else:
        can_open, can_close = left, right
    need_open = any(d.opening for d in run)
    need_close = any(not d.opening for d in run)
    return (can_open or not need_open) and (can_close or not need_close)


def fix_flanking(pieces: list[Piece]) -> None:
    """Turn neighbours of delimiter runs into character references until every run works."""
    for _ in range(len(pieces) + 1):
        changed = False
        start = 0
        while start < len(pieces):
            first = pieces[start]
            if not isinstance(first, DelimPiece):
                start += 1
                continue
            end = start + 1
            while end < len(pieces):
                piece = pieces[end]
                if not isinstance(piece, DelimPiece) or piece.text[0] != first.text[0]:
                    break
                end += 1
            run = [p for p in pieces[start:end] if isinstance(p, DelimPiece)]
            before = pieces[start - 1] if start else None
            after = pieces[end] if end < len(pieces) else None
            if not _run_ok(run, before, after):
                changed |= _repair(run, before, after)
            start = end
        if not changed:
            return


def _repair(run: list[DelimPiece], before: Piece | None, after: Piece | None) -> bool:
    """Encode as few delimiter neighbours as possible (spaces first) to make ``run`` work."""
    sides = [(before, False), (after, True)]
    spaces = [side for side in sides if edge_class(*side) == "space"]
    for option in (spaces, sides[:1], sides[1:], sides):
        saved = [(t, set(t.entity)) for t, _ in (edge_slot(*side) for side in option) if t]
        if not any([encode_edge(*side) for side in option]):
            continue
        if _run_ok(run, before, after):
            return True
        for text, entity in saved:
            text.entity = entity
    return any([encode_edge(*side) for side in sides])


def split_lines(pieces: list[Piece]) -> list[list[Piece]]:
    lines: list[list[Piece]] = [[]]
    for piece in pieces:
        if isinstance(piece, RawPiece) and piece.ends_line:
            lines.append([])
        else:
            lines[-1].append(piece)
    return lines


def protect_edges(lines: list[list[Piece]]) -> None:
    """Whitespace at a line's start or end would be stripped: write it as a reference."""
    for line in lines:
        if not line:
            continue
        for piece, first in ((line[0], True), (line[-1], False)):
            text, index = edge_slot(piece, first)
            if text is not None and is_space(text.text[index]):
                encode_edge(piece, first)


ORDERED_MARKER = re.compile(r"[0-9]+[.)]")


def escape_line_starts(lines: list[list[Piece]]) -> None:
    """Characters that would start a block construct at the beginning of a line."""
    for line in lines:
        piece = line[0] if line else None
        if not isinstance(piece, TextPiece) or 0 in piece.entity:
            continue
        if piece.text[0] in LINE_START_ESCAPE:
            piece.escape.add(0)
        elif marker := ORDERED_MARKER.match(piece.text):
            piece.escape.add(marker.end() - 1)


def alternate_delimiters(pieces: list[Piece], first: str) -> None:
    """No two adjacent emphasis delimiters share a character (so their runs stay apart).

    Spans whose delimiters touch must differ: two-colour that graph with ``*`` and ``_``, the
    outermost span of each connected group getting ``first``.
    """
    spans: dict[int, list[DelimPiece]] = {}
    touching: dict[int, set[int]] = {}
    for piece in pieces:
        if isinstance(piece, DelimPiece) and piece.text[0] in "*_":
            spans.setdefault(piece.span, []).append(piece)
    for left, right in itertools.pairwise(pieces):
        if not isinstance(left, DelimPiece) or not isinstance(right, DelimPiece):
            continue
        if left.span in spans and right.span in spans:
            touching.setdefault(left.span, set()).add(right.span)
            touching.setdefault(right.span, set()).add(left.span)
    colour: dict[int, str] = {}
    for root in spans:
        if root in colour:
            continue
        colour[root] = first
        queue = [root]
        while queue:
            span = queue.pop()
            for other in touching.get(span, ()):
                if other not in colour:
                    colour[other] = "_" if colour[span] == "*" else "*"
                    queue.append(other)
    for span, delimiters in spans.items():
        for delimiter in delimiters:
            delimiter.text = colour[span] * len(delimiter.text)


_SPECIAL = re.compile(r"[\\`*_\[\]<~|\n\r&!]")


def _escape_text(piece: TextPiece, suffix: str) -> str:
    text = piece.text
    lookahead = text + suffix
    forced = {i: "entity" for i in piece.entity}
    forced.update((i, "escape") for i in piece.escape if i not in forced)

    def plain(start: int, end: int) -> str:
        out: list[str] = []
        pos = start
        for match in _SPECIAL.finditer(text, start, end):
            at = match.start()
            ch = text[at]
            if ch in "\n\r":
                replacement = f"&#{ord(ch)};"
            elif ch == "&":
                replacement = "\\&" if ENTITY_LIKE.match(lookahead, at + 1) else "&"
            elif ch == "!":
                replacement = "\\!" if lookahead.startswith("[", at + 1) else "!"
            else:
                replacement = "\\" + ch
            out += (text[pos:at], replacement)
            pos = at + 1
        out.append(text[pos:end])
        return "".join(out)

    parts: list[str] = []
    pos = 0
    for index in sorted(forced):
        ch = text[index]
        parts += (plain(pos, index), f"&#{ord(ch)};" if forced[index] == "entity" else "\\" + ch)
        pos = index + 1
    parts.append(plain(pos, len(text)))
    return "".join(parts)


def write_pieces(pieces: list[Piece]) -> str:
    out: list[str] = []
    suffix = ""
    for piece in reversed(pieces):
        if isinstance(piece, TextPiece):
            text = _escape_text(piece, suffix)
        else:
            text = piece.text
        out.append(text)
        suffix = (text + suffix)[:48]
    return "".join(reversed(out))
