"""Teaching assumptions that the games (:mod:`dpmkit.game`) add to the ready-made models or rely on.

Every entry here is an ``assumption``: the levers' scales, what a game adds to a model (users'
voice and trust in the targets-or-learning game, the localities' own levers in the attractor
game) and the sizes of the events and contexts a facilitator can pick. A game's model cites
these keys in ``Param(source=...)`` (:attr:`dpmkit.game.spec.GameSpec.sources`), and the
briefings and event notes cite them as ``[assumption key]``.
"""

from . import Source

SOURCES = (
    Source(
        key="game_targets_levers",
        citation="dpmkit teaching assumption (targets-or-learning game: the levers' scales)",
        status="assumption",
        says=(
            "The targets-or-learning game's levers are teaching scales, not measurements: incentive strength 0-1 "
            "(how hard targets and payments bite), the outcome target 0.3-0.9 (share of clients helped), the "
            "learning regime 0 (targets) to 1 (Human Learning Systems), the work-harder boost 0-1 (extra effort "
            "under full pressure) and the parking rate 0-4 a year (how fast hard-to-help clients are set aside "
            "when gaming is universal)."
        ),
        notes=(
            "The mechanisms are published (gaming_creaming_parking_tsrc, gaming_bevan_hood_definitions, "
            "hls_pmm_2021); the scales and the ranges the game offers are chosen so that each lever moves what "
            "its role sees within the ten years played."
        ),
    ),
    Source(
        key="game_targets_events",
        citation="dpmkit teaching assumption (targets-or-learning game: events and contexts)",
        status="assumption",
        says=(
            "A demand surge raises referrals from 400 to 550 a year; a budget cut shrinks the team's capacity "
            "from 250 to 180 clients; an audit that exposes gaming cuts the largest gaming gap from 0.2 to 0.05. "
            "The 'routine work' context: improvement takes 3 years instead of 1, knowledge dates in half a year "
            "instead of 4, and target pressure crowds out no intrinsic motivation."
        ),
        notes="Sizes chosen to be visible within a round; not estimated from any service.",
    ),
    Source(
        key="game_targets_user_voice",
        citation="dpmkit teaching assumption (targets-or-learning game: service users' voice)",
        status="assumption",
        says=(
            "At full voice (surveys, user panels, complaints, advocates) service users keep half of the target "
            "pressure from turning into gaming, and listening takes 5% of caseworkers' time; in between, in "
            "proportion."
        ),
        notes=(
            "Qualitative basis: under the A&E four-hour target the patients' own survey told a different story "
            "from the trusts' reports (gaming_ae_reported_vs_survey). The sizes are not measured."
        ),
    ),
    Source(
        key="game_targets_trust",
        citation=(
            "dpmkit teaching assumption (targets-or-learning game: trust; qualitative bases: Davis, Schoorman & "
            "Donaldson 1997; Human Learning Systems)"
        ),
        status="assumption",
        says=(
            "Trust (0-1) between the funder, the service, its staff and its users starts at 0.5 and moves over "
            "about a year towards 0.65 + 0.2 x learning regime + 0.15 x users' voice - 0.2 x target pressure "
            "- 0.3 x reporting burden x target pressure - 0.25 x gaming (kept within 0-1)."
        ),
        notes=(
            "The direction of each effect follows published arguments: agency theory controls through monitoring "
            "and incentives, stewardship theory trusts (hls_stewardship_davis_1997); New Public Management's "
            "premise that public servants cannot be trusted (hls_npm_premise); public service 'built on "
            "relationships and trust' (hls_principles). The starting level, the weights and the year are chosen "
            "for teaching: with the game's defaults trust ends near 0.34 after ten years, a full learning regime "
            "takes it to 0.85. In the game trust is shown, not scored, and it feeds nothing back into the service "
            "(the research notes' model 4 has a trust stock; the kit's model keeps its tested behaviour)."
        ),
    ),
    Source(
        key="game_attractor_levers",
        citation="dpmkit teaching assumption (attractor game: localities steer a framework with no central authority)",
        status="assumption",
        says=(
            "Each played locality decides how far it adopts the shared framework's ambition as its own goal "
            "(0-1: its goal is that share of the ambition plus the rest of its own eroding goal) and how much "
            "effort it puts into learning cycles (0-1: up to twice as fast learning, at up to 15% of its "
            "improvement work now). The framework's pull on the five localities no table plays, and on the "
            "collective learning and knowledge sharing it motivates, is the six localities' mean commitment. "
            "The learning partnership (0-1) and uniform imposed targets (0-1, the facilitator's event) are the "
            "attractor model's teaching scales."
        ),
        notes=(
            "After French & Mollinger-Sahba (2021, attractor_french_mollinger_sahba_2021), whose cases relied on "
            "voluntary adoption: no table commands the localities. Taking the mean as the collective pull, and "
            "letting the unplayed localities follow it, are the kit's choices; the sizes are not measured."
        ),
    ),
    Source(
        key="game_attractor_events",
        citation="dpmkit teaching assumption (attractor game: events and contexts)",
        status="assumption",
        says=(
            "A framework refresh raises its ambition from 80 to 90 (index); turbulence makes knowledge date in "
            "1.5 years instead of 4 and outcomes erode at 10% a year instead of 5%; the 'turbulent' context "
            "starts with knowledge dating in a year and the same erosion."
        ),
        notes="Sizes chosen to be visible within a round; not estimated from any network.",
    ),
)
