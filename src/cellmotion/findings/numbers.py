"""How the finding sentences write numbers (shared by the chapters' findings modules)."""

from __future__ import annotations

import math


def fmt(x, digits: int = 2) -> str:
    """``x`` with ``digits`` decimals."""
    return f"{x:.{digits}f}"


def finite(*xs) -> bool:
    """True when every value is a number other than NaN or infinity (``None`` is not)."""
    return all(x is not None and math.isfinite(float(x)) for x in xs)
