"""The classifier itself (scikit-learn, no database): text → features → one linear model per dimension.

Features: TF-IDF of word unigrams and bigrams united with TF-IDF of character n-grams within words
(`char_wb`, 1–4: for Chinese, which has no spaces, the characters and their bigrams to four-grams carry the
meaning), sublinear term frequency, terms seen in at least two complaints. One vectoriser is shared by the
dimensions. Each dimension is a linear SVM (class weights balanced, so rare business types are not drowned by
the common ones) whose scores are turned into confidences by sigmoid calibration learnt from three folds
(`CalibratedClassifierCV`, one SVM refitted on everything); the top three confidences are the suggestions.

The measured baseline (`build_vectorizer("baseline")`, `build_classifier("baseline")`) is the plain form:
character n-grams 1–4 without sublinear tf or a minimum frequency, one uncalibrated LinearSVC with C=1 and no
class weights.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from scipy.special import expit
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC

FORMAT = 1  # the layout of the saved dict; a file of another format is not loaded
MAX_CHARS = 2000  # a complaint's text is cut here: longer ones add time, not accuracy
TOP = 3
MIN_PER_CLASS = 5  # enough data to train: two codes with this many complaints (services.readiness)
LEARN_MIN = 3  # a code needs this many training complaints to be learnt (else it is left out)
C = 1.0
CALIBRATION_FOLDS = 3
PARALLEL_FROM = 4000  # texts: fewer are counted in the process itself
N_JOBS = 2  # the machine's cores: counting chunks and calibration folds run side by side
LARGE = 20_000  # training complaints from which the SVM is fitted by SGD (see build_classifier)

_REDACTED = re.compile(r"x{2,}|\{\$[\d.,]+\}|\d+")  # CFPB's XXXX redactions, amounts, numbers
_SPACE = re.compile(r"\s+")

Progress = Callable[[str, float], None]  # (stage, fraction of the whole training)


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, numbers and redaction marks dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _SPACE.sub(" ", _REDACTED.sub(" ", text)).strip()


def complaint_text(request: str, description: str) -> str:
    return normalise(f"{request or ''}\n{description or ''}")[:MAX_CHARS]


class HashedTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF of word 1–2-grams and of `char_wb` 1–4-grams, each hashed into 2^20 columns and normalised on
    its own (as a FeatureUnion of two TfidfVectorizers would be), with sublinear tf; only the columns of terms
    seen in at least `min_df` training texts are kept (renumbered), so the linear models stay as small as a
    vocabulary would make them.

    Hashing instead of a vocabulary: the file stays small (no dictionary of millions of n-grams) and the
    texts are turned into counts in parallel chunks (`n_jobs`), which is what keeps training on 100,000
    complaints within minutes on two cores."""

    def __init__(self, n_features: int = 2**20, min_df: int = 2, n_jobs: int = N_JOBS) -> None:
        self.n_features = n_features
        self.min_df = min_df
        self.n_jobs = n_jobs

    def _hashers(self) -> list[HashingVectorizer]:
        common = {"n_features": self.n_features, "alternate_sign": False, "norm": None, "dtype": np.float32}
        return [
            HashingVectorizer(ngram_range=(1, 2), **common),
            HashingVectorizer(analyzer="char_wb", ngram_range=(1, 4), **common),
        ]

    def _counts(self, texts: Sequence[str]) -> list[Any]:
        hashers = self._hashers()
        if self.n_jobs == 1 or len(texts) < PARALLEL_FROM:
            return [h.transform(texts) for h in hashers]
        size = -(-len(texts) // (self.n_jobs * 4))
        chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
        parts = Parallel(n_jobs=self.n_jobs)(delayed(_count_chunk)(hashers, c) for c in chunks)
        return [sp.vstack([p[k] for p in parts]).tocsr() for k in range(len(hashers))]

    def fit_transform(self, texts: Sequence[str], y: Any = None) -> Any:  # type: ignore[override]
        blocks = self._counts(list(texts))
        self.idf_, self.kept_ = [], []
        out = []
        n = len(texts)
        for counts in blocks:
            df = np.bincount(counts.indices, minlength=counts.shape[1])
            kept = np.flatnonzero(df >= self.min_df).astype(np.int32)
            self.kept_.append(kept)
            # smooth idf, as TfidfTransformer's default: ln((1 + n) / (1 + df)) + 1
            self.idf_.append((np.log((1 + n) / (1 + df[kept])) + 1).astype(np.float32))
            selected = _select(counts, self._position(len(self.kept_) - 1), len(kept))
            out.append(_tfidf(selected, self.idf_[-1]))
        return sp.hstack(out).tocsr()

    def fit(self, texts: Sequence[str], y: Any = None) -> HashedTfidf:
        self.fit_transform(texts)
        return self

    def transform(self, texts: Sequence[str]) -> Any:
        blocks = self._counts(list(texts))
        return sp.hstack(
            [
                _tfidf(_select(c, self._position(k), len(self.kept_[k])), self.idf_[k])
                for k, c in enumerate(blocks)
            ]
        ).tocsr()

    def _position(self, k: int) -> Any:
        """Hashed column → kept column (−1: dropped), built on first use (not saved: kept_ is enough)."""
        cache = self.__dict__.setdefault("_positions", {})
        if k not in cache:
            position = np.full(self.n_features, -1, dtype=np.int32)
            position[self.kept_[k]] = np.arange(len(self.kept_[k]), dtype=np.int32)
            cache[k] = position
        return cache[k]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_positions", None)
        return state


def _tfidf(counts: Any, idf: Any) -> Any:
    """Sublinear tf (1 + ln tf) × idf, each row scaled to unit length — TfidfTransformer(sublinear_tf=True)'s
    arithmetic without its per-call input checks."""
    x = counts.astype(np.float32, copy=True)
    x.data = (np.log(x.data) + 1) * idf[x.indices]
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    norms = np.sqrt(np.bincount(rows, weights=x.data.astype(np.float64) ** 2, minlength=x.shape[0]))
    norms[norms == 0] = 1
    x.data /= norms[rows].astype(np.float32)
    return x


def _select(counts: Any, position: Any, n: int) -> Any:
    """The kept columns of a CSR matrix, renumbered (O(non-zeros), without SciPy's column indexing)."""
    counts = counts.tocsr()
    new = position[counts.indices]
    keep = new >= 0
    cumulative = np.concatenate([[0], np.cumsum(keep)])
    indptr = cumulative[counts.indptr]
    return sp.csr_matrix((counts.data[keep], new[keep], indptr), shape=(counts.shape[0], n))


def _count_chunk(hashers: list[HashingVectorizer], texts: Sequence[str]) -> list[Any]:
    return [h.transform(texts) for h in hashers]


def build_vectorizer(kind: str = "tuned") -> Any:
    if kind == "baseline":
        return TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), dtype=np.float32)
    return HashedTfidf()


def build_classifier(kind: str = "tuned", smallest: int = MIN_PER_CLASS, rows: int = 0) -> Any:
    if kind == "baseline":
        return LinearSVC()
    if rows >= LARGE:
        # the same hinge loss and regularisation (alpha = 1 / (C·n)) by stochastic gradient descent: ten
        # passes instead of liblinear's exact solution, which takes minutes per fit from ~50,000 complaints
        svm = SGDClassifier(
            loss="hinge",
            alpha=1 / (C * rows),
            class_weight="balanced",
            max_iter=10,
            tol=None,
            random_state=0,
        )
    else:
        svm = LinearSVC(C=C, class_weight="balanced")
    folds = max(2, min(CALIBRATION_FOLDS, smallest))
    # ensemble=False: the calibration is learnt from out-of-fold scores, the SVM refitted once on everything,
    # so a suggestion runs one model, not one per fold.
    jobs = N_JOBS if rows >= PARALLEL_FROM * 5 else None  # starting workers costs more than small fits
    return CalibratedClassifierCV(svm, cv=folds, method="sigmoid", ensemble=False, n_jobs=jobs)


@dataclass
class Trained:
    """A vectoriser and a classifier per dimension: what the model file holds."""

    vectorizer: Any
    classifiers: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "vectorizer": self.vectorizer, "classifiers": self.classifiers}

    @classmethod
    def from_dict(cls, data: Any) -> Trained:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a classifier file of this version")
        return cls(vectorizer=data["vectorizer"], classifiers=dict(data["classifiers"]))

    def suggest(self, texts: Sequence[str], top: int = TOP) -> dict[str, list[list[tuple[str, float]]]]:
        """For each text, the best `top` codes of each dimension with their confidence (best first)."""
        if not texts:
            return {dim: [] for dim in self.classifiers}
        features = self.vectorizer.transform(texts)
        out: dict[str, list[list[tuple[str, float]]]] = {}
        for dim, clf in self.classifiers.items():
            out[dim] = ranked(clf, features, top)
        return out


def fortran_coefficients(clf: Any) -> Any:
    """Keep each linear model's coefficients in Fortran order: scoring computes `X @ coef_.T`, and SciPy
    copies a transposed C-ordered matrix first (features × codes, megabytes per call); in Fortran order the
    transpose is already contiguous."""
    for cal in getattr(clf, "calibrated_classifiers_", []):
        est = cal.estimator
        if hasattr(est, "coef_"):
            est.coef_ = np.asfortranarray(est.coef_)
    if hasattr(clf, "coef_"):
        clf.coef_ = np.asfortranarray(clf.coef_)
    return clf


def fast_proba(clf: Any, features: Any) -> Any:
    """`predict_proba` of a fitted `CalibratedClassifierCV(LinearSVC, method="sigmoid", ensemble=False)`
    computed directly (margins, one sigmoid per code, normalised as scikit-learn does): scikit-learn's input
    checks cost ~20 ms a call, the arithmetic well under one. None for any other shape of model; `train`
    checks it equals `predict_proba` before it is used."""
    cals = getattr(clf, "calibrated_classifiers_", None)
    if not cals or len(cals) != 1 or getattr(clf, "method", "") != "sigmoid":
        return None
    cal = cals[0]
    est = cal.estimator
    if not hasattr(est, "coef_") or list(est.classes_) != list(clf.classes_):
        return None
    margins = np.asarray(features @ est.coef_.T) + est.intercept_
    n = len(clf.classes_)
    proba = np.zeros((features.shape[0], n))
    if n == 2:
        c = cal.calibrators[0]
        proba[:, 1] = expit(-(c.a_ * margins[:, 0] + c.b_))
        proba[:, 0] = 1.0 - proba[:, 1]
        return proba
    for k, c in enumerate(cal.calibrators):
        proba[:, k] = expit(-(c.a_ * margins[:, k] + c.b_))
    total = proba.sum(axis=1, keepdims=True)
    return np.divide(proba, total, out=np.full_like(proba, 1 / n), where=total != 0)


def ranked(clf: Any, features: Any, top: int = TOP) -> list[list[tuple[str, float]]]:
    classes = [str(c) for c in clf.classes_]
    scores = fast_proba(clf, features) if getattr(clf, "fast_checked_", False) else None
    if scores is not None:
        pass
    elif hasattr(clf, "predict_proba"):
        scores = clf.predict_proba(features)
    else:  # the uncalibrated baseline: a softmax of the margins, for the ranking only
        margins = np.atleast_2d(clf.decision_function(features))
        if margins.shape[1] == 1:  # two classes: one margin
            margins = np.hstack([-margins, margins])
        e = np.exp(margins - margins.max(axis=1, keepdims=True))
        scores = e / e.sum(axis=1, keepdims=True)
    order = np.argsort(-scores, axis=1)[:, :top]
    return [[(classes[j], round(float(scores[i, j]), 4)) for j in row] for i, row in enumerate(order)]


def learnable(labels: Sequence[str], minimum: int = MIN_PER_CLASS) -> set[str]:
    """The codes with at least `minimum` complaints."""
    return {code for code, n in Counter(labels).items() if code and n >= minimum}


def split(labels: Sequence[str], seed: int, test_size: float = 0.2) -> tuple[list[int], list[int]]:
    """A random split stratified on `labels` (codes with one complaint all go to training)."""
    counts = Counter(labels)
    index = list(range(len(labels)))
    single = [i for i in index if counts[labels[i]] < 2]
    rest = [i for i in index if counts[labels[i]] >= 2]
    strat = [labels[i] for i in rest]
    n_test = max(len(set(strat)), round(test_size * len(rest)))
    train, test = train_test_split(rest, test_size=n_test, random_state=seed, stratify=strat)
    return sorted(train + single), sorted(test)


def evaluate(clf: Any, features: Any, truth: Sequence[str]) -> dict[str, Any]:
    """top1, top3, macro-F1 (over the codes present in the held-out part or predicted), per-class counts."""
    tops = ranked(clf, features, TOP)
    best = [t[0][0] for t in tops]
    n = len(truth)
    per: dict[str, dict[str, Any]] = {}
    labels = sorted(set(truth))
    f1s = f1_score(truth, best, labels=labels, average=None, zero_division=0)
    for code, f1 in zip(labels, f1s, strict=True):
        per[code] = {"test": 0, "correct": 0, "f1": round(float(f1), 4)}
    for t, guess in zip(truth, best, strict=True):
        per[t]["test"] += 1
        per[t]["correct"] += int(t == guess)
    return {
        "top1": round(sum(t == b for t, b in zip(truth, best, strict=True)) / n, 4) if n else None,
        "top3": round(sum(t in [c for c, _ in r] for t, r in zip(truth, tops, strict=True)) / n, 4)
        if n
        else None,
        "macro_f1": round(float(f1_score(truth, best, average="macro", zero_division=0)), 4) if n else None,
        "per_class": per,
    }


@dataclass
class Outcome:
    trained: Trained
    metrics: dict[str, Any]
    n_train: int
    n_test: int
    seconds: float


def train(
    texts: Sequence[str],
    labels: Mapping[str, Sequence[str]],
    *,
    seed: int,
    test_size: float = 0.2,
    with_baseline: bool = False,
    progress: Progress | None = None,
) -> Outcome:
    """Fit on a random (1 − test_size) part, measure on the rest, per dimension.

    `labels[dim][i]` is the code of text i ("" when it has none); the split is stratified on the first
    dimension. A dimension with fewer than two learnable codes is left out (its metrics say why)."""
    t0 = time.perf_counter()
    report = progress or (lambda stage, fraction: None)
    dims = list(labels)
    train_idx, test_idx = split(list(labels[dims[0]]), seed, test_size)
    report("features", 0.05)
    vectorizer = build_vectorizer()
    x_train = vectorizer.fit_transform([texts[i] for i in train_idx])
    x_test = vectorizer.transform([texts[i] for i in test_idx]) if test_idx else None
    report("features", 0.45)
    trained = Trained(vectorizer=vectorizer)
    metrics: dict[str, Any] = {}
    for k, dim in enumerate(dims):
        y = labels[dim]
        codes = learnable([y[i] for i in train_idx], LEARN_MIN)
        rows = [j for j, i in enumerate(train_idx) if y[i] in codes]
        counts = Counter(y[train_idx[j]] for j in rows)
        if len(codes) < 2:
            metrics[dim] = {"skipped": "fewer than two codes with enough complaints", "train": dict(counts)}
            continue
        clf = build_classifier(smallest=min(counts.values()), rows=len(rows))
        clf.fit(x_train[rows], [y[train_idx[j]] for j in rows])
        trained.classifiers[dim] = fortran_coefficients(clf)
        probe = x_train[rows[:50]]
        fast = fast_proba(clf, probe)
        clf.fast_checked_ = fast is not None and bool(np.allclose(fast, clf.predict_proba(probe), atol=1e-6))
        result: dict[str, Any] = {"train": dict(counts)}
        if x_test is not None:
            test_rows = [j for j, i in enumerate(test_idx) if y[i]]
            truth = [y[test_idx[j]] for j in test_rows]
            result.update(evaluate(clf, x_test[test_rows], truth))
            for code, n in counts.items():
                result["per_class"].setdefault(code, {"test": 0, "correct": 0, "f1": None})["train"] = n
            if with_baseline:
                result["baseline"] = baseline(texts, y, train_idx, test_idx)
        metrics[dim] = result
        report(dim, 0.45 + 0.55 * (k + 1) / len(dims))
    return Outcome(trained, metrics, len(train_idx), len(test_idx), time.perf_counter() - t0)


def baseline(
    texts: Sequence[str], y: Sequence[str], train_idx: Sequence[int], test_idx: Sequence[int]
) -> dict[str, Any]:
    """The plain TF-IDF character n-gram + LinearSVC on the same split and the raw texts (for comparison)."""
    rows = [i for i in train_idx if y[i]]
    test = [i for i in test_idx if y[i]]
    vec = build_vectorizer("baseline")
    clf = build_classifier("baseline")
    clf.fit(vec.fit_transform([texts[i] for i in rows]), [y[i] for i in rows])
    fortran_coefficients(clf)
    result = evaluate(clf, vec.transform([texts[i] for i in test]), [y[i] for i in test])
    result.pop("per_class")
    return result
