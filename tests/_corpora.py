"""Synthetic corpora with planted structure, shared by the tests."""

import numpy as np


def planted_clusters(seed, n_sentences=3000, clusters=8, per_cluster=25, length=12, noise=0.4):
    """Sentences drawn from one cluster each, a fraction `noise` of tokens from any cluster.
    Words are 'k<cluster>_<i>'; neighbours should fall in the word's own cluster."""
    rng = np.random.default_rng(seed)
    out = []
    for c in rng.integers(0, clusters, n_sentences):
        noisy = rng.random(length) < noise
        cs = np.where(noisy, rng.integers(0, clusters, length), c)
        out.append([f"k{a}_{w}" for a, w in zip(cs, rng.integers(0, per_cluster, length))])
    return out


def cluster_precision(wv, topn=5):
    """Fraction of each word's top-n neighbours that share its cluster (chance: 1/clusters)."""
    hits = total = 0
    for word in wv.index_to_key:
        own = str(word).split("_")[0]
        for other, _ in wv.most_similar(word, topn=topn):
            hits += str(other).split("_")[0] == own
            total += 1
    return hits / total
