"""Group free-text answers into themes, offline: TF-IDF (words and character n-grams), LSA,
k-means with the number of themes chosen by silhouette, and an "unassigned" pile for answers
that say nothing a theme can hold. Each theme gets a name from its most distinctive words and
the answers closest to its centre as quotes, so a lead sees why it exists.

The same function serves interview campaigns and `goodwill themes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import hstack
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

# Words that carry no theme in these answers (besides English stop words), and a few
# German/French/Spanish function words, since customers answer in their own language.
EXTRA_STOP = {
    "you", "your", "youre", "ive", "im", "dont", "thats", "its", "really", "just", "always", "thing",
    "things", "every", "time", "times", "one", "main", "like", "love", "get", "got", "make", "makes",
    "keep", "keeps", "coming", "back", "us", "shop", "company", "service", "ever", "never", "even",
    "der", "die", "das", "und", "ist", "sind", "immer", "am", "les", "sont", "et", "très", "y", "sin", "la", "el",
}
STOP = frozenset(ENGLISH_STOP_WORDS) | EXTRA_STOP
WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
MIN_CONTENT_WORDS = 2
MIN_SIMILARITY = 0.15  # to its theme's centre; below it an answer stays unassigned
MAX_THEMES = 12


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

    def as_json(self) -> dict[str, object]:
        return {
            "themes": [{"name": t.name, "ids": t.ids, "quotes": t.quotes} for t in self.themes],
            "unassigned": self.unassigned,
        }


def content_words(text: str) -> list[str]:
    return [word for word in (w.lower() for w in WORD.findall(text)) if word not in STOP]


def _features(texts: list[str]) -> tuple[np.ndarray, TfidfVectorizer, object]:
    words = TfidfVectorizer(tokenizer=content_words, token_pattern=None, lowercase=False, sublinear_tf=True,
                            ngram_range=(1, 1), min_df=1)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 5), sublinear_tf=True, min_df=2)
    word_matrix = words.fit_transform(texts)
    char_matrix = chars.fit_transform([" ".join(content_words(t)) for t in texts])
    combined = hstack([word_matrix, char_matrix * 0.7]).tocsr()
    dims = max(2, min(60, combined.shape[0] - 1, combined.shape[1] - 1))
    reduced = TruncatedSVD(n_components=dims, random_state=0).fit_transform(combined)
    return normalize(reduced), words, word_matrix


def _choose_k(vectors: np.ndarray, k: int | None) -> tuple[int, np.ndarray]:
    n = vectors.shape[0]
    if k is not None:
        k = max(1, min(k, n))
        labels = KMeans(n_clusters=k, n_init=4, random_state=0).fit_predict(vectors) if k > 1 else np.zeros(n, int)
        return k, labels
    best: tuple[float, int, np.ndarray] | None = None
    for candidate in range(2, min(MAX_THEMES, n - 1) + 1):
        labels = KMeans(n_clusters=candidate, n_init=4, random_state=0).fit_predict(vectors)
        if len(set(labels)) < 2:
            continue
        score = silhouette_score(vectors, labels, metric="cosine")
        if best is None or score > best[0]:
            best = (score, candidate, labels)
    if best is None:
        return 1, np.zeros(n, int)
    return best[1], best[2]


def _name(member_rows: np.ndarray, word_matrix: object, vocabulary: list[str]) -> list[str]:
    inside = np.asarray(word_matrix[member_rows].mean(axis=0)).ravel()  # type: ignore[index]
    overall = np.asarray(word_matrix.mean(axis=0)).ravel()  # type: ignore[attr-defined]
    distinct = inside * np.log1p(inside / (overall + 1e-9))
    order = np.argsort(-distinct)
    return [vocabulary[i] for i in order[:3] if inside[i] > 0]


def group_answers(items: list[tuple[str, str]], *, k: int | None = None, quotes: int = 3) -> Grouping:
    """`items` are (id, text). Returns themes (largest first) and the ids left unassigned."""
    usable = [(pk, text) for pk, text in items if len(content_words(text)) >= MIN_CONTENT_WORDS]
    unassigned = [pk for pk, text in items if len(content_words(text)) < MIN_CONTENT_WORDS]
    if len(usable) < 3:
        return Grouping([], [pk for pk, _ in items])
    texts = [text for _pk, text in usable]
    vectors, words, word_matrix = _features(texts)
    _k, labels = _choose_k(vectors, k)
    vocabulary = list(words.get_feature_names_out())
    themes = []
    for label in sorted(set(labels)):
        rows = np.where(labels == label)[0]
        centre = normalize(vectors[rows].mean(axis=0, keepdims=True))[0]
        similarity = vectors[rows] @ centre
        kept = rows[similarity >= MIN_SIMILARITY]
        unassigned += [usable[i][0] for i in rows[similarity < MIN_SIMILARITY]]
        if len(kept) == 0:
            continue
        closest = kept[np.argsort(-(vectors[kept] @ centre))]
        keywords = _name(kept, word_matrix, vocabulary)
        themes.append(
            Theme(
                name=", ".join(keywords) or "other",
                ids=[usable[i][0] for i in kept],
                quotes=[usable[i][1] for i in closest[:quotes]],
                keywords=keywords,
            )
        )
    themes.sort(key=lambda theme: -len(theme.ids))
    return Grouping(themes, unassigned)
