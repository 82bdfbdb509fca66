"""Superstatistical analysis of cell tracks with bayesloop (Metzner et al. 2015; Mark et al. 2018).

:mod:`.fit` fits the time-varying persistence and speed of each track (ScaledAR1 with
Gaussian random walks and a regime switch), stores and caches the results; :mod:`.compare`
compares the per-condition densities; :mod:`.recovery` validates the fit on tracks with known
parameters (and, on the synthetic stand-in, with the simulator's own). The names below are re-exported for the chapters.
"""

from .compare import (basic_interval, bhattacharyya, bootstrap_track_densities, check_same_grid, compare,
                      compare_with_reference, condition_overlaps, density_summary, evidence_nll,
                      hdr_levels, hellinger, sigma_sensitivity, training_halves)
from .fit import (EDGE_BAND, EDGE_MASS_MAX, PERSISTENCE, SPEED, SPEED_HEADROOM, SPEED_QUANTILE,
                  SuperstatModel, SuperstatResult, TrackFit, collect, fit_on_fitting_grid,
                  fit_track, fit_tracks, fit_trajectories, grid_edge_check, load_or_fit,
                  speed_range_for, subsample_per_condition, track_speed_scale, velocity_digest,
                  widened)
from .recovery import (grid_histogram, known_parameter_tracks, recovery_against_truth,
                       recovery_errors)

__all__ = ["PERSISTENCE", "SPEED", "SuperstatModel", "SuperstatResult", "TrackFit", "basic_interval", "bhattacharyya", "training_halves",
           "bootstrap_track_densities", "check_same_grid", "compare_with_reference",
           "condition_overlaps", "evidence_nll", "sigma_sensitivity",
           "collect", "compare", "density_summary", "fit_track", "fit_tracks", "fit_trajectories",
           "grid_histogram", "hdr_levels", "hellinger", "known_parameter_tracks", "recovery_against_truth", "load_or_fit", "recovery_errors",
           "subsample_per_condition", "velocity_digest", "EDGE_BAND", "EDGE_MASS_MAX",
           "SPEED_HEADROOM", "SPEED_QUANTILE", "fit_on_fitting_grid", "grid_edge_check",
           "speed_range_for", "track_speed_scale", "widened"]
