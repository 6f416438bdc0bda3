"""Evidence on the three objectives of outcome-based public services: service quality,
quality-of-life outcomes and conformity to public-governance principles."""

from . import Source

SOURCES = (
    Source(
        key="objectives_bbl2017_abstract",
        citation=(
            "Bovaird, T., Bianchi, C. & Loeffler, E. (2017) Applying a dynamic performance management "
            "framework to wicked issues: how coproduction helps to transform young people's services in "
            "Surrey County Council, UK. International Journal of Public Administration 40(10), 833-846"
        ),
        status="published",
        url="https://doi.org/10.1080/01900692.2017.1280822",
        says=(
            "Outcome-based approaches to wicked problems must balance three contrasting objectives: service "
            "quality, quality-of-life outcomes and conformity to public-governance principles. Achieving all "
            "three at once 'may not be feasible' because they form an interactive dynamic system. Clustering "
            "of quality-of-life outcomes with governance-principle outcomes is likely, because behaviours are "
            "inter-related, but must be tested in each context."
        ),
        notes=(
            "Qualitative claims from the abstract. The paper's own stock-and-flow structure and numbers were "
            "not retrieved, so the kit's three_objectives model is 'inspired by', not a replication."
        ),
    ),
    Source(
        key="objectives_bovaird_loeffler_2003",
        citation=(
            "Bovaird, T. & Loeffler, E. (2003) Evaluating the quality of public governance: indicators, models "
            "and methodologies. International Review of Administrative Sciences 69(3), 313-328"
        ),
        status="published",
        url="",
        says="The triad of quality of services, quality of life and governance processes as objects of evaluation.",
        notes="The only copy found is on a document-sharing site (ru.scribd.com/document/433276478), so it is not "
              "linked; the journal's DOI was not confirmed.",
    ),
    Source(
        key="resilience_bbl2017",
        citation=(
            "Bovaird, T., Bianchi, C. & Loeffler, E. (2017), authors' summary on Kudos of: Applying a dynamic "
            "performance management framework to wicked issues, International Journal of Public Administration "
            "40(10), 833-846"
        ),
        status="published",
        url="https://growkudos.com/publications/10.1080%252F01900692.2017.1280822/reader",
        says=(
            "Co-production innovations carry inherent risks, so resilience should be built in: stakeholders need "
            "to be able to recover (bounce back) when system failures, which are inevitable, occur."
        ),
        notes=(
            "A paraphrase recorded in the research notes; the exact words were not retrieved. Loeffler & Bovaird "
            "(2020) also name 'whole-system resilience' among the ways co-production creates public value "
            "(coproduction_loeffler_bovaird_2020)."
        ),
    ),
    Source(
        key="objectives_cross_effects",
        citation="dpmkit teaching assumption (after Bovaird, Bianchi & Loeffler 2017, qualitative)",
        status="assumption",
        says=(
            "Cross-effects between the three objectives are coefficients between -1 and +1 on the deviation "
            "of one objective from a middling level of 50. Positive between outcomes and governance gives "
            "'clustering'; negative gives a 'trade-off'. Synergies act through co-production with a delay of "
            "6-24 months; tensions (staff time spent on consultation and due process; outcome-target focus "
            "crowding out equity) act at once."
        ),
        notes="Teaching ranges chosen so that both presets tell their story; not estimated from data.",
    ),
)
