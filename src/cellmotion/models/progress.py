"""A progress bar for Keras training, on the console only (:mod:`cellmotion.console`).

Keras prints its own bars only with ``verbose=1``, which floods a notebook with one line per
batch. :func:`epoch_bar` gives one bar per ``fit`` that advances once per epoch and shows the
latest losses, drawn on the build's console and never in the executed chapter.
"""

from __future__ import annotations

from .. import runtime
from ..console import progress


def epoch_bar(total_epochs: int, desc: str = "training", leave: bool = False):
    """A Keras callback showing one bar over the epochs of a ``fit`` call."""
    keras = runtime.keras()

    class EpochBar(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.bar = progress(total=total_epochs, desc=desc, unit="epoch", leave=leave)

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            shown = {k: f"{v:.3g}" for k, v in logs.items() if k in ("loss", "val_loss")}
            self.bar.set_postfix(shown, refresh=False)
            self.bar.update(1)

        def on_train_end(self, logs=None):
            self.bar.close()

    return EpochBar()
