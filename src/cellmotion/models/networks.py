"""The report's classifier networks (Rieke 2016, ch. 4), ours, and how they are trained.

Stacked LSTM layers (Hochreiter & Schmidhuber 1997; Graves 2013) on windows of velocity
steps, topped by a dense softmax over the conditions. :data:`NETWORKS` holds the report's
A-D; :class:`Schedule` says how a network is trained (:data:`ORIGINAL`: the original code's
batch 15 x 100 epochs; :data:`FAST`: ours, see :mod:`cellmotion.classification`).

A :class:`NetworkSpec` may also ask for more than the report's networks had, all inside the
model so that a saved network takes plain velocity windows of any length:

- ``channels``: what the recurrent layers read, computed from the (augmented) velocities by
  :func:`MotionChannels`: ``"velocity"`` (the components, as the report), ``"invariant"``
  (log speed and the signed turning angle into each step: unchanged by rotating a window),
  ``"both"``, or ``"multiscale"`` (log length and turning of the displacements over 1, 2 and
  4 steps: the speed and turning of the cell at three time scales, all rotation-invariant);
- ``rotate`` / ``reflect``: random rotation in the x-y plane and random mirror image of every
  training window (cells on a dish have no preferred direction nor handedness);
- ``conv``: a convolutional front end (filters per ``Conv1D`` layer, kernel ``kernel`` steps,
  ReLU) before the LSTM layers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import runtime


#: What a network may read (:func:`MotionChannels`); :data:`INVARIANT_CHANNELS` do not change
#: when a whole window is rotated.
CHANNELS = ("velocity", "invariant", "both", "multiscale")
INVARIANT_CHANNELS = ("invariant", "multiscale")


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
    channels: str = "velocity"
    reflect: bool = False
    conv: tuple = ()
    kernel: int = 5

    def describe(self) -> str:
        kind = "bidirectional LSTM" if self.bidirectional else "LSTM"
        text = f"{len(self.layers)} {kind} layer(s) x " + "/".join(map(str, self.layers)) + " units"
        if self.conv:
            text = (f"{len(self.conv)} convolution layer(s) x " + "/".join(map(str, self.conv))
                    + f" filters of {self.kernel} steps, then " + text)
        if self.channels != "velocity":
            text += {"invariant": ", inputs log speed and turning angle",
                     "both": ", inputs velocities, log speed and turning angle",
                     "multiscale": ", inputs log length and turning angle of the displacements "
                                   "over 1, 2 and 4 steps"}[self.channels]
        if self.train_stride:
            text += f", overlapping training windows (stride {self.train_stride} steps)"
        aug = [w for w, on in (("rotation", self.rotate), ("reflection", self.reflect)) if on]
        return text + (f", random x-y {' and '.join(aug)} of training windows" if aug else "")


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

        def __init__(self, seed=None, rotate=True, reflect=False, **kwargs):
            super().__init__(**kwargs)
            self.seed = seed
            self.rotate = rotate
            self.reflect = reflect
            self.seed_generator = keras.random.SeedGenerator(seed)

        def call(self, x, training=None):
            if not training:
                return x
            n = ops.shape(x)[0]
            vx, vy = x[..., 0], x[..., 1]
            if self.reflect:  # mirror y in half of the windows (before any rotation)
                flip = keras.random.uniform((n, 1), seed=self.seed_generator) < 0.5
                vy = ops.where(flip, -vy, vy)
            if self.rotate:
                theta = keras.random.uniform((n, 1), 0.0, 2 * math.pi, seed=self.seed_generator)
                c, s = ops.cos(theta), ops.sin(theta)
                vx, vy = c * vx - s * vy, s * vx + c * vy
            return ops.concatenate([ops.stack([vx, vy], axis=-1), x[..., 2:]], axis=-1)

        def get_config(self):
            return {**super().get_config(), "seed": self.seed, "rotate": self.rotate,
                    "reflect": self.reflect}

    @keras.saving.register_keras_serializable(package="cellmotion")
    class MotionChannels(keras.layers.Layer):
        """Velocity windows ``(n, T, d)`` -> the channels a network reads.

        ``"velocity"``: unchanged; ``"invariant"``: ``log(speed + eps)`` and the turning angle
        into each step (signed in 2D, unsigned otherwise, 0 for the first step and next to a
        step of zero length); ``"both"``: the velocities followed by the two invariants;
        ``"multiscale"``: for every scale ``s`` in ``scales``, the log length of the
        displacement over the last ``s`` steps and its turning angle from the displacement
        ``s`` steps earlier (``2 len(scales)`` channels, all rotation-invariant).
        """

        def __init__(self, kind="velocity", eps=1e-3, scales=(1, 2, 4), **kwargs):
            super().__init__(**kwargs)
            if kind not in CHANNELS:
                raise ValueError(f"unknown channels '{kind}'")
            self.kind = kind
            self.eps = eps
            self.scales = tuple(int(s) for s in scales)

        def _invariants(self, x, lag):
            """log speed of each step and the turning angle from the step ``lag`` before."""
            speed = ops.sqrt(ops.sum(x * x, axis=-1) + 1e-12)
            a, b = x[:, :-lag], x[:, lag:]
            dot = ops.sum(a * b, axis=-1)
            if x.shape[-1] == 2:
                cross = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
            else:
                c = ops.cross(a, b) if x.shape[-1] == 3 else ops.zeros_like(a)
                cross = ops.sqrt(ops.sum(c * c, axis=-1) + 1e-12)
            angle = ops.arctan2(cross, dot + 1e-12)
            angle = ops.pad(angle, [[0, 0], [lag, 0]])
            return [ops.log(speed + self.eps), angle]

        def call(self, x):
            if self.kind == "velocity":
                return x
            if self.kind == "multiscale":
                # displacement over the last s steps (zero-padded at the start), its log length
                # and its turning from the displacement s steps earlier, for every scale s
                c = ops.pad(ops.cumsum(x, axis=1), [[0, 0], [1, 0], [0, 0]])
                chans = []
                for s in self.scales:
                    disp = c[:, s:] - c[:, :-s]
                    disp = ops.pad(disp, [[0, 0], [s - 1, 0], [0, 0]])
                    chans += self._invariants(disp, s)
                return ops.stack(chans, axis=-1)
            inv = ops.stack(self._invariants(x, 1), axis=-1)
            return inv if self.kind == "invariant" else ops.concatenate([x, inv], axis=-1)

        def get_config(self):
            return {**super().get_config(), "kind": self.kind, "eps": self.eps,
                    "scales": list(self.scales)}

    @keras.saving.register_keras_serializable(package="cellmotion")
    class InputGain(keras.layers.Layer):
        """Multiply the inputs by a constant gain, held as a non-trainable weight.

        The same product as ``keras.layers.Rescaling``, but the gain is a variable rather than
        a constant of the compiled graph, so one compiled network can be trained again with
        another fold's gain (:func:`cellmotion.classification.train_network` reuses compiled
        networks across folds and seeds).
        """

        def __init__(self, gain=1.0, **kwargs):
            super().__init__(**kwargs)
            self.initial_gain = float(gain)

        def build(self, input_shape):
            self.gain = self.add_weight(shape=(), name="gain", trainable=False,
                                        initializer=keras.initializers.Constant(self.initial_gain))

        def call(self, x):
            return x * ops.cast(self.gain, x.dtype)

        def get_config(self):
            return {**super().get_config(), "gain": self.initial_gain}

    return RandomPlaneRotation, MotionChannels, InputGain


_LAYERS = None


def _layers():
    global _LAYERS
    if _LAYERS is None:
        _LAYERS = _rotation_layer_class()
    return _LAYERS


def register_layers() -> None:
    """Register this module's Keras layers with Keras's serialization.

    A model that uses them can then be loaded, or unpickled when it comes back from a worker
    process, in a process that has not built one itself.
    """
    _layers()


def RandomPlaneRotation(seed=None, rotate=True, reflect=False, **kwargs):
    """Keras layer rotating (and, with ``reflect``, mirroring) training windows randomly in
    the x-y plane; further channels pass unchanged; the identity at inference."""
    return _layers()[0](seed=seed, rotate=rotate, reflect=reflect, **kwargs)


def MotionChannels(kind="velocity", eps=1e-3, scales=(1, 2, 4), **kwargs):
    """Keras layer turning velocity windows into the channels ``kind`` (see module docstring).

    Parameters
    ----------
    kind : {"velocity", "invariant", "both", "multiscale"}
        What the network reads (:data:`CHANNELS`).
    eps : float
        Added to the speed before the logarithm.
    scales : tuple of int
        Step counts of the ``"multiscale"`` displacements.

    Returns
    -------
    keras.layers.Layer
        The layer; ``(n, T, d)`` velocity windows in, ``(n, T, c)`` channels out.
    """
    return _layers()[1](kind=kind, eps=eps, scales=scales, **kwargs)


def InputGain(gain=1.0, **kwargs):
    """Keras layer multiplying its inputs by ``gain``, kept as a non-trainable weight."""
    return _layers()[2](gain=gain, **kwargs)


def build_classifier(spec: NetworkSpec, n_features: int, n_classes: int,
                     learning_rate: float = 1e-3, seed: int | None = None, clipnorm: float | None = None,
                     steps_per_execution: int = 1, input_gain: float | None = None,
                     compile: bool = True):
    """Stacked LSTM classifier: ``(batch, time, n_features)`` -> class probabilities.

    Any window length is accepted (the time axis is ``None``), so a network trained on 30
    steps can be tested on longer or shorter windows (the report's Figure 7). Compiled with
    RMSprop and sparse categorical cross-entropy (the same loss as categorical
    cross-entropy on one-hot labels).

    Parameters
    ----------
    spec : NetworkSpec
        The architecture: optional random x-y rotation/reflection layer, input channels,
        convolution layers, then the (optionally bidirectional) LSTM layers.
    n_features : int
        Channels of the input (velocity dimensions); rotation needs at least 2.
    n_classes : int
        Conditions to tell apart (softmax outputs).
    learning_rate : float
        RMSprop learning rate.
    seed : int, optional
        Seed of the random rotation layer.
    clipnorm : float, optional
        Gradient norm clipping of RMSprop.
    steps_per_execution : int
        Batches per compiled call (Keras ``steps_per_execution``).
    input_gain : float, optional
        Multiply the inputs by this factor first (an :func:`InputGain` layer), e.g. one over
        the training windows' standard deviation.
    compile : bool
        ``False`` returns the network uncompiled (its weights drawn as in the compiled one).

    Returns
    -------
    keras.Model
        The model, named ``network_<spec.name>``, compiled with weighted accuracy as metric
        unless ``compile=False``.

    Raises
    ------
    ValueError
        Rotation or reflection with fewer than two features.
    """
    keras = runtime.keras()
    inp = keras.Input(shape=(None, n_features), name="velocities")
    x = inp
    if input_gain is not None:
        x = InputGain(float(input_gain), name="gain")(x)
    if spec.rotate or spec.reflect:
        if n_features < 2:
            raise ValueError("rotation and reflection need at least x and y")
        x = RandomPlaneRotation(seed=seed, rotate=spec.rotate, reflect=spec.reflect,
                                name="rotate_xy" if not spec.reflect else "rotate_reflect_xy")(x)
    if spec.channels != "velocity":
        x = MotionChannels(spec.channels, name=f"channels_{spec.channels}")(x)
    for k, filters in enumerate(spec.conv):
        x = keras.layers.Conv1D(int(filters), spec.kernel, padding="same", activation="relu",
                                name=f"conv_{k}")(x)
    for k, units in enumerate(spec.layers):
        lstm = keras.layers.LSTM(units, return_sequences=k < len(spec.layers) - 1)
        x = keras.layers.Bidirectional(lstm)(x) if spec.bidirectional else lstm(x)
    out = keras.layers.Dense(n_classes, activation="softmax", name="condition")(x)
    model = keras.Model(inp, out, name=f"network_{spec.name}")
    if not compile:
        return model
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
