"""Spark MLlib's Word2Vec as the reference for distributed training (local mode).

    python bench/spark_word2vec.py --corpus bench/data/english-gcide.txt \
        --partitions 1 4 --seeds 2 --epochs 5 --master 'local[2]'

Needs ``pip install pyspark`` (bench/requirements.txt) and a Java runtime (17 or later for
pyspark 4). MLlib trains skip-gram with hierarchical softmax only, without subsampling of
frequent words; ``numPartitions`` splits the corpus into that many parts, trains one copy of
the model per part within each iteration and averages the copies at the end of every
iteration (``maxIter`` iterations = epochs). The learning rate starts at ``stepSize`` and
decays linearly with the words one part has seen, scaled by the number of parts.

Every model is exported with ``model.getVectors()`` into a fastembed_core ``KeyedVectors``
(rows in the order of the vocabulary fastembed_core builds from the same file, so that the
analogy test's "30,000 most frequent words" are the same words for every engine) and scored by ``quality_seeds.evaluate``, the evaluation of every other quality script.
Writes bench/results/<date>-<name>.json (one entry per run: partitions, seed, the three
scores and the training time, which covers Spark's vocabulary pass and training but not
starting the JVM or reading the text).
"""

import argparse
import collections
import datetime
import json
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality_seeds import _sha256, evaluate  # noqa: E402

# The settings every engine of the distributed comparison shares (bench/bench_dask.py).
VECTOR_SIZE = 100
WINDOW = 5
MIN_COUNT = 5
ALPHA = 0.025


def corpus_counts(path):
    """Word counts of a whitespace-tokenised corpus, in first-appearance order."""
    counts = collections.Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            counts.update(line.split())
    return counts


def our_vocabulary(path):
    """The vocabulary fastembed_core builds from ``path`` at MIN_COUNT: keys in its order."""
    from fastembed_core import Word2Vec

    model = Word2Vec(min_count=MIN_COUNT, workers=1)
    model.build_vocab(corpus_file=path)
    return list(model.wv.index_to_key)


def to_keyed_vectors(words, vectors, order, counts):
    """fastembed_core ``KeyedVectors`` of Spark's vectors, rows in ``order`` (our vocabulary's
    order, so that "the 30,000 most frequent words" of the analogy test are the same words
    for every engine); a word ``order`` lacks goes last, by descending count."""
    from fastembed_core import KeyedVectors

    rank = {w: i for i, w in enumerate(order)}
    rows = sorted(
        range(len(words)), key=lambda i: (rank.get(words[i], len(rank)), -counts[words[i]])
    )
    keys = [words[i] for i in rows]
    return KeyedVectors.from_arrays(
        keys,
        np.asarray(vectors, dtype=np.float32)[rows],
        counts=np.asarray([counts[k] for k in keys], dtype=np.int64),
    )


def spark_session(master, driver_memory):
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master)
        .appName("fastembed_core-word2vec-reference")
        .config("spark.driver.memory", driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )


def train_spark(spark, corpus, partitions, epochs, seed, order, counts):
    """Trains MLlib's Word2Vec once; returns (gensim KeyedVectors, training seconds)."""
    from pyspark.ml.feature import Word2Vec as SparkWord2Vec
    from pyspark.sql import functions as F

    lines = spark.read.text(corpus).where(F.length("value") > 0)
    sentences = lines.select(F.split("value", " ").alias("tokens")).cache()
    sentences.count()  # read and tokenise before the clock starts
    estimator = SparkWord2Vec(
        vectorSize=VECTOR_SIZE,
        windowSize=WINDOW,
        minCount=MIN_COUNT,
        stepSize=ALPHA,
        maxIter=epochs,
        numPartitions=partitions,
        seed=seed,
        inputCol="tokens",
        outputCol="vector",
    )
    t0 = time.perf_counter()
    model = estimator.fit(sentences)
    seconds = time.perf_counter() - t0
    rows = model.getVectors().collect()
    sentences.unpersist()
    words = [r["word"] for r in rows]
    vectors = [r["vector"].toArray() for r in rows]
    return to_keyed_vectors(words, vectors, order, counts).to_gensim(), seconds


def main(argv=None):
    warnings.filterwarnings("ignore")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="bench/data/english-gcide.txt")
    ap.add_argument("--partitions", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--driver-memory", default="4g")
    ap.add_argument("--save-vectors", metavar="DIR", help="also save each model's vectors")
    ap.add_argument("--name", default="spark-word2vec", help="results file: <date>-<name>.json")
    args = ap.parse_args(argv)

    counts = corpus_counts(args.corpus)
    order = our_vocabulary(args.corpus)
    spark = spark_session(args.master, args.driver_memory)
    spark.sparkContext.setLogLevel("ERROR")
    runs = []
    try:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            for partitions in args.partitions:  # interleaved: load hits every setting alike
                kv, seconds = train_spark(
                    spark, args.corpus, partitions, args.epochs, seed, order, counts
                )
                if args.save_vectors:  # to score again later without training again
                    os.makedirs(args.save_vectors, exist_ok=True)
                    kv.save_word2vec_format(
                        os.path.join(args.save_vectors, f"spark-p{partitions}-s{seed}.bin"),
                        binary=True,
                    )
                runs.append(
                    {
                        "library": "spark_mllib",
                        "corpus": os.path.basename(args.corpus),
                        "partitions": partitions,
                        "seed": seed,
                        "epochs": args.epochs,
                        **evaluate(kv),
                        "train_s": seconds,
                        "vocabulary": len(kv),
                    }
                )
                print(json.dumps(runs[-1]), flush=True)
                path = write_results(args, runs, spark.version)
    finally:
        spark.stop()
    print("wrote", path)


def write_results(args, runs, spark_version):
    doc = {
        "what": "Spark MLlib Word2Vec (skip-gram, hierarchical softmax, no subsampling), "
        "local mode, scored by quality_seeds.evaluate",
        "date": datetime.date.today().isoformat(),
        "spark": spark_version,
        "master": args.master,
        "corpus": args.corpus,
        "corpus_sha256": _sha256(args.corpus),
        "settings": {
            "vector_size": VECTOR_SIZE,
            "window": WINDOW,
            "min_count": MIN_COUNT,
            "alpha": ALPHA,
            "epochs": args.epochs,
        },
        "runs": runs,
    }
    path = f"bench/results/{doc['date']}-{args.name}.json"
    os.makedirs("bench/results", exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    return path


if __name__ == "__main__":
    sys.exit(main())
