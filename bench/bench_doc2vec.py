"""Doc2Vec against gensim's on the same documents: training time, inference time, and
self-retrieval (a training document inferred again should find its own trained vector first).

    python bench/bench_doc2vec.py bench/data/gcide.txt --docs 20000 --repeats 3

Each line of the file is a document tagged with its line number. Runs alternate between the
two libraries (ours, gensim, ours, ...) so that load on the machine hits both alike; the
medians are reported.
"""

import argparse
import statistics
import time

import numpy as np


def read_documents(path, limit):
    with open(path, encoding="utf-8") as f:
        return [line.split() for _, line in zip(range(limit), f)]


def self_retrieval(model, docs, sample, infer):
    """Share of sampled training documents whose inferred vector has its own trained vector
    as the nearest of all document vectors (cosine)."""
    vectors = model.dv.vectors / np.linalg.norm(model.dv.vectors, axis=1, keepdims=True)
    inferred = infer([docs[i] for i in sample])
    inferred /= np.linalg.norm(inferred, axis=1, keepdims=True)
    return float(np.mean((inferred @ vectors.T).argmax(axis=1) == sample))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--infer", type=int, default=1000, help="documents inferred")
    args = parser.parse_args()

    from gensim.models.doc2vec import Doc2Vec as GensimDoc2Vec
    from gensim.models.doc2vec import TaggedDocument as GensimTagged

    from fastembed_core import Doc2Vec, TaggedDocument

    docs = read_documents(args.corpus, args.docs)
    ours_docs = [TaggedDocument(d, [i]) for i, d in enumerate(docs)]
    gensim_docs = [GensimTagged(d, [i]) for i, d in enumerate(docs)]
    sample = np.random.default_rng(0).choice(len(docs), args.infer, replace=False)
    print(
        f"{len(docs)} documents, {sum(map(len, docs))} tokens; {args.workers} workers, "
        f"{args.epochs} epochs, {args.repeats} repeats"
    )
    for mode in (dict(dm=1), dict(dm=0), dict(dm=0, dbow_words=1)):
        results = {"ours": [], "gensim": []}
        for rep in range(args.repeats):
            for name, cls, corpus in (
                ("ours", Doc2Vec, ours_docs),
                ("gensim", GensimDoc2Vec, gensim_docs),
            ):
                settings = dict(
                    vector_size=100,
                    min_count=2,
                    epochs=args.epochs,
                    workers=args.workers,
                    seed=rep,
                    **mode,
                )
                t0 = time.perf_counter()
                model = cls(corpus, **settings)
                train = time.perf_counter() - t0
                t0 = time.perf_counter()
                if name == "ours":
                    infer = model.infer_vectors
                else:

                    def infer(batch, model=model):
                        return np.array([model.infer_vector(d) for d in batch])

                score = self_retrieval(model, docs, sample, infer)
                results[name].append((train, time.perf_counter() - t0, score))
        line = [f"{mode}"]
        for name, rows in results.items():
            train, infer, score = (statistics.median(r[k] for r in rows) for k in range(3))
            line.append(
                f"{name}: train {train:.2f} s, infer+score {infer:.2f} s, "
                f"self-retrieval {score:.3f}"
            )
        print(" | ".join(line), flush=True)


if __name__ == "__main__":
    main()
