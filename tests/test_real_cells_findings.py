"""The sentences of the chapter *Real cells* that decide who beats whom, and the computed
protocol text: one criterion (the table's, with Holm's adjustment) and one unit (percentage
points), and no number that is not computed from the inputs."""

import math
import re

import pytest

from cellmotion.findings import real_cells as F
from cellmotion.results import DonorCost, Evaluation, Score


def S(mean, lower, upper, p_holm=None):
    d = {"mean": mean, "lower": lower, "upper": upper}
    if p_holm is not None:
        d["p_holm"] = p_holm
    return d


def three_models(forest_vs_mini_holm=.2, mini_vs_ours_holm=.0004, forest_vs_ours_holm=.004):
    """MiniRocket leads the forest narrowly (Holm fails by default) and both lead our network."""
    return Evaluation.from_dict({
        "models": {"minirocket": {"per_track_bacc": S(.62, .55, .69)},
                   "forest": {"per_track_bacc": S(.60, .50, .70)},
                   "ours": {"per_track_bacc": S(.46, .40, .52)}},
        "paired": {"minirocket": {"forest": S(.02, .01, .03, forest_vs_mini_holm),
                                  "ours": S(.16, .09, .23, mini_vs_ours_holm)},
                   "forest": {"ours": S(.14, .07, .21, forest_vs_ours_holm)}},
        "conditions": ["A", "B", "C", "D"]})


def test_p_text_writes_small_p_values_as_below_a_bound():
    assert F.p_text(0.0002) == "<0.001"
    assert F.p_text(0.004) == "0.004"
    assert F.p_text(0.2) == "0.20"
    assert F.p_text(float("nan")) == "\u2014" and F.p_text(None) == "\u2014"


def test_winner_sentence_does_not_contradict_itself_when_the_lead_fails_holm():
    text = F.winner_sentence(three_models(), "a new donor")
    assert "no winner can be claimed" in text
    # the runner-up is named as not separable, with its Holm-adjusted p, in points
    assert "Its lead over the motility-feature forest, +2 points" in text
    assert "Holm-adjusted p = 0.20" in text and "does not survive Holm" in text
    # what the leader does beat is said with the same criterion and unit
    assert "It does beat our network by +16 points" in text and "Holm-adjusted p < 0.001" in text
    assert "0.16" not in text and "0.02" not in text  # no fractions beside points


def test_winner_sentence_tests_every_other_model_not_only_the_runner_up():
    # the lead over the runner-up is real, but the lead over the third fails Holm's adjustment
    r = three_models(forest_vs_mini_holm=.01, mini_vs_ours_holm=.3)
    text = F.winner_sentence(r, "x")
    assert "no winner can be claimed" in text
    assert "Its lead over our network, +16 points" in text
    assert "It does beat the motility-feature forest by +2 points" in text
    # all leads real: a winner, every comparison named
    text = F.winner_sentence(three_models(forest_vs_mini_holm=.01), "x")
    assert "It beats every other model" in text and "no winner" not in text
    assert "the motility-feature forest, the runner-up, by +2 points" in text
    assert "our network by +16 points" in text


def test_winner_sentence_names_an_interval_containing_zero_as_noise():
    r = Evaluation.from_dict({
        "models": {"forest": {"per_track_bacc": S(.6, .5, .7)}, "ours": {"per_track_bacc": S(.55, .5, .6)}},
        "paired": {"forest": {"ours": S(.05, -.02, .12, .4)}}, "conditions": ["A", "B", "C"]})
    text = F.winner_sentence(r, "x")
    assert "within the noise" in text and "no winner can be claimed" in text
    assert "chance 33 %" in text and "beats" not in text


def test_ours_sentence_uses_the_tables_holm_criterion_and_points():
    text = F.ours_sentence(three_models(), "one donor left out in turn (4 folds)")
    assert text.startswith("With one donor left out in turn (4 folds), our network is beaten by")
    assert "the motility-feature forest (\u221214 points; 95 % interval \u221221 to \u22127; " \
           "Holm-adjusted p = 0.004)" in text
    assert "\u22120.14" not in text and not re.search(r"-\d", text)  # true minus signs, points
    # an interval below 0 whose adjusted p is not below 0.05 is no claim
    text = F.ours_sentence(three_models(forest_vs_ours_holm=.08), "x")
    assert "cannot be told apart from the motility-feature forest" in text
    assert "is beaten by MiniRocket" in text
    with pytest.raises(KeyError):
        F.ours_sentence(three_models(), "x", ours="report-best")


def test_new_donor_and_artefact_sentences_carry_the_adjusted_p():
    cost = DonorCost.from_dict({"mean": .2, "lower": .05, "upper": .35, "p": .01, "p_holm": .02,
                                "donors": {"d1": {}, "d2": {}, "d3": {}, "d4": {}}})
    assert "+20 points (95 % interval +5 to +35; Holm-adjusted p = 0.02)" in F.new_donor_sentence({"ours": cost})
    rows = {"x": [{"model": "forest", "per": "track", "a": .7, "b": .6, "diff": .1, "lower": .05,
                   "upper": .15, "p_holm": .3}]}
    text = F.artefact_sentence(rows)
    assert "no difference can be claimed" in text and "Holm-adjusted p = 0.30" in text


@pytest.mark.parametrize("models, k, donors", [
    (["report-best", "ours", "forest", "minirocket", "multirocket"], 4, 4),
    (["report-best", "forest"], 4, 4),
    (["forest"], 3, 5),
])
def test_protocol_text_counts_models_chance_and_resamples_from_its_inputs(models, k, donors):
    words = ["no", "one", "two", "three", "four", "five", "six"]
    text = F.protocol_text({m: f"reads something ({m})" for m in models}, [f"c{i}" for i in range(k)],
                           donors, 30)
    assert text.startswith(f"{words[len(models)].capitalize()} classifier")
    assert f"chance is {round(100 / k)} %" in text and f"the {words[k]} conditions" in text
    assert f"only {math.comb(2 * donors - 1, donors)} distinct resamples" in text
    assert f"trains on {words[donors - 1]} donors" in text
    assert text.count("\n- ") == len(models)
    assert ("MiniRocket" in text) == ("minirocket" in models)  # only the models run are named


def test_own_inputs_sentence_names_only_the_models_compared():
    text = F.own_inputs_sentence({"forest": "13 measures"}, {"forest": "13 measures"})
    assert "the motility-feature forest as 13 measures" in text
    assert "only the drift differs" in text and "MiniRocket" not in text
    text = F.own_inputs_sentence({"minirocket": "on velocities"}, {"minirocket": "on log speed"})
    assert "MiniRocket as on velocities (rotation-invariant version: on log speed)" in text
    with pytest.raises(ValueError):
        F.own_inputs_sentence({}, {})
