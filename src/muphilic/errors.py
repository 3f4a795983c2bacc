"""The package's exception types.

Every error that muphilic raises on purpose derives from :class:`MuphilicError`
(itself a :class:`ValueError`), so a notebook can catch them all at once and the
command-line interface turns them into a one-line message and exit status 2.
"""

from __future__ import annotations

import reprlib

__all__ = ["MuphilicError", "shown"]


class MuphilicError(ValueError):
    """Base class of muphilic's errors: the input is outside what the package models."""


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict = 3, 6, 6
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = 60


def shown(value: object) -> str:
    """``repr(value)`` cut short for an error message: a few items, three levels deep.

    A value read from a hostile file may be a list of a million items or nested
    thousands deep; the message must stay one short line either way.
    """
    return _SHORT.repr(value)
