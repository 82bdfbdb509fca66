"""Superstatistical analysis of cell tracks with bayesloop (Metzner et al. 2015; Mark et al. 2018).

:mod:`.fit` fits the time-varying persistence and speed of each track (ScaledAR1 with
Gaussian random walks and a regime switch), stores and caches the results; :mod:`.compare`
compares the per-condition densities; :mod:`.recovery` validates the fit on tracks with known
parameters (and, on the synthetic stand-in, with the simulator's own). The names below are re-exported for the chapters.
"""

from .compare import (bhattacharyya, bootstrap_track_densities, check_same_grid, compare,
                      compare_with_reference, condition_overlaps, density_summary, evidence_nll,
                      hdr_levels, hellinger, sigma_sensitivity)
from .fit import (PERSISTENCE, SPEED, SuperstatModel, SuperstatResult, TrackFit, collect,
                  fit_track, fit_tracks, fit_trajectories, load_or_fit, subsample_per_condition,
                  velocity_digest)
from .recovery import (grid_histogram, known_parameter_tracks, recovery_against_truth,
                       recovery_errors)

__all__ = ["PERSISTENCE", "SPEED", "SuperstatModel", "SuperstatResult", "TrackFit", "bhattacharyya",
           "bootstrap_track_densities", "check_same_grid", "compare_with_reference",
           "condition_overlaps", "evidence_nll", "sigma_sensitivity",
           "collect", "compare", "density_summary", "fit_track", "fit_tracks", "fit_trajectories",
           "grid_histogram", "hdr_levels", "hellinger", "known_parameter_tracks", "recovery_against_truth", "load_or_fit", "recovery_errors",
           "subsample_per_condition", "velocity_digest"]
