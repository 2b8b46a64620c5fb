"""The recommendation: the verdict rule over scored approaches, then what the prompting
diagnostics and the trust measures add to its reasons and warnings."""

from taskfit.recommend.headline import (
    SMOKE_TEST_WARNING,
    Constraints,
    EvidenceSet,
    against_prior,
    recommend,
)

__all__ = ["SMOKE_TEST_WARNING", "Constraints", "EvidenceSet", "against_prior", "recommend"]
