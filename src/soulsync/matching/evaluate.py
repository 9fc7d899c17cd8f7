"""Evaluate the engine on the labelled corpus: ``python -m soulsync.matching.evaluate PATH...``.

PATH is a JSON Lines file or a folder of them (``*.jsonl``, recursively).
Each line is one case:

* ``{"id", "kind": "soulseek", "want": TRACK, "candidates": [FILE, ...], "expect": [i, ...]}``
  where TRACK is ``{"title", "artists", "album", "duration_ms", "isrc"?,
  "release_date"?}`` and
  FILE uses slskd's field names ``{"username", "filename", "size", "length"?,
  "bitRate"?, "sampleRate"?, "bitDepth"?, "isVariableBitRate"?, "isLocked"?,
  "hasFreeUploadSlot", "uploadSpeed", "queueLength"}``;
* ``{"id", "kind": "library", "want": TRACK, "candidates": [{"title", "artist",
  "album", "duration_ms", "isrc"?}, ...], "expect": [...]}``.

Either kind may carry ``"releases": [{"artist"?, "album", "types", "source"?},
...]``: release types a metadata service would report (MusicBrainz wording,
"Live", "Compilation"), handed to the engine as data.

``expect`` lists the acceptable candidates; ``[]`` means the engine must
decline. For Soulseek cases the pick is the top file after filtering; for
library cases it is the index's track when the verdict is "owned".

Prints the failures with the engine's reasons, then per kind, per failure
class and overall precision (correct picks / picks), recall (correct picks /
cases with a non-empty expect) and wrong-version picks (a wrong pick that is
another recording: remix, live, re-recording, language version, processed
upload, ...). A case's class is the ``c<N>`` token of its id
("h26-c3-07" is class 3, see ``CLASS_NAMES``); cases without one are
counted under their kind only. The last line is exactly
``precision P recall R cases N``. A malformed line is an error naming the
file and line (exit status 2). This module is the only part of
``soulsync.matching`` that reads files.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soulsync.domain import LibraryTrack, SoulseekFile, Track
from soulsync.matching.anatomy import parse_title
from soulsync.matching.filename import parse_path
from soulsync.matching.index import LibraryIndex
from soulsync.matching.prepared import prepare_path
from soulsync.matching.rank import rank_soulseek_files
from soulsync.matching.releases import ReleaseFacts, ReleaseInfo
from soulsync.matching.score import HARD_KINDS
from soulsync.matching.settings import DEFAULT_SETTINGS, MatchSettings

__all__ = [
    "CLASS_NAMES",
    "Case",
    "CorpusError",
    "KindReport",
    "Report",
    "case_class",
    "evaluate",
    "load_cases",
    "main",
]

# The failure classes of issue 17; a case id carries its class as "-c<N>-".
CLASS_NAMES = {
    "1": "version-word titles and band names",
    "2": "live albums without a marker",
    "3": "re-recordings",
    "4": "language and region versions",
    "5": "processed uploads",
    "6": "classical performers and years",
    "7": "other scripts and romanisation",
    "8": "alternate titles and tagging habits",
}
_CLASS_RE = re.compile(r"(?:^|-)c(\d)(?:-|$)")

_TRACK_REQUIRED = {
    "title": str,
    "artists": list,
    "album": (str, type(None)),
    "duration_ms": (int, type(None)),
}
_TRACK_OPTIONAL = {"isrc": (str, type(None)), "release_date": (str, type(None))}
_FILE_REQUIRED = {
    "username": str,
    "filename": str,
    "size": int,
    "hasFreeUploadSlot": bool,
    "uploadSpeed": int,
    "queueLength": int,
}
_FILE_OPTIONAL = {
    "length": (int, type(None)),
    "bitRate": (int, type(None)),
    "sampleRate": (int, type(None)),
    "bitDepth": (int, type(None)),
    "isVariableBitRate": (bool, type(None)),
    "isLocked": bool,
}
_LIB_REQUIRED = {
    "title": str,
    "artist": str,
    "album": (str, type(None)),
    "duration_ms": (int, type(None)),
}
_LIB_OPTIONAL = {"isrc": (str, type(None))}
_RELEASE_OPTIONAL = {"artist": (str, type(None)), "source": str}


class CorpusError(ValueError):
    """A corpus file is not in the case format; the message names file and line."""


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled case, converted to domain objects."""

    id: str
    kind: str
    want: Track
    candidates: tuple[SoulseekFile, ...] | tuple[LibraryTrack, ...]
    expect: frozenset[int]
    origin: str  # "file:line"
    releases: ReleaseFacts = field(default_factory=ReleaseFacts)


def _check_fields(obj: Any, required: dict[str, Any], optional: dict[str, Any], what: str) -> None:
    if not isinstance(obj, dict):
        raise ValueError(f"{what} must be an object")
    for key, kind in required.items():
        if key not in obj:
            raise ValueError(f"{what} lacks {key!r}")
        if not isinstance(obj[key], kind) or (kind is int and isinstance(obj[key], bool)):
            raise ValueError(f"{what} field {key!r} has the wrong type")
    for key, kind in optional.items():
        if key in obj and not isinstance(obj[key], kind):
            raise ValueError(f"{what} field {key!r} has the wrong type")
    unknown = set(obj) - set(required) - set(optional)
    if unknown:
        raise ValueError(f"{what} has unknown field(s) {sorted(unknown)}")


def _track(obj: Any) -> Track:
    _check_fields(obj, _TRACK_REQUIRED, _TRACK_OPTIONAL, "want")
    if not obj["artists"] or not all(isinstance(a, str) for a in obj["artists"]):
        raise ValueError("want.artists must be a non-empty list of strings")
    return Track(
        title=obj["title"],
        artists=tuple(obj["artists"]),
        album=obj["album"],
        duration_ms=obj["duration_ms"],
        isrc=obj.get("isrc"),
        release_date=obj.get("release_date"),
    )


def _file(obj: Any, i: int) -> SoulseekFile:
    _check_fields(obj, _FILE_REQUIRED, _FILE_OPTIONAL, f"candidate {i}")
    return SoulseekFile(
        username=obj["username"],
        filename=obj["filename"],
        size=obj["size"],
        length=obj.get("length"),
        bit_rate=obj.get("bitRate"),
        sample_rate=obj.get("sampleRate"),
        bit_depth=obj.get("bitDepth"),
        is_variable_bit_rate=obj.get("isVariableBitRate"),
        is_locked=obj.get("isLocked", False),
        has_free_upload_slot=obj["hasFreeUploadSlot"],
        upload_speed=obj["uploadSpeed"],
        queue_length=obj["queueLength"],
    )


def _library(obj: Any, i: int) -> LibraryTrack:
    _check_fields(obj, _LIB_REQUIRED, _LIB_OPTIONAL, f"candidate {i}")
    return LibraryTrack(
        id=str(i),
        title=obj["title"],
        artist=obj["artist"],
        album=obj["album"],
        duration_ms=obj["duration_ms"],
        isrc=obj.get("isrc"),
    )


def _releases(raw: Any) -> ReleaseFacts:
    """Release knowledge a case hands the engine, as a metadata service would."""
    if raw is None:
        return ReleaseFacts()
    if not isinstance(raw, list):
        raise ValueError("releases must be a list")
    entries: list[tuple[str | None, str, ReleaseInfo]] = []
    for i, item in enumerate(raw):
        _check_fields(item, {"album": str, "types": list}, _RELEASE_OPTIONAL, f"release {i}")
        if not all(isinstance(t, str) for t in item["types"]):
            raise ValueError(f"release {i} types must be strings")
        info = ReleaseInfo(tuple(item["types"]), item.get("source") or "MusicBrainz")
        entries.append((item.get("artist"), item["album"], info))
    return ReleaseFacts.of(entries)


def _case(raw: Any) -> tuple[str, str, Track, tuple[Any, ...], frozenset[int]]:
    if not isinstance(raw, dict):
        raise ValueError("a case must be a JSON object")
    unknown = set(raw) - {"id", "kind", "want", "candidates", "expect", "releases"}
    if unknown:
        raise ValueError(f"case has unknown field(s) {sorted(unknown)}")
    case_id, kind = raw.get("id"), raw.get("kind")
    if not isinstance(case_id, str) or not case_id:
        raise ValueError("case lacks a string 'id'")
    if kind not in ("soulseek", "library"):
        raise ValueError(f"case {case_id}: kind must be 'soulseek' or 'library'")
    want = _track(raw.get("want"))
    cands = raw.get("candidates")
    if not isinstance(cands, list):
        raise ValueError(f"case {case_id}: candidates must be a list")
    build = _file if kind == "soulseek" else _library
    candidates = tuple(build(c, i) for i, c in enumerate(cands))
    expect = raw.get("expect")
    if not isinstance(expect, list) or not all(
        isinstance(e, int) and not isinstance(e, bool) for e in expect
    ):
        raise ValueError(f"case {case_id}: expect must be a list of candidate indexes")
    if any(e < 0 or e >= len(candidates) for e in expect):
        raise ValueError(f"case {case_id}: expect index out of range")
    return case_id, kind, want, candidates, frozenset(expect)


def _files(paths: Iterable[str | Path]) -> list[Path]:
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(p.rglob("*.jsonl")))
        elif p.is_file():
            found.append(p)
        else:
            raise CorpusError(f"{p}: no such file or folder")
    return found


def load_cases(paths: Iterable[str | Path]) -> list[Case]:
    """Read and validate every case; raise :class:`CorpusError` naming file:line."""
    cases: list[Case] = []
    ids: dict[str, str] = {}
    for path in _files(paths):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                origin = f"{path}:{number}"
                try:
                    raw = json.loads(line)
                    case_id, kind, want, candidates, expect = _case(raw)
                    releases = _releases(raw.get("releases"))
                except (json.JSONDecodeError, ValueError) as exc:
                    raise CorpusError(f"{origin}: {exc}") from exc
                if case_id in ids:
                    raise CorpusError(
                        f"{origin}: duplicate case id {case_id!r} (first at {ids[case_id]})"
                    )
                ids[case_id] = origin
                cases.append(Case(case_id, kind, want, candidates, expect, origin, releases))
    return cases


@dataclass(slots=True)
class KindReport:
    """Counts for one kind of case (or all)."""

    cases: int = 0
    positives: int = 0  # cases with a non-empty expect
    picks: int = 0
    correct_picks: int = 0
    correct_declines: int = 0
    negatives: int = 0
    wrong_version_picks: int = 0

    @property
    def precision(self) -> float:
        """Correct picks / picks (1.0 when nothing was picked)."""
        return self.correct_picks / self.picks if self.picks else 1.0

    @property
    def recall(self) -> float:
        """Correct picks / cases that have an acceptable candidate."""
        return self.correct_picks / self.positives if self.positives else 1.0


@dataclass(slots=True)
class Report:
    """Results of one evaluation run."""

    by_kind: dict[str, KindReport] = field(default_factory=dict)
    by_class: dict[str, KindReport] = field(default_factory=dict)
    total: KindReport = field(default_factory=KindReport)
    failures: list[str] = field(default_factory=list)


def _pick(case: Case, settings: MatchSettings) -> tuple[int | None, str]:
    """The engine's pick (candidate index or None) and its reasons."""
    if case.kind == "soulseek":
        files = [f for f in case.candidates if isinstance(f, SoulseekFile)]
        result = rank_soulseek_files(case.want, files, settings, releases=case.releases)
        if result.best is None:
            top = result.rejected[0] if result.rejected else None
            why = "; ".join(top.reasons[:4]) if top else "no candidates"
            return None, f"declined (best rejected: {why})"
        index = next(i for i, f in enumerate(files) if f is result.best.file)
        return index, "; ".join(result.best.reasons[:6])
    lib = [t for t in case.candidates if isinstance(t, LibraryTrack)]
    answer = LibraryIndex(lib, settings).check(case.want, case.releases)
    if not answer.owned or answer.track is None:
        return None, answer.explain()
    return int(answer.track.id), answer.explain()


def case_class(case_id: str) -> str | None:
    """The failure class named by a case id ("h26-c3-07" -> "3"), or None."""
    match = _CLASS_RE.search(case_id)
    return match.group(1) if match else None


def _is_wrong_version(case: Case, index: int) -> bool:
    """A wrong pick whose version kinds differ from the wanted ones (hard kinds).

    Re-recordings, language versions and processed uploads are hard kinds,
    so picking one of them counts here.
    """
    want = parse_title(case.want.title).kinds
    cand = case.candidates[index]
    if isinstance(cand, SoulseekFile):
        kinds = {
            v.kind
            for r in parse_path(cand.filename).readings
            for v in parse_title(r.title).versions
        }
        file_versions = prepare_path(cand.filename).file_versions
        if file_versions is not None:
            kinds |= file_versions.kinds
    else:
        kinds = set(parse_title(cand.title).kinds)
    return bool((want ^ kinds) & HARD_KINDS)


def evaluate(cases: Sequence[Case], settings: MatchSettings = DEFAULT_SETTINGS) -> Report:
    """Run the engine on every case and count the outcome."""
    report = Report()
    for case in cases:
        kind = report.by_kind.setdefault(case.kind, KindReport())
        reps = [kind, report.total]
        klass = case_class(case.id)
        if klass is not None:
            reps.append(report.by_class.setdefault(klass, KindReport()))
        pick, why = _pick(case, settings)
        for rep in reps:
            rep.cases += 1
            if case.expect:
                rep.positives += 1
            else:
                rep.negatives += 1
        if pick is None:
            if not case.expect:
                for rep in reps:
                    rep.correct_declines += 1
            else:
                report.failures.append(
                    f"MISS {case.id} ({case.origin}): expected {sorted(case.expect)}, {why}"
                )
            continue
        correct = pick in case.expect
        wrong_version = not correct and _is_wrong_version(case, pick)
        for rep in reps:
            rep.picks += 1
            rep.correct_picks += int(correct)
            rep.wrong_version_picks += int(wrong_version)
        if not correct:
            label = "WRONG-VERSION" if wrong_version else "WRONG"
            report.failures.append(
                f"{label} {case.id} ({case.origin}): picked {pick}, expected {sorted(case.expect)}: {why}"
            )
    return report


def _line(name: str, rep: KindReport) -> str:
    return (
        f"{name}: cases {rep.cases} picks {rep.picks} correct {rep.correct_picks} "
        f"precision {rep.precision:.4f} recall {rep.recall:.4f} "
        f"declines {rep.correct_declines}/{rep.negatives} wrong-version picks {rep.wrong_version_picks}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns the process exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 2
    try:
        cases = load_cases(args)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = evaluate(cases)
    for failure in report.failures:
        print(failure)
    for name in sorted(report.by_kind):
        print(_line(name, report.by_kind[name]))
    for klass in sorted(report.by_class):
        label = f"class {klass} ({CLASS_NAMES.get(klass, 'unnamed')})"
        print(_line(label, report.by_class[klass]))
    print(_line("overall", report.total))
    print(
        f"precision {report.total.precision:.4f} recall {report.total.recall:.4f} cases {report.total.cases}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
