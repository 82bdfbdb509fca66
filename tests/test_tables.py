"""The one table formatter: what a reader sees instead of a raw pandas frame."""

import numpy as np
import pandas as pd

from cellmotion import tables


def test_missing_values_are_dashes_with_a_reason_and_the_index_is_a_named_column():
    df = pd.DataFrame({"heldout_nll": [1.23456, np.nan], "n": [3, 4]},
                      index=pd.Index(["fMLP", "PBS"], name="condition"))
    shown = tables.frame(df, headers={"heldout_nll": "held-out NLL [nats/step]"}, digits=2)
    assert list(shown.columns) == ["condition", "held-out NLL [nats/step]", "n"]
    assert shown.iloc[:, 1].tolist() == ["1.23", tables.DASH]
    page = tables.html_table(df, missing="the model was not fitted")
    assert "NaN" not in page and "nan" not in page
    assert "the model was not fitted" in page
    assert "heldout_nll" not in page  # no snake_case header reaches the page


def test_a_plain_range_index_disappears_and_cells_never_wrap():
    df = pd.DataFrame({"interval": ["62 % (95 % interval 58–66 %)"]})
    page = tables.html_table(df)
    assert ">0<" not in page  # no 0…n index column
    assert page.count('white-space: nowrap') == 2  # the header and the one cell
    assert "overflow-x: auto" in page  # a wide table scrolls in its own box


def test_no_note_on_missing_values_when_nothing_is_missing():
    page = tables.html_table(pd.DataFrame({"a": [0.5]}), missing="never shown")
    assert "never shown" not in page


def test_negative_numbers_carry_a_true_minus_sign_and_headers_align_left():
    page = tables.html_table(pd.DataFrame({"difference": [-0.2114]}), digits=3)
    assert "\u22120.211" in page and "-0.211" not in page
    assert "text-align: left" in page
