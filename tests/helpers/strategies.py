"""Hypothesis strategies for bad arguments, shared by the product's and the course's tests."""

import math

from hypothesis import strategies as st

#: Values that are not numbers at all.
not_numbers = st.sampled_from([None, "0.1", [0.1], (1,), {"x": 1}, object(), 1j, b"1"])
#: Numbers that are not finite.
non_finite = st.sampled_from([math.nan, math.inf, -math.inf])
#: Negative numbers.
negative = st.floats(-1e12, -1e-12)
