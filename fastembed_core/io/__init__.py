"""File formats: word2vec text and binary, GloVe, fastText ``.vec``, TensorBoard projector
TSV, and the native container (JSON metadata + raw arrays, never pickle). The readers return
arrays and keys; ``vectors`` builds ``KeyedVectors`` from them."""
