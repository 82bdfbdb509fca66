"""cellmotion: sequence models for cell migration trajectories.

The package behind the book "LSTM networks for biological cell movement", a re-executable
rebuild of Rieke (2016). Its layers import downward only (``ARCHITECTURE.md`` draws them):

- :mod:`.contract`        the tidy table of tracks, its checks, units, cells and replicates
- :mod:`.paths`, :mod:`.runtime`, :mod:`.report`   files (one atomic writer), the TensorFlow
  environment, the report's numbers
- :mod:`.io`              readers of every supported input format
- :mod:`.config`          parsing of dataset configs (YAML)
- :mod:`.curation`        gaps, resampling, short tracks
- :mod:`.synthetic`       the simulator and the worked example's generator
- :mod:`.datasets`        the one entry point: a dataset's name -> curated table and description
- :mod:`.refusals`        the table of bad inputs and what the user is told
- :mod:`.preprocess`      velocities, splits by cell, normalisation, windows
- :mod:`.motility`        classic measures per step, per track and per sub-track
- :mod:`.models`          classifier networks, mixture density network, likelihood baselines
- :mod:`.classification`, :mod:`.generation`, :mod:`.superstats`   the three analyses
- :mod:`.summary`, :mod:`.figures`   headline table and shared plots
- :mod:`.build`           executes the chapters with papermill and renders the book
"""

__version__ = "0.1.0"
