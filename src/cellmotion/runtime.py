"""The one place that prepares TensorFlow/Keras for the book: quiet logs, then import.

TensorFlow prints log lines on import unless ``TF_CPP_MIN_LOG_LEVEL`` and
``TF_ENABLE_ONEDNN_OPTS`` are set *before* it is imported. Every module that needs Keras calls
:func:`keras`, which sets them (without overriding a user's own values) and imports Keras
lazily, so that importing the package stays fast for readers that never train a network.
"""

from __future__ import annotations

import logging
import os

#: Environment that keeps TensorFlow quiet; the build runner passes it to every chapter.
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}


def quiet_tensorflow() -> None:
    """Set :data:`QUIET_ENV` unless already set (call before TensorFlow is imported)."""
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)


def keras():
    """The Keras module, imported after :func:`quiet_tensorflow`."""
    quiet_tensorflow()
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    import keras as _keras

    return _keras
