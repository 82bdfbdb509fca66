"""The one place that prepares TensorFlow/Keras for the book: quiet logs, one thread, then import.

TensorFlow prints log lines on import unless ``TF_CPP_MIN_LOG_LEVEL`` and
``TF_ENABLE_ONEDNN_OPTS`` are set *before* it is imported. Every module that needs Keras calls
:func:`keras`, which sets them (without overriding a user's own values) and imports Keras
lazily, so that importing the package stays fast for readers that never train a network.

It also gives TensorFlow one thread per process (:data:`THREAD_ENV`). The book's networks are
small (5 to 32 LSTM units per layer), and it trains them in parallel processes, one per core (folds,
conditions, chapters side by side). A second thread in each process then only competes for
the same cores: measured with four processes training the report's network B at once on two
cores, one thread each used 15 % less CPU time than TensorFlow's default (a thread pool per
core), for the same result. A user with one process and many cores can set
``TF_NUM_INTRAOP_THREADS`` themselves; a value already set is kept.
"""

from __future__ import annotations

import logging
import os

#: Environment that keeps TensorFlow quiet; the build runner passes it to every chapter.
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}


#: TensorFlow's thread pools (operations and their scheduling): one thread each per process.
THREAD_ENV = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}


def quiet_tensorflow() -> None:
    """Set :data:`QUIET_ENV` and :data:`THREAD_ENV` unless already set (call before TensorFlow
    is imported)."""
    for key, value in {**QUIET_ENV, **THREAD_ENV}.items():
        os.environ.setdefault(key, value)


def keras():
    """The Keras module, imported after :func:`quiet_tensorflow`."""
    quiet_tensorflow()
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    import keras as _keras

    return _keras


def batches(arrays, batch_size: int, shuffle_seed: int | None = None):
    """A ``tf.data`` pipeline of ``arrays`` in batches for Keras ``fit``, shuffled anew each
    epoch when a seed is given (the last batch may be smaller).

    Keras turns NumPy arrays into a pipeline whose every pass (each epoch and each validation)
    costs about 23 ms of CPU to start, whatever the data's size; this one costs about 1 ms.
    For the book's small networks that was about a third of a cross-validated network's
    training CPU (148 to 99 CPU-s on the real cells' four donor folds, two networks and two
    seeds) and a fifth of a generator's (25.8 to 20.0 CPU-s for 60 epochs, compilation
    included).

    Parameters
    ----------
    arrays : tuple of numpy.ndarray
        Inputs, targets and optionally sample weights, with equal first dimensions.
    batch_size : int
        Samples per batch.
    shuffle_seed : int, optional
        Seed of the shuffling (a new order each epoch); ``None`` keeps the order.

    Returns
    -------
    tensorflow.data.Dataset
    """
    quiet_tensorflow()
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices(tuple(arrays))
    if shuffle_seed is not None:
        ds = ds.shuffle(len(arrays[0]), seed=int(shuffle_seed), reshuffle_each_iteration=True)
    return ds.batch(int(batch_size))
