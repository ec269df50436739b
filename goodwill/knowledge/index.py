"""The articles' own full-text index, ranked best match first.

SQLite: an FTS5 table holding each article's title and plain text (rowid = article id),
written by the services whenever an article is saved; `rebuild_article_index` refills it
after bulk loads. PostgreSQL: a stored generated `search_vector` column on the article
table (title weighted above body) with a GIN index, kept current by the database.

Queries use the search box language of `goodwill.search.query` (all words, "phrases",
-excluded). Suggestions while a customer types use any of the typed words instead, as
a sentence rarely has every word in one article.
"""

# SQL here is assembled from constants and %s placeholders only; user input is always a parameter.
# ruff: noqa: S608

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from goodwill.search.query import ParsedQuery, parse_query

FTS_TABLE = "knowledge_article_fts"
SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "title, body, tokenize='unicode61 remove_diacritics 2')"
)
PG_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(folded_title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(folded_body, '')), 'B')"
)
PG_CREATE = [
    f"ALTER TABLE knowledge_article ADD COLUMN IF NOT EXISTS search_vector tsvector "
    f"GENERATED ALWAYS AS ({PG_VECTOR}) STORED",
    "CREATE INDEX IF NOT EXISTS knowledge_article_tsv ON knowledge_article USING gin (search_vector)",
]
MAX_SUGGEST_WORDS = 16
_STOPWORDS_TEXT = """
a an and are as at be but by can could did do does for from had has have hello hi how i if in is it
its i'm me my no not of on or our please so that the their them then there this to was we what
when where which who why will with would you your thanks thank dear regards yes
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_MARKDOWN_NOISE = re.compile(r"[#>*_`~\[\]()|]+")
_COMBINING = re.compile(r"[\u0300-\u036f]")


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(SQLITE_CREATE)
        elif connection.vendor == "postgresql":
            for statement in PG_CREATE:
                cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        elif connection.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS knowledge_article_tsv")
            cursor.execute("ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_vector")


def plain(markdown: str) -> str:
    return _MARKDOWN_NOISE.sub(" ", markdown)


def fold(text: str) -> str:
    """Lower case without accents (as FTS5's unicode61 remove_diacritics sees words)."""
    text = (text or "").lower()
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def folded_query(parsed: ParsedQuery) -> ParsedQuery:
    return ParsedQuery(
        terms=tuple(fold(term) for term in parsed.terms),
        excluded=tuple(fold(term) for term in parsed.excluded),
    )


def index_article(article_id: int, title: str, body: str) -> None:
    """Bring one article's entry up to date (PostgreSQL does this by itself)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article_id])
        cursor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (%s, %s, %s)",
            [article_id, title, plain(body)],
        )


def rebuild_article_index() -> None:
    if connection.vendor != "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE knowledge_article")
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")
        cursor.execute("SELECT id, title, body FROM knowledge_article")
        rows = [(pk, title, plain(body)) for pk, title, body in cursor.fetchall()]
        cursor.executemany(f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (%s, %s, %s)", rows)


def suggestion_query(text: str) -> ParsedQuery:
    """Any of the meaningful words of what a customer typed, as OR-ed terms."""
    words: list[str] = []
    for word in re.findall(r"\w+", (text or "").lower()):
        if len(word) > 2 and word not in STOPWORDS and not word.isdigit() and word not in words:
            words.append(word)
    return ParsedQuery(terms=tuple(words[:MAX_SUGGEST_WORDS]))


def ranked_ids(
    parsed: ParsedQuery, *, where: str, params: Sequence[Any], limit: int, any_word: bool = False
) -> list[int]:
    """Article ids matching `parsed`, best first. `where` filters the article row `a`."""
    if not parsed:
        return []
    if connection.vendor == "sqlite":
        match = " OR ".join(_quoted(term) for term in parsed.terms) if any_word else parsed.fts5
        if any_word and parsed.excluded:
            match = f"({match})" + "".join(f" NOT {_quoted(term)}" for term in parsed.excluded)
        sql = (
            f"SELECT a.id FROM {FTS_TABLE} f JOIN knowledge_article a ON a.id = f.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND {where} "
            f"ORDER BY bm25({FTS_TABLE}, 4.0, 1.0), a.id LIMIT %s"
        )
        query_params: list[Any] = [match, *params, limit]
    else:
        parsed = folded_query(parsed)
        joiner = " || " if any_word else " && "
        parts = ["phraseto_tsquery('simple'::regconfig, %s)"] * len(parsed.terms)
        tsquery = "(" + joiner.join(parts) + ")"
        if parsed.excluded:
            tsquery += "".join(" && !! phraseto_tsquery('simple'::regconfig, %s)" for _ in parsed.excluded)
        sql = (
            f"SELECT a.id FROM knowledge_article a WHERE a.search_vector @@ {tsquery} AND {where} "
            f"ORDER BY ts_rank(a.search_vector, {tsquery}) DESC, a.id LIMIT %s"
        )
        terms = [*parsed.terms, *parsed.excluded]
        query_params = [*terms, *params, *terms, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, query_params)
        return [row[0] for row in cursor.fetchall()]


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


__all__ = ["ParsedQuery", "parse_query"]
