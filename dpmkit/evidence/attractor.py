"""Evidence on shared outcomes frameworks ('performance attractors') and learning partnerships."""

from . import Source

SOURCES = (
    Source(
        key="attractor_surrey_local_committees",
        citation="Surrey County Council news (18 January 2012) Community groups welcome opportunity to run youth activities",
        status="published",
        url="https://news.surreycc.gov.uk/2012/01/18/community-groups-welcome-opportunity-to-run-youth-activities/",
        says="Each of Surrey's 11 local committees was to get up to GBP 200,000 a year for projects agreed with young people.",
        notes="Used only for the number of local systems (11) in the attractor model.",
    ),
    Source(
        key="attractor_npf_scotland",
        citation=(
            "Civil Service World, 'National treasure: how the Scottish Government's National Performance "
            "Framework is linking policies to outcomes'"
        ),
        status="published",
        url="https://www.civilserviceworld.com/in-depth/article/national-treasure-how-the-scottish-governments-national-performance-framework-is-linking-policies-to-outcomes",
        says=(
            "Scotland's National Performance Framework launched in 2007 with 15 national outcomes and 45 indicators, "
            "was refreshed in 2018 to track 81 indicators, and was put on a statutory footing in 2015; it is "
            "cascaded through agreements with community planning partnerships."
        ),
        notes=(
            "Counts differ between sources and years (15 outcomes / 45 indicators in 2007; 16 / 55 in a 2017 count; "
            "81 indicators after 2018). An example of a shared framework; the kit's term 'performance attractor' "
            "is its own concept, not found in the sources."
        ),
    ),
    Source(
        key="attractor_learning_partners_cpi",
        citation="Centre for Public Impact, 'What we're learning about being a learning partner in Australia and New Zealand'",
        status="published",
        url="https://centreforpublicimpact.org/resource-hub/what-were-learning-about-being-a-learning-partner-in-australia-and-new-zealand/",
        says=(
            "A learning partner helps others 'listen, learn and adapt' through two core practices, sensemaking and "
            "action learning; unlike consultancy it needs curiosity and humility on both sides, including unlearning."
        ),
    ),
    Source(
        key="attractor_model_ranges",
        citation="dpmkit teaching assumption",
        status="assumption",
        says=(
            "Local learning rates of 1-5% a month (0.12-0.6 a year); knowledge flow between localities in a full "
            "learning partnership of 0-0.2 a month (0-2.4 a year)."
        ),
        notes="Teaching ranges chosen to show convergence with diversity; not estimated from any network.",
    ),
    Source(
        key="attractor_waaeh",
        citation="Western Australian Alliance to End Homelessness, 'Our approach' and news pages (2018-2020)",
        status="published",
        says=(
            "A ten-year strategy launched in 2018 with the vision of ending homelessness in Western Australia by "
            "2028: no one sleeping rough or in supported accommodation for more than five nights before a "
            "permanent home; the homelessness rate halved from its 2016 level. Shelter WA is the backbone "
            "organisation; the Centre for Social Impact at the University of Western Australia built its outcomes "
            "measurement framework. It engages explicitly with complex-adaptive-systems thinking."
        ),
        url="https://endhomelessnesswa.com/our-approach",
        notes="Calling the Alliance a 'performance attractor' is the kit's interpretation, not the Alliance's.",
    ),
    Source(
        key="attractor_sdgs",
        citation="Sustaining Development, 'SDG targets and indicators' (a summary of the UN global indicator framework)",
        status="published",
        says=(
            "17 goals, 169 targets and 231 unique indicators (247 listed, as some repeat); the global indicator "
            "framework was adopted by the UN General Assembly on 6 July 2017."
        ),
        url="https://sustainingdevelopment.com/sdg-targets-and-indicators/",
        notes="A secondary summary of UN documents; the SDGs bind no country.",
    ),
    Source(
        key="attractor_npf_implementation_gap",
        citation="Scottish Parliament, Official Report, meeting of Parliament, 17 May 2022",
        status="published",
        says=(
            "Evidence to the Parliament (including from an HLS researcher) responded to the Auditor General's "
            "finding of 'a major implementation gap' in the National Performance Framework."
        ),
        url="https://www.parliament.scot/chamber-and-committees/official-report/what-was-said-in-parliament/"
            "meeting-of-parliament-17-05-2022?meeting=13754&iob=124797",
    ),
)
