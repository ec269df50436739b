"""Group free-text answers into themes, offline, by one of two methods:

- **minilm-int8** (the `[ml]` extra installed, `voice/embeddings.py`): each answer becomes a
  sentence embedding; an answer close enough in meaning to one of the common service aspects
  (`voice/aspects.py`) starts in that aspect's group, the rest are clustered freely
  (agglomerative, cosine distance threshold) and any group of fewer than three stays "Other".
- **keywords** (no extra, or `GOODWILL_THEMES_EMBEDDINGS=off`): TF-IDF over words and character
  n-grams, LSA, k-means with the number of themes chosen by silhouette.

Either way, answers with too few content words ("n/a", "ok") and answers far from every theme's
centre stay unassigned (the "Other" pile a lead sorts by hand); each theme is named by its most
distinctive words (class-based TF-IDF over the themes) and quoted by the answers closest to its
centre, so a lead sees why it exists. The same function serves interview campaigns and
`goodwill themes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.sparse import hstack
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

from goodwill.voice.aspects import ASPECT_WORDS, aspect_hits

# Words that carry no theme in these answers (besides English stop words), and a few
# German/French/Spanish function words, since customers answer in their own language.
EXTRA_STOP = {
    "you",
    "your",
    "youre",
    "ive",
    "im",
    "dont",
    "thats",
    "its",
    "really",
    "just",
    "always",
    "thing",
    "things",
    "every",
    "time",
    "times",
    "one",
    "main",
    "like",
    "love",
    "get",
    "got",
    "make",
    "makes",
    "keep",
    "keeps",
    "coming",
    "back",
    "us",
    "shop",
    "company",
    "service",
    "ever",
    "never",
    "even",
    "der",
    "die",
    "das",
    "und",
    "ist",
    "sind",
    "immer",
    "am",
    "les",
    "sont",
    "et",
    "très",
    "y",
    "sin",
    "la",
    "el",
}
STOP = frozenset(ENGLISH_STOP_WORDS) | EXTRA_STOP
WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
MIN_CONTENT_WORDS = 2
MIN_SIMILARITY = 0.15  # keywords, split in k: to its theme's centre; below it an answer stays unassigned
KEYWORD_FREE_DISTANCE = 0.8  # keywords: average-linkage cosine distance for answers with no aspect word
MAX_THEMES = 12
# Embeddings (chosen on the dev part of goodwill/voice/labelled/ and on novel_dev.jsonl only):
ASPECT_MIN = 0.25  # cosine to an aspect's centre (plus word hits below) to start in that aspect
ASPECT_WORD_WEIGHT = 0.2  # added per aspect word the answer holds (at most two counted)
FREE_DISTANCE = 0.85  # average-linkage cosine distance when clustering the answers no aspect holds
MIN_FREE_THEME = 2  # a free cluster smaller than this stays "Other"
KEYWORD_MIN_FREE_THEME = 3  # the same for keywords (on novel_dev, pairs of shared words were noise)
EMBEDDED_MIN_SIMILARITY = 0.2  # to its theme's centre; below it an answer goes to "Other"

KEYWORDS = "keywords"


@dataclass
class Theme:
    name: str
    ids: list[str]
    quotes: list[str]
    keywords: list[str] = field(default_factory=list)


@dataclass
class Grouping:
    themes: list[Theme]
    unassigned: list[str]
    method: str = KEYWORDS

    def as_json(self) -> dict[str, object]:
        return {
            "themes": [{"name": t.name, "ids": t.ids, "quotes": t.quotes} for t in self.themes],
            "unassigned": self.unassigned,
            "method": self.method,
        }


def content_words(text: str) -> list[str]:
    return [word for word in (w.lower() for w in WORD.findall(text)) if word not in STOP]


def default_method() -> str:
    """Sentence embeddings when the `[ml]` extra is installed (and not switched off), else keywords."""
    from goodwill.voice import embeddings

    return embeddings.METHOD if embeddings.available() else KEYWORDS


# ---- keywords ---------------------------------------------------------------------------------


def _features(texts: list[str]) -> np.ndarray:
    words = TfidfVectorizer(
        tokenizer=content_words,
        token_pattern=None,
        lowercase=False,
        sublinear_tf=True,
        ngram_range=(1, 1),
        min_df=1,
    )
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 5), sublinear_tf=True, min_df=2)
    word_matrix = words.fit_transform(texts)
    char_matrix = chars.fit_transform([" ".join(content_words(t)) for t in texts])
    combined = hstack([word_matrix, char_matrix * 0.7]).tocsr()
    dims = max(2, min(60, combined.shape[0] - 1, combined.shape[1] - 1))
    reduced = TruncatedSVD(n_components=dims, random_state=0).fit_transform(combined)
    return normalize(reduced)


def _kmeans(vectors: np.ndarray, k: int | None) -> np.ndarray:
    n = vectors.shape[0]
    if k is not None:
        k = max(1, min(k, n))
        return (
            KMeans(n_clusters=k, n_init=4, random_state=0).fit_predict(vectors) if k > 1 else np.zeros(n, int)
        )
    best: tuple[float, np.ndarray] | None = None
    for candidate in range(2, min(MAX_THEMES, n - 1) + 1):
        labels = KMeans(n_clusters=candidate, n_init=4, random_state=0).fit_predict(vectors)
        if len(set(labels)) < 2:
            continue
        score = silhouette_score(vectors, labels, metric="cosine")
        if best is None or score > best[0]:
            best = (score, labels)
    return np.zeros(n, int) if best is None else best[1]


# ---- sentence embeddings ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _aspect_centres() -> np.ndarray:
    from goodwill.voice import embeddings
    from goodwill.voice.aspects import ASPECTS

    return np.stack(
        [normalize(embeddings.embed(phrases).mean(axis=0, keepdims=True))[0] for phrases in ASPECTS.values()]
    )


def _embedded_labels(vectors: np.ndarray, texts: list[str], k: int | None) -> np.ndarray:
    """-1 is "Other". With `k` (a lead splitting a theme), plain k-means on the embeddings."""
    if k is not None:
        return _kmeans(vectors, k)
    similarity = vectors @ _aspect_centres().T + ASPECT_WORD_WEIGHT * np.minimum(_hits(texts), 2)
    labels = np.where(similarity.max(axis=1) >= ASPECT_MIN, similarity.argmax(axis=1), -1)
    return _free_clusters(vectors, labels, FREE_DISTANCE, MIN_FREE_THEME)


def _hits(texts: list[str]) -> np.ndarray:
    return np.stack([aspect_hits(text) for text in texts])


def _free_clusters(vectors: np.ndarray, labels: np.ndarray, distance: float, min_size: int) -> np.ndarray:
    """Cluster the answers no aspect holds (label -1); clusters of `min_size` or more become themes."""
    free = np.where(labels == -1)[0]
    if len(free) >= min_size:
        clusters = AgglomerativeClustering(
            n_clusters=None, distance_threshold=distance, metric="cosine", linkage="average"
        ).fit_predict(vectors[free])
        for cluster in set(clusters):
            members = free[clusters == cluster]
            if len(members) >= min_size:
                labels[members] = len(ASPECT_WORDS) + cluster
    return labels


# ---- both -------------------------------------------------------------------------------------


def _names(texts: list[str], labels: np.ndarray, top: int = 3) -> dict[int, list[str]]:
    """Class-based TF-IDF: a word's frequency in one theme, weighed by how rare it is across themes."""
    groups = [int(label) for label in sorted(set(labels)) if label >= 0]
    if not groups:
        return {}
    counts: list[dict[str, int]] = []
    for label in groups:
        bag: dict[str, int] = {}
        for row in np.where(labels == label)[0]:
            for word in set(content_words(texts[row])):
                bag[word] = bag.get(word, 0) + 1
        counts.append(bag)
    total: dict[str, int] = {}
    for bag in counts:
        for word, count in bag.items():
            total[word] = total.get(word, 0) + count
    average = sum(sum(bag.values()) for bag in counts) / len(groups)
    names = {}
    for label, bag in zip(groups, counts, strict=True):
        size = sum(bag.values()) or 1
        scored = sorted(bag, key=lambda w: (-(bag[w] / size) * np.log1p(average / total[w]), -bag[w], w))
        names[label] = [w for w in scored if bag[w] > 1 or len(scored) <= top][:top] or scored[:top]
    return names


def _themes(
    usable: list[tuple[str, str]], vectors: np.ndarray, labels: np.ndarray, min_similarity: float, quotes: int
) -> tuple[list[Theme], list[str]]:
    texts = [text for _pk, text in usable]
    names = _names(texts, labels)
    themes, unassigned = [], [usable[i][0] for i in np.where(labels < 0)[0]]
    for label in sorted(names):
        rows = np.where(labels == label)[0]
        centre = normalize(vectors[rows].mean(axis=0, keepdims=True))[0]
        similarity = vectors[rows] @ centre
        kept = rows[similarity >= min_similarity]
        unassigned += [usable[i][0] for i in rows[similarity < min_similarity]]
        if len(kept) == 0:
            continue
        closest = kept[np.argsort(-(vectors[kept] @ centre))]
        keywords = names[label]
        themes.append(
            Theme(
                name=", ".join(keywords) or "other",
                ids=[usable[i][0] for i in kept],
                quotes=[usable[i][1] for i in closest[:quotes]],
                keywords=keywords,
            )
        )
    themes.sort(key=lambda theme: -len(theme.ids))
    return themes, unassigned


def group_answers(
    items: list[tuple[str, str]], *, k: int | None = None, quotes: int = 3, method: str | None = None
) -> Grouping:
    """`items` are (id, text). Returns themes (largest first), the ids left unassigned ("Other")
    and the method used (`default_method()` unless given)."""
    method = method or default_method()
    usable = [(pk, text) for pk, text in items if len(content_words(text)) >= MIN_CONTENT_WORDS]
    unassigned = [pk for pk, text in items if len(content_words(text)) < MIN_CONTENT_WORDS]
    if len(usable) < 3:
        return Grouping([], [pk for pk, _ in items], method)
    texts = [text for _pk, text in usable]
    if method == KEYWORDS:
        vectors = _features(texts)
        if k is None:  # aspect words first, then the rest clustered by their own words
            hits = _hits(texts)
            labels = _free_clusters(
                vectors,
                np.where(hits.max(axis=1) > 0, hits.argmax(axis=1), -1),
                KEYWORD_FREE_DISTANCE,
                KEYWORD_MIN_FREE_THEME,
            )
            floor = -1.0
        else:
            labels, floor = _kmeans(vectors, k), MIN_SIMILARITY
    else:
        from goodwill.voice import embeddings

        vectors = embeddings.embed(texts)
        labels, floor = _embedded_labels(vectors, texts, k), EMBEDDED_MIN_SIMILARITY
    themes, left = _themes(usable, vectors, labels, floor, quotes)
    return Grouping(themes, unassigned + left, method)
