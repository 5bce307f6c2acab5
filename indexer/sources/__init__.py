"""Crawl sources, one module per site behind :class:`indexer.sources.base.Source`."""

from indexer.sources.base import Source
from indexer.sources.file import FileSource
from indexer.sources.vsqi import VsqiSource

SOURCES = {"vsqi": VsqiSource, "file": FileSource}

__all__ = ["SOURCES", "FileSource", "Source", "VsqiSource"]
