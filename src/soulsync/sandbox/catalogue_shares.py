"""Who shares what on the sandbox's Soulseek network: the peers and their files.

Realistic, messy remote paths (``NN. Title.flac`` under ``Artist\\Year -
Album [FLAC]``, scene names with underscores, ``(Official Audio)`` rips, a
favourites folder spanning artists, ``CD1``/``CD2`` folders), with the
attributes peers report (bitrate, sample rate, bit depth, length that may be
missing or off by a second or two) and a few traps: a live recording shared
under the studio title, locked files, peers that stall, fail or go offline.
"""

from __future__ import annotations

import re

from soulsync.sandbox import catalogue_data as data
from soulsync.sandbox.catalogue_model import (
    AudioSpec,
    CatAlbum,
    CatArtist,
    CatTrack,
    Peer,
    SharedFile,
    stable_digest,
)

PEERS: tuple[Peer, ...] = (
    Peer("flacfan", 4_000_000, True, 0),
    Peer("hires_hoarder", 1_500_000, True, 2),
    Peer("mp3hoarder", 800_000, True, 5),
    Peer("scene_ripper", 2_500_000, False, 12),
    Peer("yt_ripper", 300_000, True, 0),
    Peer("favs_collector", 1_000_000, True, 1),
    Peer("slowpoke", 20_000, False, 40, behaviour="slow"),
    Peer("staller", 3_000_000, True, 0, behaviour="stall"),
    Peer("flaky", 3_000_000, True, 0, behaviour="fail"),
    Peer("ghost", 5_000_000, True, 0, behaviour="offline"),
)


def _underscored(text: str) -> str:
    from anyascii import anyascii

    return re.sub(r"[^A-Za-z0-9]+", "_", anyascii(text)).strip("_")


def build_shares(
    artists: dict[str, CatArtist], albums: dict[str, CatAlbum], tracks: dict[str, CatTrack]
) -> tuple[SharedFile, ...]:
    """Every shared file of every peer, in a stable order."""
    shares: list[SharedFile] = []
    unshared = set(data.UNSHARED)

    def freq(tkey: str) -> int:
        return 220 + int.from_bytes(stable_digest("freq", tkey)[:2], "big") % 660

    def add(
        user: str,
        path: str,
        track: CatTrack,
        fmt: str,
        *,
        bit_rate: int | None = None,
        bit_depth: int | None = None,
        sample_rate: int | None = 44100,
        vbr: bool | None = None,
        length_delta_s: int | None = 0,
        actual_ms: int | None = None,
        tagged: bool = False,
        locked: bool = False,
    ) -> None:
        album = albums[track.album_key]
        duration = actual_ms if actual_ms is not None else track.duration_ms
        spec = AudioSpec(
            fmt=fmt,
            duration_ms=duration,
            frequency=freq(track.key),
            bit_depth=bit_depth if fmt == "flac" else None,
            sample_rate=sample_rate or 44100,
            title=track.title if tagged else None,
            artist=", ".join(artists[k].name for k in track.artist_keys) if tagged else None,
            album=album.title if tagged else None,
        )
        length = None if length_delta_s is None else round(duration / 1000) + length_delta_s
        shares.append(
            SharedFile(
                username=user,
                filename=path,
                track_key=track.key,
                audio=spec,
                bit_rate=bit_rate,
                sample_rate=sample_rate,
                bit_depth=bit_depth,
                is_variable_bit_rate=vbr,
                length=length,
                locked=locked,
            )
        )

    album_list = list(albums.values())
    for index, album in enumerate(album_list):
        artist = artists[album.artist_keys[0]].name
        year = album.year
        multi = album.total_discs > 1
        for tkey in album.track_keys:
            if tkey in unshared:
                continue
            t = tracks[tkey]
            nn = f"{t.track_number:02d}"
            credited = ", ".join(artists[k].name for k in t.artist_keys)
            disc_dir = f"CD{t.disc_number}\\" if multi else ""
            if album.album_type == "compilation":
                add(
                    "mp3hoarder",
                    f"@@mp3h\\mp3\\VA - {album.title} ({year})\\{nn} - {credited} - {t.title}.mp3",
                    t,
                    "mp3",
                    bit_rate=320,
                    length_delta_s=0,
                )
                add(
                    "slowpoke",
                    f"@@slow\\music\\Compilations\\{album.title}\\{nn} {credited} - {t.title}.flac",
                    t,
                    "flac",
                    bit_depth=16,
                )
                continue
            # Everyone's fallback: slow, but has (nearly) everything.
            add(
                "slowpoke",
                f"@@slow\\music\\{artist}\\{album.title}\\{disc_dir}{nn} {t.title}.flac",
                t,
                "flac",
                bit_depth=16,
                length_delta_s=None if index % 4 == 0 else 0,
            )
            if index % 2 == 0:
                add(
                    "flacfan",
                    f"@@flacfan\\Music\\{artist}\\{year} - {album.title} [FLAC]\\{disc_dir}{nn}. {t.title}.flac",
                    t,
                    "flac",
                    bit_depth=16,
                    tagged=True,
                )
            if index % 2 == 1 or album.album_type == "single":
                add(
                    "mp3hoarder",
                    f"@@mp3h\\mp3\\{artist} - {album.title} ({year}) [320]\\{artist} - {nn} - {t.title}.mp3",
                    t,
                    "mp3",
                    bit_rate=320,
                    length_delta_s=1,
                )
            if index % 3 == 0:
                low_artist = _underscored(credited).lower()
                add(
                    "scene_ripper",
                    f"@@scene\\incoming\\{_underscored(artist)}-{_underscored(album.title)}-{year}-FTD\\"
                    f"{t.disc_number if multi else ''}{nn}-{low_artist}-{_underscored(t.title).lower()}.mp3",
                    t,
                    "mp3",
                    bit_rate=245,
                    vbr=True,
                    length_delta_s=None,
                )
            if album.album_type == "single" or index % 5 == 1:
                add(
                    "yt_ripper",
                    f"@@ytr\\Downloads\\{credited} - {t.title} (Official Audio).mp3",
                    t,
                    "mp3",
                    bit_rate=256,
                    length_delta_s=2,
                )
            if album.key in {"discovery", "after-hours", "the-wall", "rumours"}:
                add(
                    "hires_hoarder",
                    f"@@hires\\Lossless\\{artist} - {album.title} ({year}) [24-96 FLAC]\\"
                    f"{disc_dir}{nn} - {artist} - {t.title}.flac",
                    t,
                    "flac",
                    bit_depth=24,
                    sample_rate=96000,
                    locked=album.key == "rumours",
                )
            if album.key == "discovery":
                add(
                    "staller",
                    f"@@stall\\Music\\{artist}\\{album.title}\\{nn} - {t.title}.flac",
                    t,
                    "flac",
                    bit_depth=16,
                )
            if album.key == "after-hours":
                add(
                    "flaky",
                    f"@@flaky\\share\\{artist}\\{album.title}\\{nn} {t.title}.flac",
                    t,
                    "flac",
                    bit_depth=16,
                )
            if album.key == "igor":
                add(
                    "ghost",
                    f"@@ghost\\Music\\{artist} - {album.title}\\{nn} - {t.title}.flac",
                    t,
                    "flac",
                    bit_depth=16,
                )

    # A favourites folder spanning artists, with one trap: a "studio" name on
    # what is really the live recording (its length gives it away).
    favourites = [
        ("discovery/One More Time", None),
        ("after-hours/Blinding Lights", None),
        ("25/Hello", None),
        ("bridge/The Boxer", None),
        ("abbey-road/Come Together", None),
        ("opera/Bohemian Rhapsody", tracks["live-killers/Bohemian Rhapsody - Live"].duration_ms),
        ("true/Wake Me Up", None),
        ("sasha-fierce/Single Ladies (Put a Ring on It)", None),
    ]
    for tkey, actual in favourites:
        t = tracks[tkey]
        credited = " & ".join(artists[k].name for k in t.artist_keys)
        add(
            "favs_collector",
            f"@@favs\\Shared\\My Favourites\\{credited} - {t.title}.mp3",
            t,
            "mp3",
            bit_rate=320,
            actual_ms=actual,
            length_delta_s=0,
        )
    return tuple(shares)
