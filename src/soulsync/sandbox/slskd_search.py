"""How the simulated Soulseek network answers a search: matching and response payloads.

Pure functions over the catalogue's shares, used by the slskd simulator.

Matching follows what Soulseek clients do with a search text they receive:

* the query is lower-cased and split into word tokens; **every** term must
  occur as a word of the file's full remote path (folders included), so
  "daft punk one more time" finds ``@@x\\Daft Punk\\Discovery\\01 One More Time.flac``;
* ``*eatles`` is a wildcard first letter: it matches any path word that ends
  with ``eatles`` and is longer than it (``beatles``), the trick sldl uses to
  get past server-filtered phrases;
* ``-live`` excludes paths containing the word ``live``;
* case is folded but accents are not (``beyonce`` does not find ``Beyoncé``),
  as with Soulseek clients, which is why tools also search without diacritics;
* a query that contains a server-filtered phrase (``SERVER_FILTERED_PHRASES``,
  e.g. "beatles") gets no answer at all, because clients obey the server's
  excluded-phrases list; the wildcard form does not contain the phrase.

A response is one per peer, with its unlocked ``files`` and its
``lockedFiles`` apart, camelCase, and properties the peer did not report
omitted (slskd drops null properties from its JSON).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from soulsync.sandbox.catalogue import SERVER_FILTERED_PHRASES, Peer, SharedFile

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed search text: required words, wildcard suffixes, excluded words."""

    words: tuple[str, ...]
    suffixes: tuple[str, ...]  # from "*eatles": path word must end with it
    excluded: tuple[str, ...]
    filtered: bool  # contains a server-filtered phrase: nobody answers

    @property
    def empty(self) -> bool:
        """True when nothing positive is asked for (no peer answers such a query)."""
        return not self.words and not self.suffixes


def path_words(path: str) -> frozenset[str]:
    """The lower-cased word tokens of a remote path (folders and file name)."""
    return frozenset(_WORD.findall(path.lower()))


def parse_query(text: str, filtered_phrases: Iterable[str] = SERVER_FILTERED_PHRASES) -> Query:
    """Split a search text into the parts Soulseek clients match on."""
    lowered = text.lower()
    filtered = any(phrase.lower() in lowered for phrase in filtered_phrases)
    words: list[str] = []
    suffixes: list[str] = []
    excluded: list[str] = []
    for raw in lowered.split():
        if len(raw.encode("utf-16-le")) <= 2:
            # Soulseek.NET drops one-character terms before the network sees them
            # (SoulseekClient.SearchAsync, removeSingleCharacterSearchTerms).
            continue
        if raw.startswith("-") and len(raw) > 1:
            excluded.extend(_WORD.findall(raw[1:]))
        elif raw.startswith("*") and len(raw) > 1:
            tokens = _WORD.findall(raw[1:])
            if tokens:
                # "*eatles" wildcards only the first token; any others are plain words.
                suffixes.append(tokens[0])
                words.extend(tokens[1:])
        else:
            words.extend(_WORD.findall(raw))
    return Query(tuple(words), tuple(suffixes), tuple(excluded), filtered)


def matches(query: Query, path: str) -> bool:
    """True if a peer would answer ``query`` with the file at ``path``."""
    if query.filtered or query.empty:
        return False
    have = path_words(path)
    if any(w not in have for w in query.words):
        return False
    for suffix in query.suffixes:
        if not any(h.endswith(suffix) and len(h) > len(suffix) for h in have):
            return False
    return not any(x in have for x in query.excluded)


def file_payload(share: SharedFile, size: int, *, bare_name: bool = False) -> dict[str, Any]:
    """One file as slskd serialises it (nulls omitted).

    ``bare_name`` gives the file name without folders, as in directory listings.
    """
    name = share.filename.rsplit("\\", 1)[-1] if bare_name else share.filename
    out: dict[str, Any] = {
        "filename": name,
        "size": size,
        "code": 1,
        "extension": share.extension,
        # slskd serialises isLocked false even for entries of lockedFiles (issue 13):
        # only the list a file is in says it is locked.
        "isLocked": False,
    }
    optional = {
        "bitRate": share.bit_rate,
        "bitDepth": share.bit_depth,
        "sampleRate": share.sample_rate,
        "length": share.length,
        "isVariableBitRate": share.is_variable_bit_rate,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """The response filters of ``POST /searches`` (Soulseek.NET defaults)."""

    response_limit: int = 250
    file_limit: int = 25000
    filter_responses: bool = True
    maximum_peer_queue_length: int = 1_000_000
    minimum_peer_upload_speed: int = 0
    minimum_response_file_count: int = 1

    @classmethod
    def from_request(cls, body: Mapping[str, Any]) -> SearchOptions:
        """Read the options from a request body, defaulting what is missing."""
        d = cls()
        return cls(
            response_limit=int(body.get("responseLimit") or d.response_limit),
            file_limit=int(body.get("fileLimit") or d.file_limit),
            filter_responses=bool(body.get("filterResponses", d.filter_responses)),
            maximum_peer_queue_length=int(
                body.get("maximumPeerQueueLength") or d.maximum_peer_queue_length
            ),
            minimum_peer_upload_speed=int(
                body.get("minimumPeerUploadSpeed") or d.minimum_peer_upload_speed
            ),
            minimum_response_file_count=int(
                body.get("minimumResponseFileCount") or d.minimum_response_file_count
            ),
        )


def build_responses(
    query_text: str,
    shares: Iterable[SharedFile],
    peers: Mapping[str, Peer],
    size_of: Callable[[SharedFile], int],
    options: SearchOptions,
    token: int,
) -> list[dict[str, Any]]:
    """Every peer's response to ``query_text``, in share order, filtered as Soulseek.NET does.

    ``size_of`` returns the real byte size of a share's audio file, so the
    advertised size is exactly what a finished transfer writes.
    """
    query = parse_query(query_text)
    by_peer: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for share in shares:
        if share.username not in peers or not matches(query, share.filename):
            continue
        files, locked = by_peer.setdefault(share.username, ([], []))
        (locked if share.locked else files).append(file_payload(share, size_of(share)))
    responses: list[dict[str, Any]] = []
    for username, (files, locked) in by_peer.items():
        peer = peers[username]
        if options.filter_responses and (
            len(files) + len(locked) < options.minimum_response_file_count
            # Soulseek.NET filters at ">=" (SearchInternal.cs): a queue of exactly
            # maximumPeerQueueLength is already too long.
            or peer.queue_length >= options.maximum_peer_queue_length
            or peer.upload_speed < options.minimum_peer_upload_speed
        ):
            continue
        responses.append(
            {
                "username": username,
                "token": token,
                "hasFreeUploadSlot": peer.has_free_upload_slot,
                "uploadSpeed": peer.upload_speed,
                "queueLength": peer.queue_length,
                "fileCount": len(files),
                "files": files,
                "lockedFileCount": len(locked),
                "lockedFiles": locked,
            }
        )
    return responses
