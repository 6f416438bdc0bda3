"""Evidence on performance attractors (French & Mollinger-Sahba 2021) and learning partnerships
(Hesselgreaves et al. 2021)."""

from . import Source

SOURCES = (
    Source(
        key="attractor_french_mollinger_sahba_2021",
        citation=(
            "French, M. & Mollinger-Sahba, A. (2021) Making performance management relevant in complex and "
            "inter-institutional contexts: using outcomes as performance attractors. International Journal of "
            "Public Sector Management 34(3), 377-391"
        ),
        status="published",
        url="https://doi.org/10.1108/IJPSM-03-2020-0071",
        says=(
            "The paper 'introduces and develops the theoretical mechanism of ‘performance attraction’ to "
            "describe how outcomes and associated performance indicators can operate as organising instruments in "
            "inter-institutional contexts by attracting, rather than directing, institutional behaviour'. Three "
            "cases: 'the Scottish Government's National Performance Framework, the Western Australian Alliance "
            "to End Homelessness Outcomes Measurement and Evaluation Framework, and the United Nations' "
            "Sustainable Development Goals'. Two mechanisms: performance attractors 'enable coordination by "
            "creating a shared sense of responsibility for interdependent goals while also permitting autonomous "
            "navigation of individual contexts', and 'support performance improvement by motivating collective "
            "learning and adaptation informed by institutional interdependencies'. 'Cases relied primarily on "
            "voluntary adoption of outcomes frameworks, rather than utilising more coercive forms of "
            "accountability.'"
        ),
        notes=(
            "Words from the abstract (Northumbria Research Link record, "
            "https://nrl.northumbria.ac.uk/id/eprint/45341/, "
            "which gives this DOI as the official URL). The kit earlier presented 'performance attractor' as its "
            "own term: it is this paper's. The attractor model is the kit's simulation of the idea, not the authors'."
        ),
    ),
    Source(
        key="attractor_design_principles",
        citation="French, M. & Mollinger-Sahba, A. (2021), as above (originality/value section of the abstract)",
        status="published",
        url="https://doi.org/10.1108/IJPSM-03-2020-0071",
        says=(
            "The paper contributes to critical literature on 'alternatives to traditional control-oriented "
            "performance management in complex and inter-institutional settings' and describes 'design "
            "principles that policymakers and practitioners can adopt' to construct more effective performance "
            "frameworks."
        ),
        notes="The principles themselves are in the paper's body, which the kit's research did not read; the kit "
              "does not list them.",
    ),
    Source(
        key="learning_partnerships_hesselgreaves_2021",
        citation=(
            "Hesselgreaves, H., French, M., Hawkins, M., Lowe, T., Wheatman, A., Martin, M. & Wilson, R. (2021) "
            "New development: The emerging role of a 'learning partner' relationship in supporting public service "
            "reform. Public Money & Management 41(8), 672-675"
        ),
        status="published",
        url="https://doi.org/10.1080/09540962.2021.1909274",
        says=(
            "The article 'introduces the idea of ‘learning partnerships’: a set of nested learning "
            "relationships between public managers, consultants, and researchers and academics', which 'builds a "
            "relational mechanism for learning into the action learning action research (ALAR) and learning "
            "organization genres'. It shows how policy-makers, consulting firms and academia 'can collaborate to "
            "build learning capacity across multiple stakeholders; as well as the dilemmas and dualisms involved'."
        ),
        notes=(
            "Volume, issue and pages from RePEc and the Manchester Metropolitan University repository (41(8), "
            "672-675); the Northumbria research portal lists 41(7), 573-576, which are the pages of the HLS "
            "article (hls_pmm_2021). The DOI is the one in the Taylor & Francis address of the article. What the "
            "dilemmas and dualisms are is in the body, not retrieved."
        ),
    ),
    Source(
        key="attractor_surrey_local_committees",
        citation=(
            "Surrey County Council news (18 January 2012) Community groups welcome opportunity to run "
            "youth activities"
        ),
        status="published",
        url="https://news.surreycc.gov.uk/2012/01/18/community-groups-welcome-opportunity-to-run-youth-activities/",
        says=(
            "Each of Surrey's 11 local committees was to get up to GBP 200,000 a year "
            "for projects agreed with young people."
        ),
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
            "81 indicators after 2018). One of the three cases in which French & Mollinger-Sahba (2021) "
            "develop the 'performance attractor' (attractor_french_mollinger_sahba_2021)."
        ),
    ),
    Source(
        key="attractor_learning_partners_cpi",
        citation=(
            "Centre for Public Impact, 'What we're learning about being a learning partner "
            "in Australia and New Zealand'"
        ),
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
        notes="Its Outcomes Measurement and Evaluation Framework is one of the three cases of French & "
              "Mollinger-Sahba (2021) (attractor_french_mollinger_sahba_2021).",
    ),
    Source(
        key="attractor_sdgs",
        citation=(
            "Sustaining Development, 'SDG targets and indicators' "
            "(a summary of the UN global indicator framework)"
        ),
        status="published",
        says=(
            "17 goals and 169 targets. 'The global indicator framework includes 231 unique indicators. The total "
            "number of indicators listed in the global indicator framework of SDG indicators is 247.' It 'was "
            "later adopted by the General Assembly on 6 July 2017' (A/RES/71/313)."
        ),
        url="https://sustainingdevelopment.com/sdg-targets-and-indicators/",
        notes="A secondary summary of UN documents (the UN's own indicator list was not retrieved); the SDGs "
              "bind no country. Counts change as the framework is refined: a UN Statistics Division e-learning "
              "page speaks of '169 targets and 242 indicators' adopted in 2017. The third case of French & "
              "Mollinger-Sahba (2021).",
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
