"""Documents with planted topics, and how well vectors find them: the quality checks of the
Doc2Vec tests."""

import numpy as np

from fastembed_core.models.doc2vec import TaggedDocument


def planted_documents(seed, n_topics=4, per_topic=30, length=30, topic_words=30, common=60):
    """Documents of `n_topics` topics: each word is, with probability 1/2, one of its topic's
    own words, else one of `common` words every topic uses. Document d has topic d % n_topics
    and the tag d."""
    rng = np.random.default_rng(seed)
    docs, labels = [], []
    for d in range(n_topics * per_topic):
        k = d % n_topics
        own = rng.integers(0, topic_words, length) + k * topic_words
        shared = rng.integers(0, common, length) + n_topics * topic_words
        words = np.where(rng.random(length) < 0.5, shared, own)
        docs.append(TaggedDocument([f"w{w}" for w in words], [d]))
        labels.append(k)
    return docs, np.array(labels)


def unit_rows(m):
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def nearest_topic_accuracy(vectors, labels):
    """The fraction of documents whose nearest other document (cosine) shares their topic."""
    v = unit_rows(vectors)
    sims = v @ v.T
    np.fill_diagonal(sims, -2.0)
    return float(np.mean(labels[sims.argmax(axis=1)] == labels))
