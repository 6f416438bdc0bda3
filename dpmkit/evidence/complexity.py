"""Evidence on wicked problems and the four types of human complexity."""

from . import Source

SOURCES = (
    Source(
        key="complexity_rittel_webber_1973",
        citation="Rittel, H. & Webber, M. (1973) Dilemmas in a general theory of planning. Policy Sciences 4, 155-169",
        status="published",
        url="http://www.csun.edu/~vasishth/Rittel+Wicked_Problems.htm",
        says=(
            "Ten properties of wicked problems, among them: no definitive formulation, no stopping rule, solutions "
            "are good or bad rather than true or false, every attempt counts, each problem is a symptom of another."
        ),
    ),
    Source(
        key="complexity_four_types",
        citation=(
            "French, M. et al. (2023) Complexity Theory of Outcome Creation; summarised by the Complex Systems "
            "Frameworks Collection (Simon Fraser University), 'Four types of human complexity'"
        ),
        status="published",
        url="https://www.sfu.ca/complex-systems-frameworks/frameworks/unpacking-complexity/four-types-of-human-complexity.html",
        says=(
            "Four complementary lenses on complexity. Compositional: many diverse, interdependent components and "
            "feedback loops, so attention shifts from single interventions to the systems they sit in. "
            "Experiential: people experience outcomes differently, so standardised solutions oversimplify. "
            "Dynamic: factors are in constant flux, so approaches quickly become obsolete. Governance: power, "
            "funding and accountability are spread across many organisations."
        ),
        notes=(
            "The retrieved page was cut off at the governance type; the reading that those with most agency sit "
            "furthest from practice (an information-agency inversion) is an interpretation to verify against "
            "French et al. (2023, Policy Press)."
        ),
    ),
    Source(
        key="complexity_munro_compliance",
        citation=(
            "Lane, D., Munro, E. & Husemann, E. (2016) Blending systems thinking approaches for organisational "
            "analysis: reviewing child protection in England. European Journal of Operational Research 251(2), 613-623"
        ),
        status="published",
        url="http://www.systemdynamics.org/conferences/2014/proceed/abstracts/1185.html",
        says=(
            "Causal loop diagrams in the Munro review showed a 'compliance culture': more rules reduce the scope for "
            "professional expertise and relationship quality, outcomes worsen, and that prompts more rules. Variety "
            "of needs, professional expertise and quality of relationships drive outcome quality."
        ),
    ),
    Source(
        key="complexity_wicked_ranges",
        citation="dpmkit teaching assumption",
        status="assumption",
        says=(
            "Sandbox magnitudes for the wicked model: a standard service misfits 30-50% of people (experiential); "
            "30-60% of closures do not hold because other needs are unaddressed (compositional); capacity takes "
            "1-2 years to hire and train (dynamic); decisions shared by 2-5 agencies take that many times longer "
            "(governance)."
        ),
        notes="Chosen to make each kind of complexity show its characteristic behaviour; not estimates.",
    ),
)
