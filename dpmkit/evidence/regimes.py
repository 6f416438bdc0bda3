"""Evidence on performance-management regimes: imposed vs negotiated, planned vs emergent,
and the dynamics of goals and capability under pressure."""

from . import Source

SOURCES = (
    Source(
        key="regimes_bovaird_smith_2x2",
        citation=(
            "After Bovaird, T. & Smith (2015), APPAM conference paper (not retrieved); the kit's reconstruction "
            "of the imposed/negotiated x planned/emergent plane"
        ),
        status="assumption",
        says=(
            "Two axes of a performance-management regime: who sets it (imposed top-down vs negotiated among "
            "stakeholders) and how it evolves (planned blueprint vs emergent through learning). Cells: "
            "imposed-planned 'targets and terror'; imposed-emergent 'crisis-driven adaptation'; "
            "negotiated-planned 'agreed outcomes frameworks'; negotiated-emergent 'learning partnerships'."
        ),
        notes=(
            "The paper was not found; the axes come from the project brief and the cell names are the kit's "
            "reconstruction. Learners should contest the placements."
        ),
    ),
    Source(
        key="regimes_mintzberg_waters_1985",
        citation="Mintzberg, H. & Waters, J. (1985) Of strategies, deliberate and emergent. Strategic Management Journal 6, 257-272",
        status="published",
        url="https://fdocuments.in/document/of-strategies-deliberate-and-and-waters-1985pdffor-a-strategy-to-be-perfectly.html",
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
        url="https://zlibrary.to/dl/managing-performance-within-a",
        says="The 2010 Spending Review said that micro-managing delivery from the centre was 'both wrong and doomed to fail'.",
    ),
    Source(
        key="regimes_oliva_sterman_2001",
        citation=(
            "Oliva, R. & Sterman, J. (2001) Cutting corners and working overtime: quality erosion in the service "
            "industry. Management Science 47(7), 894-914"
        ),
        status="published",
        url="https://econpapers.repec.org/article/inmormnsc/v_3a47_3ay_3a2001_3ai_3a7_3ap_3a894-914.htm",
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
        url="https://vdocuments.us/repenningsterman-cmr-su01-r2.html",
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
