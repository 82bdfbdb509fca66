"""The report's classifier networks (Rieke 2016, ch. 4) and how they are trained.

Stacked LSTM layers (Hochreiter & Schmidhuber 1997; Graves 2013) on windows of velocity
steps, topped by a dense softmax over the conditions. :data:`NETWORKS` holds the report's
A-D; :class:`Schedule` says how a network is trained (:data:`ORIGINAL`: the original code's
batch 15 x 100 epochs; :data:`FAST`: ours, see :mod:`cellmotion.classification`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import runtime


@dataclass(frozen=True)
class NetworkSpec:
    """Architecture of a classifier: LSTM ``layers`` (units per layer), optional
    bidirectional layers, random x-y rotation of training windows, and the stride between
    training windows (``None``: non-overlapping, as the report; test windows never overlap)."""

    name: str
    layers: tuple
    bidirectional: bool = False
    rotate: bool = False
    train_stride: int | None = None

    def describe(self) -> str:
        kind = "bidirectional LSTM" if self.bidirectional else "LSTM"
        text = f"{len(self.layers)} {kind} layer(s) x " + "/".join(map(str, self.layers)) + " units"
        if self.train_stride:
            text += f", overlapping training windows (stride {self.train_stride} steps)"
        return text + (", random x-y rotation of training windows" if self.rotate else "")


#: The report's four networks.
NETWORKS = {
    "A": NetworkSpec("A", (5,)),
    "B": NetworkSpec("B", (10,)),
    "C": NetworkSpec("C", (10, 10)),
    "D": NetworkSpec("D", (30, 30, 30)),
}


@dataclass(frozen=True)
class Schedule:
    """How a network is trained. ``patience=None`` or ``val_fraction=0`` trains all epochs."""

    batch_size: int = 48
    learning_rate: float = 0.002
    max_epochs: int = 50
    patience: int | None = 10
    val_fraction: float = 0.15
    clipnorm: float | None = 1.0
    steps_per_execution: int = 32
    start_from_epoch: int = 5
    standardize: bool = True


#: The report's schedule: batch 15, 100 epochs, RMSprop 0.001, no validation set.
ORIGINAL = Schedule(batch_size=15, learning_rate=1e-3, max_epochs=100, patience=None, val_fraction=0.0,
                    clipnorm=None, steps_per_execution=1, standardize=False)
#: Our faster schedule (see module docstring).
FAST = Schedule()


def _rotation_layer_class():
    keras = runtime.keras()
    from keras import ops

    @keras.saving.register_keras_serializable(package="cellmotion")
    class RandomPlaneRotation(keras.layers.Layer):
        """Rotate each window by its own random angle in the x-y plane while training.

        Cells on a dish have no preferred direction, so a rotated window is as likely as the
        original. Channels 0 and 1 are x and y; further channels (z) pass unchanged. At
        inference the layer is the identity.
        """

        def __init__(self, seed=None, **kwargs):
            super().__init__(**kwargs)
            self.seed = seed
            self.seed_generator = keras.random.SeedGenerator(seed)

        def call(self, x, training=None):
            if not training:
                return x
            theta = keras.random.uniform((ops.shape(x)[0], 1), 0.0, 2 * math.pi,
                                         seed=self.seed_generator)
            c, s = ops.cos(theta), ops.sin(theta)
            vx, vy = x[..., 0], x[..., 1]
            rot = ops.stack([c * vx - s * vy, s * vx + c * vy], axis=-1)
            return ops.concatenate([rot, x[..., 2:]], axis=-1)

        def get_config(self):
            return {**super().get_config(), "seed": self.seed}

    return RandomPlaneRotation


_ROTATION = None


def RandomPlaneRotation(seed=None, **kwargs):
    """Keras layer rotating training windows randomly in the x-y plane (identity at inference)."""
    global _ROTATION
    if _ROTATION is None:
        _ROTATION = _rotation_layer_class()
    return _ROTATION(seed=seed, **kwargs)


def build_classifier(spec: NetworkSpec, n_features: int, n_classes: int,
                     learning_rate: float = 1e-3, seed: int | None = None, clipnorm: float | None = None,
                     steps_per_execution: int = 1, input_gain: float | None = None):
    """Stacked LSTM classifier: ``(batch, time, n_features)`` -> class probabilities.

    Any window length is accepted (the time axis is ``None``), so a network trained on 30
    steps can be tested on longer or shorter windows (the report's Figure 7). Compiled with
    RMSprop and sparse categorical cross-entropy (the same loss as categorical
    cross-entropy on one-hot labels).
    """
    keras = runtime.keras()
    inp = keras.Input(shape=(None, n_features), name="velocities")
    x = inp
    if input_gain is not None:
        x = keras.layers.Rescaling(float(input_gain), name="gain")(x)
    if spec.rotate:
        if n_features < 2:
            raise ValueError("rotation needs at least x and y")
        x = RandomPlaneRotation(seed=seed, name="rotate_xy")(x)
    for k, units in enumerate(spec.layers):
        lstm = keras.layers.LSTM(units, return_sequences=k < len(spec.layers) - 1)
        x = keras.layers.Bidirectional(lstm)(x) if spec.bidirectional else lstm(x)
    out = keras.layers.Dense(n_classes, activation="softmax", name="condition")(x)
    model = keras.Model(inp, out, name=f"network_{spec.name}")
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate, clipnorm=clipnorm),
                  loss="sparse_categorical_crossentropy", weighted_metrics=["accuracy"],
                  steps_per_execution=steps_per_execution)
    return model


def class_weights(y, n_classes: int) -> dict:
    """Weights ``N / (K N_i)`` per class (``N_i`` = number of samples of class ``i``).

    Every present class gets the same total weight and the weights of all samples sum to
    ``N``; an absent class gets weight 0.
    """
    y = np.asarray(y, dtype=int)
    counts = np.bincount(y, minlength=n_classes).astype(float)
    present = counts > 0
    w = np.zeros(n_classes)
    w[present] = len(y) / (present.sum() * counts[present])
    return {i: float(w[i]) for i in range(n_classes)}


def sample_weights(y, n_classes: int) -> np.ndarray:
    """Per-sample weights from :func:`class_weights`."""
    w = class_weights(y, n_classes)
    return np.array([w[int(c)] for c in y], dtype=np.float32)
