"""Training callbacks in gensim's shape: subclass :class:`CallbackAny2Vec` and override the
hooks you need.

The models call each hook that a callback has (so a subclass of gensim's own
``gensim.models.callbacks.CallbackAny2Vec`` works too), on the thread that called
``train()``: ``on_train_begin(model)``, then per epoch ``on_epoch_begin(model)`` and
``on_epoch_end(model)``, then ``on_train_end(model)``. ``on_epoch_end`` runs between epochs,
while no worker writes the weights: a callback may read, save or ``copy.deepcopy`` the model
there (keeping the best epoch's model, for instance).

Example::

    from fastembed_core.models.callbacks import CallbackAny2Vec

    class EpochLogger(CallbackAny2Vec):
        def __init__(self):
            self.epoch = 0

        def on_epoch_end(self, model):
            self.epoch += 1
            print(f"epoch {self.epoch} done, loss {model.get_latest_training_loss()}")

    model = Word2Vec(sentences, callbacks=[EpochLogger()], compute_loss=True)
"""

from __future__ import annotations

from typing import Any

__all__ = ["CallbackAny2Vec"]


class CallbackAny2Vec:
    """Base class of training callbacks: every hook does nothing until overridden.

    ``on_batch_begin`` and ``on_batch_end`` exist so that code written for gensim 3 still
    defines them without error; as in gensim 4 they are never called (a batch runs inside the
    C kernel with the GIL released). For progress within an epoch, define
    ``on_progress(model, epoch, epochs, words_done, epoch_words)``: see
    :class:`~fastembed_core.models.progress.TrainingProgress`.
    """

    def on_train_begin(self, model: Any) -> None:
        """Called once at the start of ``train()``."""

    def on_epoch_begin(self, model: Any) -> None:
        """Called before each epoch."""

    def on_epoch_end(self, model: Any) -> None:
        """Called after each epoch, while no worker writes the weights."""

    def on_train_end(self, model: Any) -> None:
        """Called once at the end of ``train()``."""

    def on_batch_begin(self, model: Any) -> None:
        """Never called (as in gensim 4); kept for older callbacks that define it."""

    def on_batch_end(self, model: Any) -> None:
        """Never called (as in gensim 4); kept for older callbacks that define it."""
