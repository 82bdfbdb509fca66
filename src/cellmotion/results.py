"""The result of scoring classifiers on folds, as values (what the chapters, findings and JSON read).

:func:`cellmotion.classification.evaluate_models` returns an :class:`Evaluation`: every model's
:class:`ModelScores` (each score a :class:`Score`, a mean over folds with its 95 % interval),
the paired differences between models, the test cells and their out-of-fold probabilities,
and how the folds were made. Chapters and :mod:`cellmotion.findings` use attribute access
(``evaluation.models["ours"].per_track_bacc.lower``).

The metrics files keep plain JSON: :meth:`Evaluation.to_dict` gives the layout documented in
:func:`cellmotion.classification.evaluate_models` (the one ``classification_metrics.json`` and
``real_cells_metrics.json`` hold), and :meth:`Evaluation.from_dict` reads it back. JSON has no
NaN (:func:`cellmotion.paths.write_json` writes ``null``): ``from_dict`` turns ``null`` numbers
back into NaN, so a bound that does not exist stays NaN and its ``reason`` stays with it.
:meth:`Evaluation.from_dict` accepts a partial dict (fields not given keep their defaults),
so a small made-up result needs only the keys a test reads.

This module depends on nothing but the standard library, so the findings and the
summary can read results without importing the classifiers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

NAN = float("nan")


def to_float(x) -> float:
    """``x`` as a float; ``None`` (a NaN read back from JSON) as NaN.

    Parameters
    ----------
    x : float, int or None

    Returns
    -------
    float
    """
    return NAN if x is None else float(x)


def to_floats(xs) -> list:
    """A list of floats, ``None`` as NaN (nested lists stay nested).

    Parameters
    ----------
    xs : list

    Returns
    -------
    list
    """
    return [to_floats(x) if isinstance(x, (list, tuple)) else to_float(x) for x in xs]


@dataclass
class Score:
    """A mean over folds with its 95 % interval (a score, or a paired difference of scores).

    Parameters
    ----------
    mean : float
        Mean over the folds with a value.
    lower, upper : float
        Bounds of the 95 % interval; NaN where there is none (too few folds, zero spread).
    p : float
        p value of the mean against 0 (NaN without an interval).
    reason : str
        Why there is no interval (empty where there is one).
    folds : list of float, optional
        The value of every fold (scores keep them; paired differences do not).
    p_holm : float, optional
        Holm-adjusted p value over the comparisons of one table (paired differences and the
        cost of a new donor; ``None`` for a score).
    """

    mean: float
    lower: float = NAN
    upper: float = NAN
    p: float = NAN
    reason: str = ""
    folds: list | None = None
    p_holm: float | None = None

    @property
    def has_interval(self) -> bool:
        """Whether the bounds exist (finite) and differ: without that nothing may be claimed."""
        lo, hi = self.lower, self.upper
        return (lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi)
                and lo < hi)

    def flipped(self) -> "Score":
        """``b - a`` from this ``a - b``: the mean and bounds negated and swapped.

        Returns
        -------
        Score
        """
        return replace(self, mean=-self.mean, lower=-self.upper, upper=-self.lower,
                       folds=None if self.folds is None else [-x for x in self.folds])

    def _head(self) -> dict:
        out = {"mean": self.mean, "lower": self.lower, "upper": self.upper, "p": self.p}
        if self.reason:
            out["reason"] = self.reason
        return out

    def to_dict(self) -> dict:
        """``{"mean", "lower", "upper", "p"[, "reason"][, "folds"][, "p_holm"]}``.

        Returns
        -------
        dict
            The JSON layout of a score (with ``folds``) or of a paired difference (with
            ``p_holm``); fields that are unset (no reason, no folds, no adjusted p) are left out.
        """
        out = self._head()
        if self.folds is not None:
            out["folds"] = list(self.folds)
        if self.p_holm is not None:
            out["p_holm"] = self.p_holm
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "Score":
        """A :class:`Score` from its dict (:meth:`to_dict`, or as read back from JSON).

        Parameters
        ----------
        d : dict
            Needs ``mean``; ``lower``, ``upper``, ``p`` missing or ``None`` are NaN.

        Returns
        -------
        Score
        """
        return cls(mean=to_float(d["mean"]), lower=to_float(d.get("lower")),
                   upper=to_float(d.get("upper")), p=to_float(d.get("p")),
                   reason=d.get("reason") or "",
                   folds=None if d.get("folds") is None else to_floats(d["folds"]),
                   p_holm=None if "p_holm" not in d else to_float(d["p_holm"]))


@dataclass
class DonorCost(Score):
    """What a new donor costs one model (:func:`cellmotion.classification.new_donor_cost`).

    A :class:`Score` of the paired per-donor differences (cells scored with other cells of
    their donor in training minus with the donor held out), with ``p_holm`` over the models.

    Parameters
    ----------
    donors : dict
        ``{donor: {"grouped": score, "donor": score, "cells": n}}``, the pair of every donor.
    """

    donors: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """``{"mean", "lower", "upper", "p"[, "reason"], "donors", "p_holm"}``.

        Returns
        -------
        dict
            The JSON layout of one model's entry of ``new_donor_cost``.
        """
        out = {**self._head(), "donors": self.donors}
        if self.p_holm is not None:
            out["p_holm"] = self.p_holm
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "DonorCost":
        """A :class:`DonorCost` from its dict (as :meth:`to_dict` writes it).

        Parameters
        ----------
        d : dict
            One model's entry of ``new_donor_cost``.

        Returns
        -------
        DonorCost
        """
        base = Score.from_dict(d)
        donors = {r: {"grouped": to_float(v.get("grouped")), "donor": to_float(v.get("donor")),
                      "cells": int(v.get("cells", 0))} for r, v in (d.get("donors") or {}).items()}
        return cls(mean=base.mean, lower=base.lower, upper=base.upper, p=base.p,
                   reason=base.reason, p_holm=base.p_holm, donors=donors)


@dataclass
class ModelScores:
    """One model's scores under one protocol (an entry of :attr:`Evaluation.models`).

    Parameters
    ----------
    per_track_bacc, per_window_bacc, macro_f1 : Score
        Balanced accuracy per track and per window, macro-F1 per track, with every fold's
        value; intervals clipped to [0, 1].
    recall : dict
        ``{condition: recall}`` per track, mean over folds.
    confusion : list of list of int
        Per-track confusion matrix summed over the folds (rows: true condition).
    brier, brier_window : float
        Brier score per track and per window, mean over folds.
    ece : float
        Expected calibration error of the per-track probabilities of all folds, pooled.
    reliability : dict
        ``{"confidence", "accuracy", "count", ...}`` per bin
        (:func:`cellmotion.evaluation.reliability_curve`, all folds pooled).
    description : str
        What the model is, in words.
    epochs : list of int
        Epochs run per fold and seed (networks only).
    cell_proba : list of list of float
        Out-of-fold per-track probabilities, one row per entry of :attr:`Evaluation.cells`.
    """

    per_track_bacc: Score
    per_window_bacc: Score | None = None
    macro_f1: Score | None = None
    recall: dict = field(default_factory=dict)
    confusion: list = field(default_factory=list)
    brier: float = NAN
    brier_window: float = NAN
    ece: float = NAN
    reliability: dict = field(default_factory=dict)
    description: str = ""
    epochs: list = field(default_factory=list)
    cell_proba: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON layout of one model (keys as the fields, scores as :meth:`Score.to_dict`).

        Returns
        -------
        dict
        """
        def score(s):
            return None if s is None else s.to_dict()

        return {"per_track_bacc": score(self.per_track_bacc),
                "per_window_bacc": score(self.per_window_bacc), "macro_f1": score(self.macro_f1),
                "recall": dict(self.recall), "confusion": self.confusion, "brier": self.brier,
                "brier_window": self.brier_window, "ece": self.ece,
                "reliability": dict(self.reliability), "description": self.description,
                "epochs": list(self.epochs), "cell_proba": self.cell_proba}

    @classmethod
    def from_dict(cls, d: dict) -> "ModelScores":
        """One model's scores from its dict (missing fields keep their defaults).

        Parameters
        ----------
        d : dict
            As :meth:`to_dict` writes it, or read back from JSON (``null`` numbers are NaN).

        Returns
        -------
        ModelScores
        """
        def score(key):
            return Score.from_dict(d[key]) if d.get(key) is not None else None

        return cls(per_track_bacc=score("per_track_bacc"), per_window_bacc=score("per_window_bacc"),
                   macro_f1=score("macro_f1"),
                   recall={c: to_float(r) for c, r in (d.get("recall") or {}).items()},
                   confusion=[list(row) for row in d.get("confusion") or []],
                   brier=to_float(d.get("brier")), brier_window=to_float(d.get("brier_window")),
                   ece=to_float(d.get("ece")),
                   reliability={k: to_floats(v) for k, v in (d.get("reliability") or {}).items()},
                   description=d.get("description") or "", epochs=list(d.get("epochs") or []),
                   cell_proba=to_floats(d.get("cell_proba") or []))


@dataclass
class ScoredCells:
    """Every scored test cell of every fold, in order (a cell appears once per repeat).

    Parameters
    ----------
    cell : list of str
        Cell ids.
    y : list of int
        True condition (label) of each.
    fold : list of int
        The fold that tested it.
    replicate : list of str
        Its replicate (donor, movie); ``""`` for data without replicates.
    """

    cell: list = field(default_factory=list)
    y: list = field(default_factory=list)
    fold: list = field(default_factory=list)
    replicate: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """``{"cell", "y", "fold", "replicate"}``.

        Returns
        -------
        dict
        """
        return {"cell": list(self.cell), "y": list(self.y), "fold": list(self.fold),
                "replicate": list(self.replicate)}

    @classmethod
    def from_dict(cls, d: dict) -> "ScoredCells":
        """The test cells from their dict.

        Parameters
        ----------
        d : dict
            As :meth:`to_dict` writes it.

        Returns
        -------
        ScoredCells
        """
        return cls(**{k: list(d.get(k) or []) for k in ("cell", "y", "fold", "replicate")})


@dataclass
class CellsPerFold:
    """Cells in the training and test sets of the folds (what the corrected intervals use).

    Parameters
    ----------
    train, test : float
        Mean over the folds.
    train_folds, test_folds : list of float, optional
        One number per fold (``None`` where only the means are known).
    """

    train: float
    test: float
    train_folds: list | None = None
    test_folds: list | None = None

    @property
    def n_train(self):
        """Training cells per fold where known, else the mean (for :func:`interval`)."""
        return self.train if self.train_folds is None else self.train_folds

    @property
    def n_test(self):
        """Test cells per fold where known, else the mean."""
        return self.test if self.test_folds is None else self.test_folds

    def to_dict(self) -> dict:
        """``{"train", "test"[, "train_folds", "test_folds"]}``.

        Returns
        -------
        dict
        """
        out = {"train": self.train, "test": self.test}
        if self.train_folds is not None:
            out["train_folds"] = list(self.train_folds)
        if self.test_folds is not None:
            out["test_folds"] = list(self.test_folds)
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "CellsPerFold":
        """Cells per fold from their dict.

        Parameters
        ----------
        d : dict
            As :meth:`to_dict` writes it.

        Returns
        -------
        CellsPerFold
        """
        folds = {k: (None if d.get(k) is None else to_floats(d[k])) for k in ("train_folds", "test_folds")}
        return cls(train=to_float(d.get("train")), test=to_float(d.get("test")), **folds)


def _paired_to_dict(paired: dict) -> dict:
    return {a: {b: s.to_dict() for b, s in row.items()} for a, row in paired.items()}


def _paired_from_dict(paired: dict | None) -> dict:
    return {a: {b: Score.from_dict(s) for b, s in (row or {}).items()}
            for a, row in (paired or {}).items()}


@dataclass
class Evaluation:
    """Every model scored on the same folds under one protocol
    (:func:`cellmotion.classification.evaluate_models`).

    Parameters
    ----------
    models : dict
        ``{name: ModelScores}`` in the order asked for.
    paired : dict
        ``{a: {b: Score}}``: per-track balanced accuracy of ``a`` minus ``b``, paired by fold,
        with ``p_holm`` adjusted over all pairs of this result.
    paired_window : dict
        The same per window.
    conditions : list of str
        Condition names in label order.
    protocol : str
        ``"kfold"`` or ``"replicate"`` (one replicate held out per fold).
    n_folds : int
        Folds scored.
    seeds : list of int
        Seeds of the networks (their probabilities averaged); peers use the first.
    window : int
        Window length in steps.
    inputs : str
        ``"invariant"`` or ``"as-is"`` (what every model may read).
    cells : ScoredCells
        Every scored test cell (rows of each model's ``cell_proba``).
    cells_per_fold : CellsPerFold
        Training and test cells of the folds.
    seconds : dict
        ``{name: seconds}`` of training and prediction (an ensemble: its members' sum).
    """

    models: dict = field(default_factory=dict)
    paired: dict = field(default_factory=dict)
    paired_window: dict = field(default_factory=dict)
    conditions: list = field(default_factory=list)
    protocol: str = "kfold"
    n_folds: int = 0
    seeds: list = field(default_factory=list)
    window: int = 0
    inputs: str = "invariant"
    cells: ScoredCells = field(default_factory=ScoredCells)
    cells_per_fold: CellsPerFold | None = None
    seconds: dict = field(default_factory=dict)

    def difference(self, a: str, b: str, per: str = "track") -> Score:
        """``a - b`` in balanced accuracy per ``per`` (``"track"`` or ``"window"``).

        Parameters
        ----------
        a, b : str
            Model names.
        per : str
            ``"track"`` (:attr:`paired`) or ``"window"`` (:attr:`paired_window`).

        Returns
        -------
        Score
            The stored ``a - b``, or the stored ``b - a`` flipped.

        Raises
        ------
        KeyError
            When neither direction is stored.
        """
        table = self.paired if per == "track" else self.paired_window
        if b in table.get(a, {}):
            return table[a][b]
        if a in table.get(b, {}):
            return table[b][a].flipped()
        raise KeyError(f"no paired comparison of '{a}' and '{b}'")

    def ranking(self, metric: str = "per_track_bacc") -> list:
        """Model names by the mean of ``metric``, best first (ties keep the models' order).

        Parameters
        ----------
        metric : str
            A score of :class:`ModelScores` (``per_track_bacc``, ``per_window_bacc``,
            ``macro_f1``).

        Returns
        -------
        list of str
        """
        return sorted(self.models, key=lambda m: -getattr(self.models[m], metric).mean)

    def to_dict(self) -> dict:
        """The result as plain JSON values, in the layout documented in
        :func:`cellmotion.classification.evaluate_models`.

        Returns
        -------
        dict
            ``{"models", "paired", "conditions", "protocol", "n_folds", "seeds", "window",
            "inputs", "cells", "cells_per_fold", "seconds", "paired_window"}``.
        """
        return {"models": {m: s.to_dict() for m, s in self.models.items()},
                "paired": _paired_to_dict(self.paired), "conditions": list(self.conditions),
                "protocol": self.protocol, "n_folds": self.n_folds, "seeds": list(self.seeds),
                "window": self.window, "inputs": self.inputs, "cells": self.cells.to_dict(),
                "cells_per_fold": None if self.cells_per_fold is None else self.cells_per_fold.to_dict(),
                "seconds": dict(self.seconds), "paired_window": _paired_to_dict(self.paired_window)}

    @classmethod
    def from_dict(cls, d: dict) -> "Evaluation":
        """An :class:`Evaluation` from :meth:`to_dict`'s layout (as read back from JSON).

        Parameters
        ----------
        d : dict
            A result dict; missing keys keep the defaults, ``null`` numbers become NaN.

        Returns
        -------
        Evaluation
        """
        cpf = d.get("cells_per_fold")
        return cls(models={m: ModelScores.from_dict(s) for m, s in (d.get("models") or {}).items()},
                   paired=_paired_from_dict(d.get("paired")),
                   paired_window=_paired_from_dict(d.get("paired_window")),
                   conditions=list(d.get("conditions") or []), protocol=d.get("protocol", "kfold"),
                   n_folds=int(d.get("n_folds") or 0), seeds=list(d.get("seeds") or []),
                   window=int(d.get("window") or 0), inputs=d.get("inputs", "invariant"),
                   cells=ScoredCells.from_dict(d.get("cells") or {}),
                   cells_per_fold=None if cpf is None else CellsPerFold.from_dict(cpf),
                   seconds={m: to_float(s) for m, s in (d.get("seconds") or {}).items()})


def evaluations_from_dict(d: dict | None) -> dict:
    """``{protocol: Evaluation}`` from ``{protocol: result dict}`` (e.g. the ``evaluation`` of
    ``classification_metrics.json``); entries that are not result dicts are left out.

    Parameters
    ----------
    d : dict or None
        Protocol name to result dict.

    Returns
    -------
    dict
    """
    return {k: Evaluation.from_dict(v) for k, v in (d or {}).items()
            if isinstance(v, dict) and isinstance(v.get("models"), dict)}
