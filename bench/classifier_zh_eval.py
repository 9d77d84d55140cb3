"""Independent cross-check of the Chinese labelled set (xiaobao/classification/data/zh_labelled.csv): a plain
scikit-learn char n-gram TF-IDF + linear model, stratified 80/20 per dimension, top-1, top-3 and macro-F1 of
the business type and the cause, and (with --confusions N) the most frequent confusion pairs. The project's
own figures come from `xiaobao classifier_evaluate --csv PATH`; this script uses neither Django nor its model.

`.venv/bin/python bench/classifier_zh_eval.py --seeds 0 1 2 3 4 [--model svm|logreg] [--confusions 12]`"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC

DEFAULT = Path(__file__).resolve().parents[1] / "xiaobao" / "classification" / "data" / "zh_labelled.csv"


def load(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [f"{r['request']}\n{r['description']}" for r in rows]
    return texts, {"business_type": [r["business_type"] for r in rows], "cause": [r["cause"] for r in rows]}


def top_level(code: str) -> str:
    return code[:3]


def evaluate(texts, labels, seed, model_name, confusions):
    idx = np.arange(len(texts))
    out = {}
    for field, y in labels.items():
        y = np.array(y)
        train, test = train_test_split(idx, test_size=0.2, random_state=seed, stratify=y)
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
        x_train = vec.fit_transform([texts[i] for i in train])
        x_test = vec.transform([texts[i] for i in test])
        if model_name == "svm":
            model = LinearSVC(C=0.5, class_weight="balanced")
        else:
            model = LogisticRegression(C=20, max_iter=2000, class_weight="balanced")
        model.fit(x_train, y[train])
        scores = model.decision_function(x_test)
        order = np.argsort(-scores, axis=1)
        classes = model.classes_
        pred = classes[order[:, 0]]
        top3 = [set(classes[o[:3]]) for o in order]
        truth = y[test]
        out[field] = {
            "top1": float(np.mean(pred == truth)),
            "top3": float(np.mean([t in s for t, s in zip(truth, top3, strict=True)])),
            "macro_f1": float(f1_score(truth, pred, average="macro", zero_division=0)),
        }
        if field == "business_type":
            same_top = [top_level(p) == top_level(t) for p, t in zip(pred, truth, strict=True)]
            out["business_type (top level)"] = {"top1": float(np.mean(same_top))}
        for t, p in zip(truth, pred, strict=True):
            if t != p:
                confusions[field][(t, p)] += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", type=Path, default=DEFAULT)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--model", choices=["logreg", "svm"], default="logreg")
    parser.add_argument("--confusions", type=int, default=0, help="print the N most frequent confusion pairs")
    args = parser.parse_args()
    texts, labels = load(args.csv)
    print(f"{args.csv.name}: {len(texts)} complaints, model {args.model}, seeds {args.seeds}")
    confusions: dict[str, Counter[tuple[str, str]]] = {field: Counter() for field in labels}
    results = [evaluate(texts, labels, seed, args.model, confusions) for seed in args.seeds]
    for field in results[0]:
        for metric in results[0][field]:
            values = [r[field][metric] for r in results]
            spread = f" (min {min(values):.3f}, max {max(values):.3f})" if len(values) > 1 else ""
            print(f"{field:28s} {metric:9s} {np.mean(values):.3f}{spread}")
    if args.confusions:
        for field, counter in confusions.items():
            print(f"most frequent confusions, {field} (true -> predicted, count over seeds):")
            for (t, p), n in counter.most_common(args.confusions):
                print(f"  {t} -> {p}: {n}")


if __name__ == "__main__":
    main()
