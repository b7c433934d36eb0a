"""JQL text search (`~`) of the Jira emulator: word tokens, phrases, wildcards, stop words.
Pure helpers that know nothing about the syntax tree; `jql_eval.py` combines them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

_WORDS = re.compile(r"\w+")
_STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
    "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
    "these", "they", "this", "to", "was", "will", "with",
))  # fmt: skip
TokenTest: TypeAlias = Callable[[tuple[str, ...], frozenset[str]], bool]


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """Lowercase word tokens of an issue text (sequence for phrases, set for lookups)."""
    toks = tuple(_WORDS.findall(text.lower()))
    return toks, frozenset(toks)


@dataclass(frozen=True, slots=True)
class TextCond:
    """One term of a `~` query. Every needle must occur in the lowercased text (a cheap
    prefilter that never rejects a match), then `test` decides on the text's word tokens."""

    needles: tuple[str, ...]
    test: TokenTest

    def matches(self, text: str, low: str) -> bool:
        for needle in self.needles:
            if needle not in low:
                return False
        return self.test(*tokens(text))


def _phrase(words: tuple[str, ...]) -> TextCond:
    n, first = len(words), words[0]

    def test(toks: tuple[str, ...], seen: frozenset[str]) -> bool:
        if not seen.issuperset(words):
            return False
        return any(t == first and toks[k : k + n] == words for k, t in enumerate(toks))

    return TextCond(words, test)


def _wildcard(term: str) -> TextCond:
    body = "".join(ch for ch in term if ch in "*?" or _WORDS.fullmatch(ch))
    needles = tuple(chunk for chunk in body.replace("?", "*").split("*") if chunk)
    if body.endswith("*") and "*" not in body[:-1] and "?" not in body and len(body) > 1:
        prefix = body[:-1]
        return TextCond(needles, lambda _toks, seen: any(t.startswith(prefix) for t in seen))
    rx = re.compile("".join({"*": r"\w*", "?": r"\w"}.get(ch, re.escape(ch)) for ch in body))
    return TextCond(needles, lambda _toks, seen: any(rx.fullmatch(t) for t in seen))


def _word(word: str) -> TextCond:
    return TextCond((word,), lambda _toks, seen: word in seen)


def text_conditions(query: str) -> list[TextCond]:
    """Approximates Jira's `~`: every term must occur as a word (case-insensitive); `*`/`?`
    wildcards; a term with inner punctuation or a "quoted phrase" must occur as consecutive
    words; English stop words are ignored outside phrases."""
    conds: list[TextCond] = []
    for n, part in enumerate(query.lower().split('"')):
        terms = [part] if n % 2 else part.split()
        for term in terms:
            if not n % 2 and ("*" in term or "?" in term):
                conds.append(_wildcard(term))
                continue
            words = tuple(_WORDS.findall(term))
            if len(words) > 1:
                conds.append(_phrase(words))
            elif words and (n % 2 or words[0] not in _STOPWORDS):
                conds.append(_word(words[0]))
    return conds


def text_matcher(conds: list[TextCond]) -> Callable[[str], bool]:
    """Whether one text satisfies every condition (never true without conditions)."""
    needles = tuple(dict.fromkeys(n for c in conds for n in c.needles))
    tests = tuple(c.test for c in conds)

    def match(text: str) -> bool:
        if not text or not tests:
            return False
        low = text.lower()
        for needle in needles:
            if needle not in low:
                return False
        toks, seen = tokens(text)
        return all(test(toks, seen) for test in tests)

    return match
