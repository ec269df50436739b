from __future__ import annotations

from goodwill.data.importers.base import Source
from goodwill.data.importers.freshdesk import FreshdeskSource
from goodwill.data.importers.generic import CsvSource
from goodwill.data.importers.helpscout import HelpScoutSource
from goodwill.data.importers.zendesk import ZendeskSource

SOURCES: dict[str, type[Source]] = {
    "zendesk": ZendeskSource,
    "freshdesk": FreshdeskSource,
    "helpscout": HelpScoutSource,
    "csv": CsvSource,
}
