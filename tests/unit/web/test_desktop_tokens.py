"""One-time desktop login tokens: once, before they expire, only the ones minted here."""

from __future__ import annotations

from soulsync.web.desktop_tokens import DesktopTokens


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_works_once() -> None:
    tokens = DesktopTokens()
    token = tokens.mint()
    assert tokens.consume(token) is True
    assert tokens.consume(token) is False
    assert tokens.pending() == 0


def test_an_expired_token_is_refused_and_forgotten() -> None:
    clock = Clock()
    tokens = DesktopTokens(ttl_s=60, clock=clock)
    early, late = tokens.mint(), tokens.mint()
    clock.now += 59.9
    assert tokens.consume(early) is True
    clock.now += 0.2
    assert tokens.consume(late) is False
    assert tokens.pending() == 0


def test_wrong_empty_or_huge_tokens_are_refused_and_spend_nothing() -> None:
    tokens = DesktopTokens()
    token = tokens.mint()
    for wrong in ("", token[:-1], token + "x", token.upper(), "x" * 10_000, "\udcff"):
        assert tokens.consume(wrong) is False
    assert tokens.consume(token) is True


def test_tokens_are_random_and_only_digests_are_kept() -> None:
    tokens = DesktopTokens()
    minted = {tokens.mint() for _ in range(50)}
    assert len(minted) == 50
    assert all(len(t) >= 43 for t in minted)  # 32 random bytes, base64url
    kept = repr(vars(tokens))
    assert not any(t in kept for t in minted)


def test_another_process_tokens_are_not_accepted() -> None:
    minted_elsewhere = DesktopTokens().mint()
    assert DesktopTokens().consume(minted_elsewhere) is False
