"""How large the numbers of a scenario may be: generous, but inside what the model can mean.

A number far outside these bounds is not a bolder assumption but a typing slip or an attack:
1e308 overflows the sums of clout and of issue ranges (NaN terms, no deal ever), and an
absurd sensitivity saturates the clocks so that every run settles on day 0. The schema
(``model.schema``) and the overrides of ``--set`` and of sweeps (``model.params``) read the
same bounds from here, so a value refused in a file is refused as an override too.

Every bundled scenario sits far inside them: its largest clout is 1, its largest issue value
1,000 ($bn), its fx sensitivity 3, its calendar 126 days with every extension.
"""

from __future__ import annotations

# --- issues ---------------------------------------------------------------------------------

# An issue's min and max, and every value in its unit, lie in [-ISSUE_LIMIT, ISSUE_LIMIT]: a
# trillion of anything ($bn, %, tonnes) is beyond any negotiating table, and far below the
# magnitudes where a range's width overflows or loses its digits.
ISSUE_LIMIT = 1e12
# An issue's range must be at least this share of its larger end's magnitude: a narrower range
# (say 1e12 to 1e12 + 1e-4) cannot be told apart in floating point from a single value.
MIN_RELATIVE_WIDTH = 1e-9

# --- parties --------------------------------------------------------------------------------

# Clout weighs members within their side: a ratio of a million between two members is already
# one member deciding alone.
CLOUT_MIN = 1e-3
CLOUT_MAX = 1e3
# The spread of a reservation utility (itself in [0, 1]) across runs.
RESERVATION_SD_MAX = 1.0
# Stress in [0, 1] adds sensitivity x stress to a party's elapsed share of time (clipped to
# [0, 1]): at 10, a stress of 0.1 already brings the deadline's urgency.
STRESS_SENSITIVITY_MAX = 10.0
# The salient issue's weight is scaled by 1 + s (fx / reference - 1): at 100, a 1% move of the
# rate doubles or cancels it.
FX_SENSITIVITY_MAX = 100.0
# The exponent of a curved value x^a: at 0.01 a party values any share of an issue almost as
# much as all of it.
CURVATURE_MIN = 0.01

# --- sides ----------------------------------------------------------------------------------

# 1 moves a side's win-set fully to its election values by election day; p moves it p times
# as fast, past those values up to the issue's range: beyond 10 it is there within days.
ELECTION_PRESSURE_MAX = 10.0

# --- calendar and events --------------------------------------------------------------------

# The talks are stepped day by day, every run, up to the deadline plus every extension: five
# years of days (Brexit took four, extensions included) at a few seconds per thousand runs.
MAX_CALENDAR_DAYS = 1827
# Rounds the model generates: at most a year apart, at most a month long.
MAX_GAP_DAYS = 365
MAX_ROUND_DAYS = 31
# An event's shock to log USD/JPY: 1 multiplies the rate by e (2.7) in one day, beyond any
# recorded crash; all events' shocks together stay within FX_SHOCK_TOTAL, so the rate stays
# far from overflow.
FX_SHOCK_MAX = 1.0
FX_SHOCK_TOTAL = 10.0
# An event's shock to market stress, an index in [0, 1].
STRESS_SHOCK_MAX = 1.0

# --- drivers --------------------------------------------------------------------------------

# An exchange rate's level and reference: from a millionth to a million units per dollar (the
# Kuwaiti dinar is 0.3, the Iranian rial in the hundreds of thousands).
FX_LEVEL_MIN = 1e-6
FX_LEVEL_MAX = 1e6
# Annualised volatility of log USD/JPY: 5 (500% a year) is beyond hyperinflation; calm
# markets are near 0.1.
FX_VOLATILITY_MAX = 5.0
# Daily volatility of market stress, an index in [0, 1].
STRESS_VOLATILITY_MAX = 1.0
