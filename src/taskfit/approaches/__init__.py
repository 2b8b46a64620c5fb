"""Every approach taskfit can compare, in one registry.

>>> from taskfit import approaches
>>> approaches.names("prompt", task="classification")
('zero-shot', 'few-shot', 'few-shot-knn')
>>> approaches.get("encoder-lr").needs
frozenset({'encoder'})
>>> "setfit" in approaches.learner_names()
True

Adding an approach is one :class:`Approach` registered with :func:`register`, or, from
another package, an entry point of the group ``taskfit.approaches``::

    [project.entry-points."taskfit.approaches"]
    centroid = "my_package.approach:APPROACH"

Planning (:mod:`taskfit.run.plan`, :mod:`taskfit.run.curve_plan`), execution
(:mod:`taskfit.run.execute`), prompting and the advice read the registry.
"""

from __future__ import annotations

# The package exports the registry module's names: those of its __all__.
from taskfit.approaches.registry import *  # noqa: F403
from taskfit.approaches.registry import __all__ as __all__
