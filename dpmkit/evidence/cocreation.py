"""Evidence on co-production, co-creation and public value (the sources of notebook 09)."""

from . import Source

SOURCES = (
    Source(
        key="coproduction_bovaird_2007",
        citation=(
            "Bovaird, T. (2007) Beyond engagement and participation: user and community coproduction of public "
            "services. Public Administration Review 67(5), 846-860"
        ),
        status="published",
        url="https://doi.org/10.1111/j.1540-6210.2007.00773.x",
        says=(
            "'Policy making is no longer seen as a purely top-down process but rather as a negotiation among many "
            "interacting policy systems.' Services 'are coproduced by users and their communities'. Service "
            "planning must account 'for coproduction as an integrating mechanism and an incentive for resource "
            "mobilization', but 'coproduction in the context of multipurpose, multistakeholder networks raises "
            "important public governance issues'."
        ),
    ),
    Source(
        key="coproduction_bovaird_loeffler_2012",
        citation=(
            "Bovaird, T. & Loeffler, E. (2012) From engagement to co-production: the contribution of users and "
            "communities to outcomes and public value. Voluntas 23(4), 1119-1138"
        ),
        status="published",
        url="https://pureportal.strath.ac.uk/en/publications/from-engagement-to-co-production-the-contribution-of-users-and-co",
        says=(
            "'Citizens are only willing to co-produce in a relatively narrow range of activities that are genuinely "
            "important to them and are keen that their co-production effort is not wasted by public agencies.' "
            "'Co-production may be \u2018value for money\u2019, but it usually cannot produce value without money.'"
        ),
        notes="The link is the University of Strathclyde's record of the article; the journal DOI was not confirmed.",
    ),
    Source(
        key="coproduction_loeffler_bovaird_2020",
        citation="Loeffler, E. & Bovaird, T. (2020), book chapter on user and community co-production (title and "
                 "publisher not confirmed)",
        status="published",
        says=(
            "Definitions of co-production share a core of citizen action and citizen voice. The 'four Co's': "
            "co-commissioning, co-design, co-delivery and co-assessment. Co-production creates public value by "
            "improving outcomes, making services more cost-effective, strengthening whole-system resilience and "
            "supporting public-governance principles."
        ),
        notes="From the research notes; title, exact words and a publisher link were not confirmed.",
    ),
    Source(
        key="cocreation_ferlie_2021",
        citation=(
            "Ferlie, E. (2021), article on key themes in the possible move to co-production and co-creation in "
            "public management, Policy & Politics 49(2), 305-317 (exact title not retrieved)"
        ),
        status="published",
        url="https://bristoluniversitypressdigital.com/abstract/journals/pp/49/2/article-p305.xml",
        says=(
            "Examines the claimed move from 'lower order' co-production to 'higher level' co-creation; doubts that "
            "the organisational capabilities for it yet exist intensively and extensively, and finds the evidence "
            "mixed. Public-value strategy is a 'lynchpin'; the strategic-planning and culture schools of strategy "
            "are promising for multi-agency networks; digital 'open platforms' and leadership matter."
        ),
        notes="From the research notes' reading of the abstract and the journal's blog post 'Key themes in the "
              "possible move to co-production and co-creation in public management' (policyandpoliticsblog.com, "
              "26 May 2021); the article's exact title was not retrieved.",
    ),
    Source(
        key="cocreation_sorensen_2021",
        citation=(
            "Sørensen, E., Bryson, J. & Crosby, B. (2021) How public leaders can promote public value through "
            "co-creation. Policy & Politics 49(2), 267-286"
        ),
        status="published",
        url="https://bristoluniversitypressdigital.com/abstract/journals/pp/49/2/article-p267.xml",
        says=(
            "Illustrated by 'how politicians and public and non-profit managers perform the public leadership of "
            "co-created public value in Gentofte, Denmark and Minneapolis\u2012St Paul, USA'. 'The main proposition "
            "is that this kind of public leadership does not only involve a strategic effort to engage, inspire "
            "and mobilise actors with relevant governance assets \u2013 including legitimacy, authority and "
            "capabilities \u2013 but also to align their understandings of what is valuable for the public.'"
        ),
        notes="DOI 10.1332/030557321X16119271739728 (from a Semantic Scholar record; the link is the publisher's "
              "abstract page).",
    ),
    Source(
        key="cocreation_special_issue_2021",
        citation=(
            "Introduction to the special issue on co-creation, strategic management and digitalisation, "
            "Policy & Politics 49(2), 189- (2021)"
        ),
        status="published",
        url="https://bristoluniversitypressdigital.com/view/journals/pp/49/2/article-p189.xml",
        says=(
            "Theories of co-creation, public value management, collaborative and network governance, strategic "
            "management and digital era governance may together explain 'the co-creation of public value outcomes "
            "such as needs-based services, effective governance and democratic legitimacy', and 'how strategic "
            "management and digital platforms can support this transformation'."
        ),
        notes="Authors of the introduction not shown in the retrieved text (the special issue's editors).",
    ),
)
