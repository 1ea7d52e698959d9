"""The errors a user can cause, each ending in one clear line and a non-zero exit."""

from __future__ import annotations


class AnalyzerError(Exception):
    """Base of every error this tool reports to its user as one line."""


class InputError(AnalyzerError):
    """A path, option or configuration that cannot be used as given."""


class ArchiveError(AnalyzerError):
    """A deployment package or layer archive that is unsafe, corrupt or too large."""


class FetchError(AnalyzerError):
    """A function, layer or download that could not be obtained from AWS."""


class PackageIndexError(AnalyzerError):
    """A package index that could not be reached or answered something unusable."""
