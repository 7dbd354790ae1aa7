"""Shared test configuration.

Hypothesis profiles: ``ci`` (default) keeps property tests quick and derandomized, so a
CI run is reproducible (the same examples every time); ``TUSHUO_DEEP=1`` selects ``deep``,
a random local run with many more examples that hunts for new failures.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("deep", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("deep" if os.environ.get("TUSHUO_DEEP") == "1" else "ci")
