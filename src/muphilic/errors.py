"""The package's exception types.

Every error that muphilic raises on purpose derives from :class:`MuphilicError`
(itself a :class:`ValueError`), so a notebook can catch them all at once and the
command-line interface turns them into a one-line message and exit status 2.
"""

from __future__ import annotations

__all__ = ["MuphilicError"]


class MuphilicError(ValueError):
    """Base class of muphilic's errors: the input is outside what the package models."""
