"""Training on a Dask cluster: shards of the corpus (:mod:`.shards`), the combining of the
workers' deltas (:mod:`.combine`, plain NumPy), the model families it trains (:mod:`.family`)
and the rounds (:mod:`.rounds`). The public entry point is :func:`fastembed_core.dask.train`;
this package imports Dask only where it talks to the cluster."""
