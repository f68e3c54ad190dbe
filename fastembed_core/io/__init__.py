"""File formats: word2vec text and binary, GloVe, fastText ``.vec``, TensorBoard projector
TSV, and the native container (JSON metadata + raw arrays, never pickle).

``detect`` is the one answer to "what kind of file is this"; ``word2vec_format`` reads and
``word2vec_writer`` writes the plain formats; ``native`` holds the container. The readers
return keys and arrays and the writers take them: this package never imports
:mod:`fastembed_core.vectors`, which builds ``KeyedVectors`` from that data."""
