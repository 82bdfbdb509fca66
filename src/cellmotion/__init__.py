"""cellmotion: sequence models for cell migration trajectories.

The package behind the book "LSTM networks for biological cell movement", a re-executable
rebuild of Rieke (2016). One module per concern:

- :mod:`cellmotion.loading`     tidy table of tracks (the data contract), loaders, validation
- :mod:`cellmotion.simulate`    superstatistical persistent random walk, the synthetic default dataset
- :mod:`cellmotion.datasets`    named datasets (``"synthetic"``) and paths
- :mod:`cellmotion.preprocess`  resampling, velocities, normalisation, split, windows
- :mod:`cellmotion.motility`    classic motility measures on one track
- :mod:`cellmotion.figures`     shared colours and plots with units
- :mod:`cellmotion.build`       executes the chapters with papermill and renders the book
"""

__version__ = "0.1.0"
