"""Assumptions behind the mechanisms of the ready-made models: the causal claims a model
builds in, each tied to the source that argues for it, with the kit's teaching range.

Every entry here is an ``assumption``: the sources argue that a mechanism exists; how
strong it is, and the numbers the models use, are the kit's teaching choices.
"""

from . import Source

SOURCES = (
    Source(
        key="mechanisms_attractor_learning",
        citation=(
            "dpmkit teaching assumption, after French, M. & Mollinger-Sahba, A. (2021) on performance "
            "attractors in Human Learning Systems"
        ),
        status="assumption",
        says=(
            "A shared outcomes framework (a performance attractor) motivates collective learning and "
            "adaptation. The attractor model builds this in two ways: each unit of the framework's pull adds "
            "0.25-0.75 (default 0.5) to a locality's learning rate multiplier, and a quarter of that as knowledge "
            "sharing between localities that compare notes against the shared framework, even without a "
            "formal learning partnership."
        ),
        notes=(
            "The source argues the direction of the effect; its size is a teaching range, not an estimate. "
            "Full citation details of French & Mollinger-Sahba (2021) are being checked with the other "
            "evidence entries."
        ),
    ),
    Source(
        key="mechanisms_regimes_two_halves",
        citation="dpmkit teaching assumption, after Bovaird, T. & Smith (2015), APPAM conference paper (not retrieved)",
        status="assumption",
        says=(
            "Both halves of each proposition: negotiated performance management is more sustainable, but "
            "imposition may be needed to trigger improvement in a complacent or stuck system; emergent "
            "performance management is more meaningful, but planned direction is needed at times to keep "
            "effort from fragmenting. The dichotomies are overdone: which works depends on context."
        ),
        notes=(
            "The propositions are as reported in the project's brief; the paper was not retrieved. The "
            "mechanisms (improvement urgency that only a shock can start when inertia is high; direction "
            "that drifts when a fragmented field manages purely by emergence) are the kit's reading."
        ),
    ),
    Source(
        key="mechanisms_regimes_context",
        citation="dpmkit teaching assumption",
        status="assumption",
        says=(
            "Context ranges for the regimes model: initial inertia (complacency that local negotiation alone "
            "cannot shift) 0-1, and fragmentation of the field (how far local efforts drift apart without a "
            "shared plan) 0-1; under these ranges each journey through the regime plane wins in some contexts "
            "and loses in others."
        ),
        notes="Chosen to span stuck and open systems, fragmented and coherent fields; not estimated.",
    ),
)
