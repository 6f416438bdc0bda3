"""Evidence on wicked problems and the four types of human complexity."""

from . import Source

SOURCES = (
    Source(
        key="complexity_rittel_webber_1973",
        citation="Rittel, H. & Webber, M. (1973) Dilemmas in a general theory of planning. Policy Sciences 4, 155-169",
        status="published",
        url="https://doi.org/10.1007/BF01405730",
        says=(
            "Ten properties of wicked problems, among them: no definitive formulation, no stopping rule, solutions "
            "are good or bad rather than true or false, every attempt counts, each problem is a symptom of another."
        ),
    ),
    Source(
        key="complexity_four_types",
        citation=(
            "French, M., Lowe, T., Wilson, R., Rhodes, M.-L. & Hawkins, M. (2021) Managing the complexity of "
            "outcomes: a new approach to performance measurement and management. In D. Blackman et al. (eds) "
            "Handbook on Performance Management in the Public Sector, Edward Elgar, chapter 8, 111-128"
        ),
        status="published",
        url="https://doi.org/10.4337/9781789901207.00014",
        says=(
            "'Societal outcomes challenge public agencies to respond to four specific forms of complexity - "
            "compositional, experiential, dynamic and governance complexities - which taken together confound the "
            "conceptual basis of traditional performance management systems.'"
        ),
        notes=(
            "Words from the chapter's abstract (Northumbria research portal and Elgar Online). The kit earlier cited "
            "'French et al. (2023)' through a summary page; the four complexities are in this 2021 chapter. What "
            "each lens means, in the kit's words, comes from the summary page (complexity_four_types_summary). The "
            "DOI was read from a citation index (scite); the portal confirms the chapter, pages and ISBNs."
        ),
    ),
    Source(
        key="complexity_four_types_summary",
        citation=(
            "Complex Systems Frameworks Collection (Simon Fraser University), 'Four types of human complexity', "
            "summarising French and colleagues' Complexity Theory of Outcome Creation"
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
            "A summary page, used only for plain descriptions of each lens; the original is French et al. (2021) "
            "(complexity_four_types). The retrieved page was cut off at the governance type; the reading that those "
            "with most agency sit furthest from practice is an interpretation to verify."
        ),
    ),
    Source(
        key="complexity_social_management_control",
        citation="French, M., Lowe, T., Wilson, R., Rhodes, M.-L. & Hawkins, M. (2021), as complexity_four_types",
        status="published",
        url="https://doi.org/10.4337/9781789901207.00014",
        says=(
            "'We conclude that two theoretical transitions are necessary in a complexity-appropriate performance "
            "management approach: a shift from principal-agent theory to stewardship theory, and from technical to "
            "social management control theory.'"
        ),
        notes=(
            "From the chapter's abstract. The research notes had not found a source for 'technical to social "
            "management control' and treated it as the kit's phrase: it is this chapter's. How the chapter defines "
            "social control is in its body, not retrieved; the kit's glossary gives a plain reading and says so."
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
        notes="The link is the System Dynamics Society's own 2014 conference abstract; the journal DOI was not "
              "confirmed.",
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
