"""Title anatomy: a title split into its base and its version descriptors.

"Blinding Lights - Chromatics Remix", "Hey Jude (Remastered 2015)",
"Shallow (Live) [feat. Bradley Cooper]" and "22 (Taylor's Version)" all carry
words that say *which recording* this is. Fuzzy string scores barely notice
them (``token_set_ratio`` gives 100 for "Blinding Lights" against
"Blinding Lights (Live)"), so the engine pulls them out first and compares
them as a set of :class:`VersionTag` values.

Descriptors are found in brackets, in dash suffixes ("Song - Live at Wembley")
and in a few unambiguous trailing phrases ("Song Radio Edit"). Every keyword
is matched on word boundaries: "Discover" holds no "cover", "Single Ladies"
holds no "single", "Let Me Live" is not a live recording.

Unknown bracket contents ("(I Can't Get No) Satisfaction", "Single Ladies
(Put a Ring on It)") are kept as ``extras``: the scorer compares titles both
with and without them.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from functools import lru_cache

from soulsync.matching.normalize import ascii_key, forms

__all__ = [
    "TitleAnatomy",
    "VersionKind",
    "VersionTag",
    "album_context",
    "parse_title",
    "versions_in_text",
    "weak_album_context",
]


class VersionKind(enum.StrEnum):
    """Which kind of recording a descriptor marks."""

    REMIX = "remix"
    EDIT = "edit"
    EXTENDED = "extended"
    LIVE = "live"
    ACOUSTIC = "acoustic"
    INSTRUMENTAL = "instrumental"
    ACAPPELLA = "a cappella"
    DEMO = "demo"
    REMASTER = "remaster"
    MONO = "mono"
    STEREO = "stereo"
    CLEAN = "clean"
    EXPLICIT = "explicit"
    COVER = "cover"
    KARAOKE = "karaoke"
    SPED_UP = "sped up"
    SLOWED = "slowed"
    RERECORDED = "re-recorded"
    REPRISE = "reprise"
    ALTERNATE = "alternate version"
    # Another language or region's recording ("-Japanese ver.-", "(Versión en Español)").
    LANGUAGE = "language version"
    # A re-processed upload of the original: 8D, bass boosted, 432 Hz.
    PROCESSED = "processed upload"
    # A bare year after the title ("Song (2012)"): the release year, or a
    # re-recording's. Neutral here; the scorer decides with the wanted
    # release's year and the duration.
    DATED = "dated"
    # A fan-made edit or video is not the released recording (video-site uploads
    # label them in the title).
    FAN_MADE = "fan-made"


@dataclass(frozen=True, slots=True)
class VersionTag:
    """One version descriptor, with its detail (remixer, venue/year, remaster year)."""

    kind: VersionKind
    detail: str = ""

    def describe(self) -> str:
        """Human wording, e.g. "remix (chromatics)"."""
        return f"{self.kind.value} ({self.detail})" if self.detail else self.kind.value


@dataclass(frozen=True, slots=True)
class TitleAnatomy:
    """A parsed title. ``base`` is the display text without descriptors."""

    original: str
    base: str
    versions: tuple[VersionTag, ...] = ()
    featured: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    # Derived once (hot in scoring loops); not compared.
    kinds: frozenset[VersionKind] = field(
        default=frozenset(), init=False, compare=False, repr=False
    )
    _hash: int = field(default=0, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.versions:
            object.__setattr__(self, "kinds", frozenset(v.kind for v in self.versions))
        key = (self.original, self.base, self.versions, self.featured, self.extras)
        object.__setattr__(self, "_hash", hash(key))

    def __hash__(self) -> int:
        # Cached: anatomies are dictionary keys of several caches.
        return self._hash

    @property
    def base_forms(self) -> tuple[str, ...]:
        """Comparison keys of the base title (ASCII and original script)."""
        return forms(self.base)

    @property
    def full_forms(self) -> tuple[str, ...]:
        """Comparison keys of the base title with unknown bracket contents kept."""
        if not self.extras:
            return self.base_forms
        return forms(" ".join((*self.extras, self.base)))

    def detail_of(self, kind: VersionKind) -> str:
        """The detail of the first descriptor of ``kind`` ("" if none)."""
        for tag in self.versions:
            if tag.kind is kind:
                return tag.detail
        return ""


# --- descriptor classification -------------------------------------------------

_FEAT_RE = re.compile(r"^(?:feat|ft|featuring|with|w)\b\s*(?P<names>.+)$")
_FEAT_ANYWHERE_RE = re.compile(r"\b(?:feat|ft|featuring)\b\s+(?P<names>.+)$")
_PART_RE = re.compile(r"^(?:part|volume|chapter|act|number|opus|book)\s+\w+$")
_YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
_YEAR_ONLY_RE = re.compile(r"(?:19|20)\d{2}")

# Brackets that say nothing about the recording: packaging, upload noise,
# provenance. Matched against the whole ASCII key of the bracket content.
_NOISE_RE = re.compile(
    r"^(?:"
    r"official(?: music| lyric| hd| hq)?(?: audio| video| visualizer| clip| version)?"
    r"|(?:hd|hq|4k|1080p|720p)(?: audio| video)?|audio|video|music video|lyrics?(?: video)?"
    r"|visuali[sz]er|clip officiel|videoclip|explicit video"
    r"|(?:from|taken from|as heard in|theme from|soundtrack|ost)\b.*"
    r"|.*\b(?:soundtrack|motion picture|original score|from the .*)$"
    r"|prod\b.*|produced by .*|bonus(?: track)?|hidden track|digital bonus track"
    r"|(?:album|single|original|lp|main|standard|studio|radio)(?: version| mix| edit)?"
    r"|original mix|original version|album edit|single edit version"
    r"|(?:deluxe|expanded|special|anniversary|collectors?|limited)(?: edition| version)?"
    r"|\d{2,4} ?k(?:bps)?|\d{3} ?kbps|320|256|192|128|v0|v2|flac|mp3|m4a|aac|alac|wav|web|cd|cdq|vinyl"
    r"|\d{2} ?bit(?: \d+(?: \d)?(?: ?khz)?)?|24 ?\d{2,3}|16 ?44|hi ?res|lossless"
    r"|(?:19|20)\d{2}|free download|out now|new|premiere|full song|full version"
    r")$"
)

_NEUTRAL_VERSION_WORDS = frozenset(
    {
        "album",
        "single",
        "original",
        "lp",
        "main",
        "standard",
        "studio",
        "the",
        "a",
        "uk",
        "us",
        "7",
        "12",
        "inch",
    }
)

_REMIX_WORDS = (
    r"remix|rmx|mix|dub|vip|bootleg|rework|reedit|re edit|flip|mashup|refix|remake|version"
)


# Language and region versions. K-pop and J-pop acts release Japanese,
# Korean, Chinese and English recordings of one song; Latin and Italian
# singers release Spanish or English ones. The word "version"/"ver" must be
# there ("Japanese" alone may be a title word), or the Spanish phrasing.
_LANGUAGES = {
    "jp": "japanese", "japan": "japanese", "jpn": "japanese", "kr": "korean", "kor": "korean",
    "cn": "chinese", "mandarin": "chinese", "eng": "english", "en": "english", "espanol": "spanish",
    "spanish": "spanish", "english": "english", "japanese": "japanese", "korean": "korean",
    "chinese": "chinese", "cantonese": "cantonese", "french": "french", "francais": "french",
    "italian": "italian", "italiano": "italian", "german": "german", "deutsch": "german",
    "portuguese": "portuguese", "russian": "russian", "thai": "thai", "ingles": "english",
}  # fmt: skip
_LANG_WORDS = "|".join(sorted(_LANGUAGES, key=len, reverse=True))
_LANGUAGE_RE = re.compile(
    rf"\b(?P<lang>{_LANG_WORDS}) (?:ver|vers|version|versions)\b"
    rf"|\bversion (?:en |in )?(?P<lang2>espanol|ingles|english|spanish|italiano|francais)\b"
)
# Re-processed uploads of the original master: never the original.
_PROCESSED_PATTERN = (
    r"\b(?:8 ?d(?: audio| version| mix| sound)?|16 ?d audio|bass ?boost(?:ed)?|boosted bass"
    r"|432 ?hz|528 ?hz|in 432|hz tuning|earrape)\b"
)


def _remaster_tag(key: str) -> VersionTag:
    year = _YEAR_RE.search(key)
    return VersionTag(VersionKind.REMASTER, year.group(0) if year else "")


def _strip_words(key: str, pattern: str) -> str:
    """The key with the keyword(s) and filler words removed: the remixer name."""
    rest = re.sub(rf"\b(?:{pattern})\b", " ", key)
    rest = re.sub(r"\b(?:by|official|remixed|mixed|private|unreleased|exclusive)\b", " ", rest)
    return " ".join(rest.split())


@lru_cache(maxsize=8192)
def _classify(content: str) -> tuple[tuple[VersionTag, ...], tuple[str, ...], str]:
    tags, feats, role = _classify_uncached(content)
    return tuple(tags), tuple(feats), role


def classify(content: str) -> tuple[list[VersionTag], list[str], str]:
    """Classify one descriptor (bracket content or dash suffix).

    Returns ``(versions, featured_names, role)`` where role is "version",
    "feat", "noise", "part" or "unknown".
    """
    tags, feats, role = _classify(content)
    return list(tags), list(feats), role


def _classify_uncached(content: str) -> tuple[list[VersionTag], list[str], str]:
    """Uncached body of :func:`classify`."""
    key = ascii_key(content)
    if not key:
        return [], [], "noise"
    feat = _FEAT_RE.match(key)
    if feat and not re.search(rf"\b(?:{_REMIX_WORDS})\b", key):
        # Keep the original spelling of the featured names for display.
        raw = re.sub(r"^\s*(?:feat\.?|ft\.?|featuring|with|w/)\s*", "", content.strip(), flags=re.I)
        return [], [raw.strip()], "feat"
    if _PART_RE.match(key):
        return [], [], "part"
    if _YEAR_ONLY_RE.fullmatch(key):
        return [VersionTag(VersionKind.DATED, key)], [], "version"
    tags = versions_in_text(key, bracketed=True)
    featured: list[str] = []
    inner_feat = _FEAT_ANYWHERE_RE.search(key)
    if inner_feat and tags:
        featured.append(inner_feat.group("names"))
    if tags:
        return tags, featured, "version"
    if _NOISE_RE.match(key):
        return [], [], "noise"
    return [], [], "unknown"


def versions_in_text(key: str, *, bracketed: bool = False) -> list[VersionTag]:
    """Version descriptors found in an ASCII key, on word boundaries.

    With ``bracketed`` False (free text such as a folder name) only phrases
    that cannot be ordinary title words are recognised ("live at ...",
    "remastered", "karaoke"), because "Let Me Live" or "Mix Tape" are titles.
    """
    return list(_versions_in_text(key, bracketed))


_compiled = lru_cache(maxsize=256)(re.compile)


@lru_cache(maxsize=8192)
def _versions_in_text(key: str, bracketed: bool) -> tuple[VersionTag, ...]:
    tags: list[VersionTag] = []
    has = lambda pattern: _compiled(pattern).search(key) is not None  # noqa: E731

    if has(
        r"\b(?:taylors version|from the vault|re ?record(?:ed|ing|s)?|rerecorded|new recording)\b"
        r"|^(?:new version|new stereo recording|\d{4} version|(?:19|20)\d{2} re ?recording)$"
    ):
        tags.append(VersionTag(VersionKind.RERECORDED))
    language = _LANGUAGE_RE.search(key)
    if language:
        word = language.group("lang") or language.group("lang2") or ""
        tags.append(VersionTag(VersionKind.LANGUAGE, _LANGUAGES.get(word, word)))
    if has(_PROCESSED_PATTERN):
        tags.append(VersionTag(VersionKind.PROCESSED))
    if has(r"\bkaraoke\b|\bin the style of\b|\bmade famous by\b|\boriginally performed by\b"):
        tags.append(VersionTag(VersionKind.KARAOKE))
    if has(r"\b(?:cover|covered by|tribute)\b"):
        tags.append(VersionTag(VersionKind.COVER))
    if has(r"\b(?:sped up|speed up|spedup|nightcore|\d+ faster)\b"):
        tags.append(VersionTag(VersionKind.SPED_UP))
    if has(r"\b(?:slowed|reverb|reverbed|chopped|screwed|daycore)\b"):
        tags.append(VersionTag(VersionKind.SLOWED))
    if has(r"\bfan ?(?:made|edit|version|mix)\b|\bunofficial (?:video|edit|version)\b"):
        tags.append(VersionTag(VersionKind.FAN_MADE))
    if has(r"\b(?:a ?cappella|acapella|acappella|vocals only|vocal only)\b"):
        tags.append(VersionTag(VersionKind.ACAPPELLA))
    if has(r"\b(?:instrumental|inst|off vocal|no vocals?)\b"):
        tags.append(VersionTag(VersionKind.INSTRUMENTAL))
    if has(r"\b(?:acoustic|unplugged|stripped)\b"):
        tags.append(VersionTag(VersionKind.ACOUSTIC))
    # "Live" opens or closes the descriptor ("Live", "Live 1986", "2011 Live",
    # "Live Acoustic") but "Live and Let Die" or "Live Forever" are titles.
    live = re.search(
        r"^live(?P<rest>(?: (?:19|20)\d{2}| acoustic| edit| mix| take \d+| version| recording| session| remaster(?:ed)?)*)$"
        r"|^(?:[\w ]+ )?live$",
        key,
    )
    live_phrase = has(
        r"\b(?:en vivo|ao vivo|en directo|unplugged|in concert|bbc sessions?|peel sessions?)\b"
    )
    where = re.search(
        r"\blive (?:at|in|from|on|version|recording|sessions?)\b\s*(?P<where>.*)$", key
    )
    if where or live_phrase or (live and bracketed):
        detail = where.group("where") if where else ((live.group("rest") or "") if live else "")
        detail = re.sub(
            r"\b(?:acoustic|edit|mix|version|recording|session|remaster(?:ed)?)\b", " ", detail
        )
        tags.append(VersionTag(VersionKind.LIVE, detail.strip()))
    if has(
        r"\bdemo\b|\bearly (?:version|take|demo)\b|\brough mix\b|\bwork(?:ing)? tape\b|\btake \d+\b|\bouttake\b"
    ):
        tags.append(VersionTag(VersionKind.DEMO))
    if has(r"\b(?:reprise|interlude|intro|outro|skit)\b") and bracketed:
        tags.append(VersionTag(VersionKind.REPRISE))
    if has(r"\bre ?master(?:ed)?\b|\bremastering\b"):
        tags.append(_remaster_tag(key))
    if has(r"\bmono\b"):
        tags.append(VersionTag(VersionKind.MONO))
    if has(r"\bstereo\b") and not has(r"\bmono\b"):
        tags.append(VersionTag(VersionKind.STEREO))
    if bracketed and re.fullmatch(r"(?:clean|clean version|censored|radio clean|edited)", key):
        tags.append(VersionTag(VersionKind.CLEAN))
    if bracketed and re.fullmatch(
        r"(?:explicit|explicit version|dirty|uncensored|explicit edit)", key
    ):
        tags.append(VersionTag(VersionKind.EXPLICIT))
    if has(
        r"\b(?:radio|single|short|7|clean) edit\b|\bradio (?:version|mix)\b|^edit$|\bedit version\b"
    ):
        tags.append(VersionTag(VersionKind.EDIT))
    elif bracketed and has(r"\bedit\b") and not tags:
        tags.append(VersionTag(VersionKind.EDIT, _strip_words(key, "edit")))
    if has(
        r"\bextended\b|\bclub (?:mix|version)\b|\b12 (?:inch )?(?:mix|version)\b|\blong version\b|\bfull length\b|\bdance mix\b"
    ):
        tags.append(VersionTag(VersionKind.EXTENDED))

    taken = {t.kind for t in tags}
    # "Remix": needs the word itself, or a "<name> mix/dub/vip/bootleg" in
    # brackets. A year-only "(2009 Mix)" / "- 2015 Remix" is a new mixdown of
    # the same recording, which listeners treat like a remaster.
    remix_word = has(
        r"\b(?:remix|rmx|remixed|bootleg|rework|reedit|re edit|flip|mashup|refix|vip)\b"
    )
    mix_word = bracketed and has(r"\b(?:mix|dub)\b")
    if (remix_word or mix_word) and not taken & {VersionKind.EXTENDED, VersionKind.EDIT}:
        detail = _strip_words(key, _REMIX_WORDS)
        if mix_word and not remix_word and (_YEAR_RE.fullmatch(detail) or "stereo" in detail):
            # "(2019 Mix)", "(2009 Stereo Mix)": a new mixdown of the same
            # recording; a different-sounding master, not a remix.
            tags.append(VersionTag(VersionKind.ALTERNATE, f"{detail} mix"))
        elif not (
            mix_word and not remix_word and detail in {"", "original", "album", "radio", "main"}
        ):
            tags.append(VersionTag(VersionKind.REMIX, detail))
    # The version word closes the descriptor ("Piano Version", "Take 2",
    # "Dub Mix"); "Take My Breath Away" after a dash is a title.
    if bracketed and not tags and has(r"\b(?:version|versione|mix)$|^take \d+$|\btake \d+$"):
        words = [w for w in key.split() if w not in {"version", "take", "mix"}]
        if words and not set(words) <= _NEUTRAL_VERSION_WORDS:
            tags.append(VersionTag(VersionKind.ALTERNATE, " ".join(words)))
    return tuple(tags)


# --- splitting a title ------------------------------------------------------------

_BRACKET_RE = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]|\{([^{}]*)\}|<([^<>]*)>")
_DASH_SPLIT_RE = re.compile(r"\s+[-–—~|]\s+|\s+[-–—]|[-–—]\s+")
# "Song feat. A & B" at the very end; "A ft. B - Song" (a credit before a
# dash) is not a featured part of the title.
_BARE_FEAT_RE = re.compile(
    r"\s+(?:feat\.?|ft\.|ft|featuring)\s+(?P<names>[^-–—(\[]+)$", re.IGNORECASE
)
# Trailing unbracketed phrases that are never the end of a real title.
_BARE_TRAILING_RE = re.compile(
    r"\s+(?P<phrase>radio edit|extended mix|extended version|original mix|club mix"
    r"|remix|rmx|acoustic version|live version|instrumental version|instrumental"
    r"|a ?cappella|acapella|sped up|slowed(?: (?:and|\+|&) reverb(?:ed)?)?|nightcore"
    r"|karaoke(?: version)?|(?:\d{4} )?remaster(?:ed)?(?: \d{4})?(?: version)?"
    r"|taylor'?s version|live at [\w .']+|8d audio|bass boosted|daycore|\d{3} ?hz)$",
    re.IGNORECASE,
)


# "Home Sweet Home '91" but not "Summer of '69" or "Class of '99".
_APOSTROPHE_YEAR_RE = re.compile(
    r"(?<!\bof)(?<!\bin)(?<!\bsince)(?<!\bfrom)(?<!\bclass)(?<!\bsummer)(?<!\bback)"
    r"\s+['’‘](?P<year>\d\d)$",
    re.IGNORECASE,
)

_NEEDS_PARSE_RE = re.compile(
    r"[(\[{<\-–—~|]|\b(?:feat|ft|featuring|remix|rmx|edit|mix|version|instrumental|cappella"
    r"|acapella|sped|slowed|nightcore|daycore|karaoke|remaster|remastered|live|taylor'?s"
    r"|8d|boosted|\d{3} ?hz|ver)\b|'\d\d$",
    re.IGNORECASE,
)


@lru_cache(maxsize=32768)
def parse_title(title: str) -> TitleAnatomy:
    """Split ``title`` into base title, version descriptors, features and extras.

    >>> parse_title("Blinding Lights - Chromatics Remix").versions
    (VersionTag(kind=<VersionKind.REMIX: 'remix'>, detail='chromatics'),)
    """
    text = " ".join(title.split())
    if not _NEEDS_PARSE_RE.search(text):
        # Most titles carry no brackets, dashes, features or version words.
        return TitleAnatomy(original=title, base=text.strip(" ,.") or title.strip())
    versions: list[VersionTag] = []
    featured: list[str] = []
    extras: list[str] = []

    def take(content: str) -> bool:
        """Classify one descriptor; True if it was consumed (not part of the base)."""
        tags, feats, role = classify(content)
        versions.extend(tags)
        featured.extend(feats)
        if role == "unknown":
            extras.append(content.strip())
        return role != "part"

    # Brackets, innermost first; a "part" bracket stays in the base.
    def bracket(match: re.Match[str]) -> str:
        content = next(g for g in match.groups() if g is not None)
        return " " if take(content) else f" {content} "

    previous = None
    while previous != text:
        previous = text
        text = _BRACKET_RE.sub(bracket, text, count=1)
    text = " ".join(text.split())

    # Dash suffixes, from the end, while they classify as descriptors.
    parts = _DASH_SPLIT_RE.split(text)
    while len(parts) > 1:
        tags, feats, role = classify(parts[-1])
        if role in ("version", "feat", "noise"):
            versions.extend(tags)
            featured.extend(feats)
            parts.pop()
        else:
            break
    text = " - ".join(p.strip() for p in parts if p.strip())

    bare_feat = _BARE_FEAT_RE.search(text)
    if bare_feat:
        featured.append(bare_feat.group("names").strip())
        text = text[: bare_feat.start()]
    dated = _APOSTROPHE_YEAR_RE.search(text)
    if dated and dated.start() > 0:
        # "Home Sweet Home '91", "Smalltown Boy '91": a new recording or mix
        # of an old hit, named by its year.
        versions.append(VersionTag(VersionKind.RERECORDED, dated.group("year")))
        text = text[: dated.start()]
    bare = _BARE_TRAILING_RE.search(text)
    if bare and bare.start() > 0:
        tags = versions_in_text(ascii_key(bare.group("phrase")), bracketed=True)
        if tags:
            versions.extend(tags)
            text = text[: bare.start()]

    base = text.strip(" -–—~|,.") or title.strip()
    unique: list[VersionTag] = []
    for tag in versions:
        if tag not in unique:
            unique.append(tag)
    return TitleAnatomy(
        original=title,
        base=base,
        versions=tuple(unique),
        featured=tuple(featured),
        extras=tuple(extras),
    )


# Album or folder words that put every track inside into one version.
_CONTEXT_KINDS = frozenset(
    {
        VersionKind.LIVE,
        VersionKind.KARAOKE,
        VersionKind.COVER,
        VersionKind.INSTRUMENTAL,
        VersionKind.ACAPPELLA,
        VersionKind.REMIX,
        VersionKind.SPED_UP,
        VersionKind.SLOWED,
        VersionKind.ACOUSTIC,
        VersionKind.DEMO,
    }
)
_PLURALS = (
    (re.compile(r"\b(?:remixes|remixed|the remixes|mixes)\b"), VersionKind.REMIX),
    (re.compile(r"\b(?:instrumentals|instrumental versions)\b"), VersionKind.INSTRUMENTAL),
    (re.compile(r"\b(?:acapellas|a cappellas|acappellas)\b"), VersionKind.ACAPPELLA),
    (re.compile(r"\b(?:covers|tribute to|a tribute|tribute album)\b"), VersionKind.COVER),
    (re.compile(r"\b(?:demos)\b"), VersionKind.DEMO),
)


@lru_cache(maxsize=4096)
def album_context(album: str) -> frozenset[VersionKind]:
    """Version kinds implied by an album or folder name for all its tracks.

    "MTV Unplugged in New York" -> live + acoustic, "Live at Leeds" -> live,
    "Karaoke Hits Vol. 3" -> karaoke, "After Hours (Remixes)" -> remix.
    "Live Through This" stays a studio album.
    """
    anatomy = parse_title(album)
    key = ascii_key(album)
    kinds = set(anatomy.kinds) | {t.kind for t in versions_in_text(key)}
    # Live albums are often just "Live <something>" (Live Killers, Live Rust,
    # Live After Death). "Live Through This" is the price: it is treated as
    # live unless the wanted album is that album too.
    kinds |= weak_album_context(album)
    for pattern, kind in _PLURALS:
        if pattern.search(key):
            kinds.add(kind)
    return frozenset(kinds & _CONTEXT_KINDS)


@lru_cache(maxsize=4096)
def weak_album_context(album: str) -> frozenset[VersionKind]:
    """The part of :func:`album_context` that rests on a guess ("Live ...", "Stripped").

    "Live Killers" and "Live Rust" are live albums, "Live Through This" is a
    studio album and "Live" is a band. Callers let this guess count only
    where nothing contradicts it: the wanted album's guess never excuses a
    candidate's own "(Live)" marker unless the candidate sits in that very
    album, and a band named "Live" does not make its own folders live.
    """
    key = ascii_key(album)
    if key == "stripped" or key.startswith("stripped "):
        # Christina Aguilera's "Stripped" is a studio album; the Stones' is not.
        return frozenset({VersionKind.ACOUSTIC})
    if not (key.startswith("live ") or key == "live"):
        return frozenset()
    strong = {t.kind for t in versions_in_text(key)} | set(parse_title(album).kinds)
    return frozenset() if VersionKind.LIVE in strong else frozenset({VersionKind.LIVE})
