"""Figures the suites measure (examples run, calls per second, RSS, fds), printed at the end of the run."""

from __future__ import annotations

FIGURES: list[tuple[str, str]] = []


def record(suite: str, text: str) -> None:
    """Keep a figure for the terminal summary (shown with or without `-s`)."""
    FIGURES.append((suite, text))
