"""Benchmark of the matching engine (issue 3 targets on a 2-core machine).

Run: ``.venv/bin/python bench/matching.py [--tracks 200000] [--playlist 2000]``

* library index of 200k synthetic tracks: build time (target < 20 s)
* a 2,000-track playlist checked against it (target < 2 s)
* 500 Soulseek responses x 10 files ranked for one track (target < 0.2 s)
* peak memory of the process (target for the index < 500 MB)

The synthetic library mixes plain titles, bracketed versions, featured
artists and non-Latin names, drawn from a fixed seed so runs compare.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from _report import target
from soulsync.domain import LibraryTrack, SearchResponse, SoulseekFile, Track
from soulsync.matching import LibraryIndex, OwnedStatus, rank_soulseek_files

T = TypeVar("T")

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "ne",
    "to",
    "su",
    "vi",
    "da",
    "re",
    "ba",
    "li",
    "mo",
    "na",
    "te",
    "zu",
    "pe",
    "fa",
    "go",
    "hi",
    "ju",
    "ko",
    "lu",
    "ma",
    "ni",
    "po",
    "ri",
    "sa",
    "ta",
    "vo",
    "wa",
    "ye",
    "zo",
    "bri",
    "cla",
    "dre",
    "flo",
    "gra",
    "kri",
    "plo",
    "sta",
    "tri",
    "vel",
    "mar",
    "son",
    "den",
    "lin",
    "bar",
    "ter",
]
WORDS = [
    "love",
    "night",
    "heart",
    "fire",
    "light",
    "dream",
    "time",
    "rain",
    "world",
    "girl",
    "boy",
    "summer",
    "blue",
    "gold",
    "dance",
    "money",
    "baby",
    "home",
    "road",
    "city",
    "river",
    "sky",
    "star",
    "moon",
    "sun",
    "ocean",
    "wild",
    "young",
    "forever",
    "never",
    "tonight",
    "alone",
    "together",
    "lost",
    "found",
    "broken",
    "golden",
    "electric",
    "midnight",
    "paradise",
    "heaven",
    "angel",
    "devil",
    "shadow",
    "silver",
    "crazy",
    "sweet",
    "bitter",
    "cold",
    "hot",
    "fast",
    "slow",
    "high",
    "low",
    "free",
    "run",
    "fall",
    "rise",
]
VERSIONS = (
    "",
    "",
    "",
    "",
    "",
    " (Remastered 2011)",
    " - Live",
    " (Radio Edit)",
    " (Acoustic)",
    " - Remix",
)
SCRIPTS = ("米津", "Кино", "방탄", "Björk", "Sigur Rós")


def _word(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return rng.choice(WORDS)
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def _name(rng: random.Random, words: int) -> str:
    return " ".join(_word(rng).capitalize() for _ in range(words))


def synthetic_library(n: int, seed: int = 1) -> list[LibraryTrack]:
    """``n`` library tracks: ~n/10 artists, ~n/12 albums, realistic title shapes."""
    rng = random.Random(seed)
    artists = [
        (rng.choice(SCRIPTS) + " " if rng.random() < 0.02 else "") + _name(rng, rng.randint(1, 3))
        for _ in range(max(1, n // 10))
    ]
    tracks: list[LibraryTrack] = []
    for i in range(n):
        artist = rng.choice(artists)
        title = _name(rng, rng.randint(1, 5)) + rng.choice(VERSIONS)
        if rng.random() < 0.05:
            title += f" (feat. {rng.choice(artists)})"
        tracks.append(
            LibraryTrack(
                id=str(i),
                title=title,
                artist=artist,
                album=_name(rng, rng.randint(1, 3)),
                duration_ms=rng.randint(90_000, 420_000),
                path=f"/music/{artist}/{i}.flac",
            )
        )
    return tracks


def synthetic_playlist(library: list[LibraryTrack], n: int, seed: int = 2) -> list[Track]:
    """Half owned (respelled as a streaming service would), half not in the library."""
    rng = random.Random(seed)
    playlist: list[Track] = []
    for i in range(n):
        if i % 2 == 0:
            owned = rng.choice(library)
            title = owned.title.lower() if rng.random() < 0.3 else owned.title
            playlist.append(
                Track(
                    title=title,
                    artists=(owned.artist,),
                    album=owned.album,
                    duration_ms=(owned.duration_ms or 0) + rng.randint(-1500, 1500),
                )
            )
        else:
            playlist.append(
                Track(
                    title=_name(rng, rng.randint(1, 4)),
                    artists=(_name(rng, 2),),
                    album=_name(rng, 2),
                    duration_ms=rng.randint(90_000, 420_000),
                )
            )
    return playlist


def synthetic_responses(
    want: Track, peers: int = 500, files: int = 10, seed: int = 3
) -> list[SearchResponse]:
    """``peers`` responses of ``files`` files: the wanted song among remixes, lives and neighbours.

    Peers differ in share roots and folder spellings, as real ones do, so
    relative paths repeat only partly across peers.
    """
    rng = random.Random(seed)
    artist, title, album = want.artists[0], want.title, want.album or "Album"
    roots = ("Music", "mp3", "shared", "Downloads\\complete", "D:\\Music", "Musik\\Electronic", "")
    albums = (
        "{a}\\{al}",
        "{a}\\{al} (2001)",
        "{a} - {al} (2001) [FLAC]",
        "{a} - 2001 - {al}",
        "{a}\\2001 - {al} [320]",
        "{al}",
    )
    names = (
        "{n:02d} {t}",
        "{n:02d}. {t}",
        "{n:02d} - {a} - {t}",
        "{a} - {t}",
        "{n:02d} - {t} (Live)",
        "{a} - {t} - Remix",
        "{a} - {t} (Official Audio) [320]",
        "{n:02d} {other}",
        "{a} - {t} (Karaoke Version)",
    )
    responses: list[SearchResponse] = []
    for p in range(peers):
        user = f"peer{p}"
        root = rng.choice(roots)
        folder = rng.choice(albums)
        free = rng.random() < 0.7
        speed = rng.randint(10_000, 8_000_000)
        queue = rng.randint(0, 50)
        peer_files = []
        for k in range(files):
            ext = rng.choice(("flac", "mp3", "mp3", "m4a"))
            name = rng.choice(names).format(a=artist, n=k + 1, t=title, other=_name(rng, 2))
            path = (
                "@@"
                + user
                + "\\"
                + (root + "\\" if root else "")
                + folder.format(a=artist, al=album)
            )
            peer_files.append(
                SoulseekFile(
                    username=user,
                    filename=f"{path}\\{name}.{ext}",
                    size=rng.randint(3_000_000, 40_000_000),
                    length=(want.duration_ms or 200_000) // 1000 + rng.randint(-4, 40),
                    bit_rate=None if ext == "flac" else rng.choice((128, 192, 256, 320)),
                    bit_depth=rng.choice((16, 24)) if ext == "flac" else None,
                    sample_rate=44100,
                    has_free_upload_slot=free,
                    upload_speed=speed,
                    queue_length=queue,
                )
            )
        responses.append(
            SearchResponse(
                username=user,
                files=tuple(peer_files),
                has_free_upload_slot=free,
                upload_speed=speed,
                queue_length=queue,
            )
        )
    return responses


def _rss_mb() -> float:
    # ru_maxrss is KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=200_000)
    parser.add_argument("--playlist", type=int, default=2_000)
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="call gc.freeze() after building the index, as a long-running app may",
    )
    args = parser.parse_args(argv)

    library = synthetic_library(args.tracks)
    playlist = synthetic_playlist(library, args.playlist)
    rss_before = _rss_mb()

    def timed(fn: Callable[[], T]) -> tuple[T, float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        value = fn()
        return value, time.perf_counter() - wall, time.process_time() - cpu

    index, build_s, build_cpu = timed(lambda: LibraryIndex(library))
    rss_index = _rss_mb()
    if args.gc_freeze:
        # Long-lived objects (the index, the library) out of the collector's
        # way: full collections otherwise rescan millions of them.
        gc.collect()
        gc.freeze()

    answers, check_s, check_cpu = timed(lambda: index.check_many(playlist))
    owned = sum(a.status is OwnedStatus.OWNED for a in answers[0::2])
    false_owned = sum(a.status is OwnedStatus.OWNED for a in answers[1::2])

    want = replace(
        playlist[0],
        title="Digital Love",
        artists=("Daft Punk",),
        album="Discovery",
        duration_ms=301_000,
    )
    responses = synthetic_responses(want)
    result, rank_s, rank_cpu = timed(lambda: rank_soulseek_files(want, responses))
    ranked = len(result.candidates) + len(result.rejected)
    # A second search over the same results (path preparations are cached).
    other = replace(want, duration_ms=298_000)
    _, again_s, again_cpu = timed(lambda: rank_soulseek_files(other, responses))

    rss_peak = _rss_mb()
    print(
        f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
        f"(wall and CPU times shown; gc.freeze after build: {args.gc_freeze})"
    )
    print(
        f"library index: {len(index)} tracks built in {build_s:.2f} s wall / {build_cpu:.2f} s CPU (target < 20 s)"
    )
    print(
        f"playlist check: {len(playlist)} tracks in {check_s:.2f} s wall / {check_cpu:.2f} s CPU "
        f"({len(playlist) / check_s:.0f} tracks/s; target < 2 s); "
        f"owned {owned}/{len(answers[0::2])} present, {false_owned}/{len(answers[1::2])} absent reported owned"
    )
    print(
        f"ranking: {ranked} files from {len(responses)} responses in {rank_s:.3f} s wall / {rank_cpu:.3f} s CPU "
        f"first search, {again_s:.3f} s wall / {again_cpu:.3f} s CPU for a second search "
        f"(target < 0.2 s); {len(result.candidates)} accepted"
    )
    print(
        f"memory: index {rss_index - rss_before:.0f} MB (target < 500 MB); "
        f"process peak RSS {rss_peak:.0f} MB (synthetic data included)"
    )
    index_mb = rss_index - rss_before
    results = [
        target(
            f"library index of {len(index):,} tracks", "< 20 s", f"{build_s:.2f} s", build_s < 20
        ),
        target(
            f"playlist check, {len(playlist):,} tracks", "< 2 s", f"{check_s:.2f} s", check_s < 2
        ),
        target(
            f"ranking {ranked:,} files, first search", "< 0.2 s", f"{rank_s:.3f} s", rank_s < 0.2
        ),
        target("library index memory", "< 500 MB", f"{index_mb:.0f} MB", index_mb < 500),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
