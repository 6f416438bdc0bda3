"""Evidence on performance-management regimes: imposed vs negotiated, planned vs emergent,
and the dynamics of goals and capability under pressure."""

from . import Source

SOURCES = (
    Source(
        key="regimes_bovaird_smith_2015",
        citation=(
            "Bovaird, T. & Smith, S. R. (2015), paper on imposed vs negotiated and planned vs emergent performance "
            "management, Association for Public Policy Analysis and Management (APPAM) conference; exact title "
            "not retrieved"
        ),
        status="published",
        says=(
            "Two propositions. Negotiated performance management is more sustainable than imposed, but imposition "
            "may be needed to trigger improvement. Emergent performance management is more meaningful than planned, "
            "but planned performance management is needed at times to give direction. The dichotomies "
            "(imposed/negotiated, planned/emergent) are overdone."
        ),
        notes=(
            "UNVERIFIED here: the abstract is public, as the issue that corrected the kit reported, but this kit's "
            "own searches did not retrieve it. The wording above follows that report, not the abstract's exact "
            "words, and no link is given until one is confirmed. The second author is Steven Rathgeb Smith. The kit "
            "used to say the paper was 'not retrieved' and that its axes came 'from the project brief'; the axes "
            "are the paper's."
        ),
    ),
    Source(
        key="regimes_bovaird_smith_2x2",
        citation=(
            "dpmkit's 2x2 on the axes of Bovaird & Smith (2015, APPAM): cell names and example placements are the "
            "kit's own"
        ),
        status="assumption",
        says=(
            "Two axes of a performance-management regime: who sets it (imposed top-down vs negotiated among "
            "stakeholders) and how it evolves (planned blueprint vs emergent through learning). Cells: "
            "imposed-planned 'targets and terror'; imposed-emergent 'crisis-driven adaptation'; "
            "negotiated-planned 'agreed outcomes frameworks'; negotiated-emergent 'learning partnerships'."
        ),
        notes=(
            "The axes are Bovaird & Smith's (regimes_bovaird_smith_2015); the cell names, the examples and the "
            "model's dynamics are the kit's interpretation. Bovaird & Smith argue that the dichotomies are "
            "overdone, so treat the cells as regions of a plane, not boxes. Learners should contest the placements."
        ),
    ),
    Source(
        key="regimes_game_lever_leans",
        citation=(
            "dpmkit's reading of which way each game lever, and each parameter the facilitator's events set, leans "
            "on the imposed/negotiated x planned/emergent plane (dpmkit.game.debrief.REGIME_LEANS); the kit's own "
            "teaching assumption"
        ),
        status="assumption",
        says=(
            "For each lever of each game, and for what the facilitator imposes through a game's events (the attractor "
            "game's uniform imposed targets), two weights from -1 to 1: how far setting it high moves the regime "
            "towards imposed (negative: negotiated) and towards planned (negative: emergent). A two-sided lever reads "
            "the opposite way at the bottom of its range (a one-year close against a five-year transition; running a "
            "service on targets against learning); a one-sided lever is neutral at the bottom, where not doing "
            "something is not doing its opposite (no budget cut is not negotiation; a locality that keeps its own "
            "goal imposes nothing). A game's position in a round is, on each axis, the weighted mean of the values in "
            "force (context, then decisions and events up to the round's start), each placed from -1 (two-sided) or "
            "0 (one-sided) at the bottom of its range to +1 at the top, mapped to 0-1. Examples: a deeper budget cut "
            "leans imposed and planned; co-production, young people's voice and partners who match lean negotiated "
            "and emergent; incentives and targets lean imposed and planned; a learning regime leans negotiated and "
            "emergent; a shared outcomes framework leans negotiated but gives direction (planned); a minister's "
            "uniform targets lean imposed and planned, as strongly as everything the tables do together leans "
            "the other way, so with nothing chosen and nothing imposed the attractor game sits at the centre."
        ),
        notes=(
            "Not a measurement and not from a source: the axes are Bovaird & Smith's (regimes_bovaird_smith_2015), "
            "the cells the kit's (regimes_bovaird_smith_2x2), and the weights and which levers are one-sided are "
            "judgements made for the debrief, argued lever by lever in the kit's source. Bovaird & Smith call the "
            "dichotomies overdone; the debrief should invite tables to argue with where their choices put them."
        ),
    ),
    Source(
        key="regimes_mintzberg_waters_1985",
        citation=(
            "Mintzberg, H. & Waters, J. (1985) Of strategies, deliberate and emergent. "
            "Strategic Management Journal 6, 257-272"
        ),
        status="published",
        url="https://doi.org/10.1002/smj.4250060306",
        says="Deliberate (planned) and emergent strategy are ends of a continuum, not two boxes.",
    ),
    Source(
        key="regimes_surrey_journey",
        citation=(
            "dpmkit reading of the Surrey Services for Young People timeline (govint case study; c4eo; "
            "cypnow 2011; Surrey CC news 2012; HMI Probation 2019)"
        ),
        status="assumption",
        says=(
            "Surrey as a journey across the regime plane: imposed-planned before 2009 (external 'inadequate' "
            "judgement, national pressure, then a 25% budget cut from 2009); negotiated-planned 2010-12 "
            "(consultation of about 8,000 young people, needs assessment, outcome commissions live April 2012); "
            "negotiated-emergent 2012-15 (local committees and youth task groups, restorative practice, "
            "evaluation-led recommissioning); imposed-emergent 2015-19 (cuts, restructure, 2019 inspection "
            "'Inadequate')."
        ),
        notes=(
            "Dates are published; the placement in the plane is an interpretation ([I] in the research notes). "
            "The pre-2009 inspection year is not given in the source."
        ),
    ),
    Source(
        key="regimes_spending_review_2010",
        citation=(
            "Matthews (2015), Political Studies Association conference paper on managing performance "
            "(full title and author's initial not retrieved)"
        ),
        status="published",
        url="",
        notes="A conference paper; no publisher page or DOI found. The earlier link was to an unofficial copy and "
              "has been removed.",
        says=(
            "The 2010 Spending Review said that micro-managing delivery from the centre was "
            "'both wrong and doomed to fail'."
        ),
    ),
    Source(
        key="regimes_oliva_sterman_2001",
        citation=(
            "Oliva, R. & Sterman, J. (2001) Cutting corners and working overtime: quality erosion in the service "
            "industry. Management Science 47(7), 894-914"
        ),
        status="published",
        url="https://doi.org/10.1287/mnsc.47.7.894.9807",
        says=(
            "Temporary imbalances between capacity and demand, interacting with decision rules, produce a "
            "permanent erosion of service standards (eroding goals)."
        ),
    ),
    Source(
        key="regimes_repenning_sterman_2001",
        citation=(
            "Repenning, N. & Sterman, J. (2001) Nobody ever gets credit for fixing problems that never happened. "
            "California Management Review 43(4), 64-88"
        ),
        status="published",
        url="https://doi.org/10.2307/41166101",
        says=(
            "The capability trap: pressure diverts time from improvement to throughput ('working harder'), "
            "capability erodes, and the payoff from improvement comes only after a delay."
        ),
    ),
    Source(
        key="regimes_adjustment_times",
        citation="dpmkit teaching assumption",
        status="assumption",
        says=(
            "Regimes move slowly: 1-4 years for the way a regime is set and run to follow the pressures on it; "
            "trust and learning capability adjust over 1-3 years; gaming practices spread within about a year."
        ),
        notes="Teaching ranges (12-48 months for regimes in the research notes), not estimates.",
    ),
)
