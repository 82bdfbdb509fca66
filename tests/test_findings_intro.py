"""The introduction claims about our network only what the run measured."""

import numpy as np

from cellmotion.findings import intro as FI


def _metrics(paired):
    return {"evaluation": {"grouped": {"paired": {"ours": paired}}}}


def test_no_better_network_unless_the_interval_says_so():
    m = _metrics({"forest": {"mean": -0.1, "lower": -0.15, "upper": -0.05},
                  "report-best": {"mean": 0.2, "lower": 0.1, "upper": 0.3},
                  "minirocket": {"mean": 0.0, "lower": -0.1, "upper": 0.1},
                  "noise": {"mean": 0.06, "lower": np.nan, "upper": np.nan},  # no interval
                  "ours+forest": {"mean": -0.2, "lower": -0.3, "upper": -0.1}})  # contains ours
    s = FI.network_sentence(m)
    assert "scores higher than report-best" in s and "scores lower than forest" in s
    assert "cannot be told apart from minirocket, noise" in s
    assert "ours+forest" not in s and "better" not in s
    assert "not compared" in FI.network_sentence(None)
    assert "not compared" in FI.network_sentence({"evaluation": {"grouped": {}}})


def test_chapter_list_carries_the_measured_sentence():
    text = FI.chapter_list(_metrics({"forest": {"mean": -0.1, "lower": -0.15, "upper": -0.05}}))
    assert "scores lower than forest" in text and "better network" not in text
    assert text.count("{doc}") == 7
