"""spaCy's blank-pt tokenizer, run in pure Python from its exported rules.

The municipality finder matches on the tokens of ``spacy.blank("pt")``, but
importing spaCy costs half a second per process, more than reading a long deck.
So the tokenizer's rules (prefix, suffix and infix patterns, ``token_match``,
``url_match`` and the special cases) are exported from spaCy once and kept in the
start-up cache (extractor/cache.py, whose key covers spaCy's version with every
installed distribution's), and :class:`Tokenizer` runs spaCy's algorithm on them
(spacy/tokenizer.pyx, "How the tokenizer works" in spaCy's docs):

1. the text is cut into runs of whitespace and of non-whitespace; a single
   ``" "`` after a token is that token's trailing space, any other whitespace is
   a chunk of its own (so ``"a\\n b"`` has the token ``"\\n "``);
2. a chunk that is a special case is its tokens; otherwise prefixes and suffixes
   are split off, one of each per round, until none is left or what is left (or
   what is left minus the affix just found) is a special case;
3. what is left is a special case, or one token when ``token_match`` or
   ``url_match`` matches it, or is cut at infixes (one at offset 0 is ignored);
4. last, spaCy's "special-case matcher": a run of tokens spelling the affix
   tokenization of a special case that has affixes (``"Dr" "."`` from
   ``"x/Dr."``) is retokenized as that special case, longest runs first.

Only what the finders read is produced: each token's offset and length (whether
it is whitespace is ``str.isspace`` of its text). tests/extractor/test_pt_tokenizer.py
holds it equal to spaCy's tokenizer on the corpora's texts and on generated ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractor import cache, rulebook

CACHE_NAME = "pt-tokenizer-rules"
# Chunks memoised per process: a gazette repeats its words; the bound keeps memory flat.
MEMO_SIZE = 200_000
_RUNS = re.compile(r"\s+|\S+")  # re's \s is str.isspace (pinned by a test), as spaCy splits


@dataclass(frozen=True)
class TokenizerRules:
    """What spaCy's ``Tokenizer`` is made of, as plain data (patterns with their flags)."""

    spacy_version: str
    prefix: tuple[str, int] | None
    suffix: tuple[str, int] | None
    infix: tuple[str, int] | None
    token_match: tuple[str, int] | None
    url_match: tuple[str, int] | None
    # special case -> the lengths of its tokens
    specials: dict[str, tuple[int, ...]]
    # the affix tokenizations (token texts) of the special cases spaCy's matcher looks for
    matcher_patterns: frozenset[tuple[str, ...]]


def _pattern(method: object) -> tuple[str, int] | None:
    """The pattern and flags behind ``re.compile(...).search`` (or match, finditer)."""
    if method is None:
        return None
    compiled = getattr(method, "__self__", None)
    if not isinstance(compiled, re.Pattern):
        raise TypeError(f"tokenizer rule {method!r} is not a compiled pattern's method")
    return compiled.pattern, compiled.flags


def export_rules(lang: str = "pt") -> TokenizerRules:
    """Read the blank-``lang`` tokenizer's rules out of spaCy (imports spaCy)."""
    import spacy
    from spacy.attrs import ORTH
    from spacy.tokenizer import Tokenizer as SpacyTokenizer

    nlp = spacy.blank(lang)
    tok = nlp.tokenizer
    specials = {chunk: tuple(len(spec[ORTH]) for spec in substrings)
                for chunk, substrings in tok.rules.items()}
    # spaCy adds a special case to its matcher when it has an affix or a space (or always,
    # without faster_heuristics), as the tokens the affix rules alone make of it.
    plain = SpacyTokenizer(nlp.vocab, rules={}, prefix_search=tok.prefix_search,
                           suffix_search=tok.suffix_search, infix_finditer=tok.infix_finditer,
                           token_match=tok.token_match, url_match=tok.url_match)
    patterns = frozenset(
        tuple(t.text for t in plain(chunk)) for chunk in tok.rules
        if not tok.faster_heuristics or tok.find_prefix(chunk) or tok.find_infix(chunk)
        or tok.find_suffix(chunk) or " " in chunk)
    return TokenizerRules(
        spacy_version=spacy.__version__,
        prefix=_pattern(tok.prefix_search), suffix=_pattern(tok.suffix_search),
        infix=_pattern(tok.infix_finditer), token_match=_pattern(tok.token_match),
        url_match=_pattern(tok.url_match), specials=specials, matcher_patterns=patterns)


def _compile_all(rules: list[tuple[str, int] | None]) -> list[re.Pattern[str] | None]:
    """The rules compiled (None stays None); the regex engine's programs of the long
    affix alternations come from the start-up cache (extractor/cache.py ``regexes``)."""
    given = [r for r in rules if r is not None]
    compiled = iter(cache.regexes(given, rulebook.rules_dir()))
    return [None if r is None else next(compiled) for r in rules]


class Tokenizer:
    """spaCy's tokenizer algorithm over :class:`TokenizerRules`; see the module docstring."""

    def __init__(self, rules: TokenizerRules) -> None:
        self.rules = rules
        self._prefix, self._suffix, self._infix, self._token_match, self._url_match = _compile_all(
            [rules.prefix, rules.suffix, rules.infix, rules.token_match, rules.url_match])
        self._specials = rules.specials
        self._patterns: dict[str, list[tuple[str, ...]]] = {}
        for p in sorted(rules.matcher_patterns):
            if len(p) == 1 and rules.specials.get(p[0]) == (len(p[0]),):
                continue  # a token replaced by itself: it can only lose to longer matches
            self._patterns.setdefault(p[0], []).append(p)
        self._memo: dict[str, tuple[tuple[tuple[int, int], ...], bool]] = {}

    def __call__(self, text: str) -> list[tuple[int, int]]:
        """The tokens of ``text`` as (start, end) offsets, in order."""
        tokens: list[tuple[int, int]] = []
        starts: list[int] = []  # tokens a matcher pattern may begin with (as spaCy's PhraseMatcher)
        memo, chunk_tokens = self._memo, self._chunk
        for run in _RUNS.finditer(text):
            start, end = run.span()
            if start and text[start] == " ":  # a token's trailing space
                start += 1
                if start == end:
                    continue
            chunk = text[start:end]
            hit = memo.get(chunk)
            if hit is None:
                if len(memo) >= MEMO_SIZE:
                    memo.clear()
                hit = memo[chunk] = chunk_tokens(chunk)
            pieces, may_start = hit
            if may_start:
                starts.extend(range(len(tokens), len(tokens) + len(pieces)))
            tokens.extend((start + s, start + e) for s, e in pieces)
        if starts:
            return self._apply_matcher(text, tokens, starts)
        return tokens

    def _chunk(self, chunk: str) -> tuple[tuple[tuple[int, int], ...], bool]:
        """A chunk's tokens relative to it, and whether one may begin a matcher pattern."""
        lengths = self._lengths(chunk)
        out, pos = [], 0
        for n in lengths:
            out.append((pos, pos + n))
            pos += n
        patterns = self._patterns
        may_start = any(chunk[s:e] in patterns for s, e in out)
        return tuple(out), may_start

    def _lengths(self, string: str) -> list[int]:
        specials = self._specials
        special = specials.get(string)
        if special is not None:
            return list(special)
        prefixes: list[int] = []
        suffixes: list[int] = []
        token_match, prefix_search, suffix_search = self._token_match, self._prefix, self._suffix
        last_size = 0
        while string and len(string) != last_size:
            if token_match is not None and token_match.match(string):
                break
            if string in specials:
                break
            last_size = len(string)
            pre_len = 0
            if prefix_search is not None:
                m = prefix_search.search(string)
                pre_len = m.end() - m.start() if m is not None else 0
            if pre_len:
                minus_pre = string[pre_len:]
                if minus_pre and minus_pre in specials:
                    string = minus_pre
                    prefixes.append(pre_len)
                    break
            suf_len = 0
            if suffix_search is not None:
                m = suffix_search.search(string[pre_len:])
                suf_len = m.end() - m.start() if m is not None else 0
            if suf_len:
                minus_suf = string[:-suf_len]
                if minus_suf and minus_suf in specials:
                    string = minus_suf
                    suffixes.append(suf_len)
                    break
            if pre_len and suf_len and (pre_len + suf_len) <= len(string):
                string = string[pre_len:-suf_len]
                prefixes.append(pre_len)
                suffixes.append(suf_len)
            elif pre_len:
                string = string[pre_len:]
                prefixes.append(pre_len)
            elif suf_len:
                string = string[:-suf_len]
                suffixes.append(suf_len)
        return prefixes + self._core(string) + suffixes[::-1]

    def _core(self, string: str) -> list[int]:
        """What is left once the affixes are off: a special case, a token or URL match, or
        pieces between infixes."""
        if not string:
            return []
        special = self._specials.get(string)
        if special is not None:
            return list(special)
        if ((self._token_match is not None and self._token_match.match(string))
                or (self._url_match is not None and self._url_match.match(string))):
            return [len(string)]
        if self._infix is None:
            return [len(string)]
        out: list[int] = []
        start = 0
        for m in self._infix.finditer(string):
            infix_start, infix_end = m.span()
            if infix_start == 0:  # spaCy ignores an infix at the very start
                continue
            if infix_start != start:
                out.append(infix_start - start)
            if infix_start != infix_end:
                out.append(infix_end - infix_start)
            start = infix_end
        if start < len(string):
            out.append(len(string) - start)
        return out

    def _apply_matcher(self, text: str, tokens: list[tuple[int, int]],
                       starts: list[int]) -> list[tuple[int, int]]:
        """spaCy's special-case matcher pass (``Tokenizer._apply_special_cases``): every
        run of tokens spelling a pattern is a match; the longest (then leftmost) are kept
        unless their first or last token is in a run looked at before; a kept run whose
        text is a special case becomes that special case's tokens."""
        patterns = self._patterns
        n = len(tokens)
        matches: set[tuple[int, int]] = set()
        for i in starts:
            s, e = tokens[i]
            candidates = patterns.get(text[s:e])
            if candidates is None:
                continue
            second = text[tokens[i + 1][0]:tokens[i + 1][1]] if i + 1 < n else None
            for p in candidates:
                j = i + len(p)
                if j == i + 1 or (j <= n and p[1] == second and all(
                        text[a:b] == t for (a, b), t in zip(tokens[i + 2:j], p[2:]))):
                    matches.add((i, j))
        if not matches:
            return tokens
        ordered = sorted(matches, key=lambda m: (-(m[1] - m[0]), m[0]))
        seen: set[int] = set()
        kept: dict[int, int] = {}
        for start, end in ordered:
            if start not in seen and end - 1 not in seen:
                kept[start] = end
            seen.update(range(start, end))
        out: list[tuple[int, int]] = []
        i = 0
        while i < n:
            end = kept.get(i)
            if end is None:
                out.append(tokens[i])
                i += 1
                continue
            pos = tokens[i][0]
            special = self._specials.get(text[pos:tokens[end - 1][1]])
            if special is None:
                out.extend(tokens[i:end])
            else:
                for length in special:
                    out.append((pos, pos + length))
                    pos += length
            i = end
        return out


def rules() -> TokenizerRules:
    """The blank-pt rules, from the start-up cache when spaCy and the code are unchanged."""
    return cache.cached(CACHE_NAME, rulebook.rules_dir(), export_rules)


@lru_cache(maxsize=1)
def pt_tokenizer() -> Tokenizer:
    return Tokenizer(rules())
