"""A progress bar for Keras training, in the console and in notebooks (tqdm).

Keras prints its own bars only with ``verbose=1``, which floods a notebook with one line per
batch. :func:`epoch_bar` gives one tqdm bar per ``fit`` that advances once per epoch and
shows the latest losses; ``tqdm.auto`` draws a widget in Jupyter and text in a terminal.
"""

from __future__ import annotations

from tqdm.auto import tqdm

from .. import runtime


def epoch_bar(total_epochs: int, desc: str = "training", leave: bool = False):
    """A Keras callback showing one bar over the epochs of a ``fit`` call."""
    keras = runtime.keras()

    class EpochBar(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.bar = tqdm(total=total_epochs, desc=desc, unit="epoch", leave=leave)

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            shown = {k: f"{v:.3g}" for k, v in logs.items() if k in ("loss", "val_loss")}
            self.bar.set_postfix(shown, refresh=False)
            self.bar.update(1)

        def on_train_end(self, logs=None):
            self.bar.close()

    return EpochBar()
