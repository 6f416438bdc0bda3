"""Evidence on Human Learning Systems, stewardship and learning cycles."""

from . import Source

SOURCES = (
    Source(
        key="hls_principles",
        citation=(
            "Centre for Public Impact, Human Learning Systems (web pages); Lowe, T. & Plimmer, D. (2019) "
            "Exploring the New World"
        ),
        status="published",
        url="https://www.centreforpublicimpact.org/partnering-for-learning/human-learning-systems",
        says=(
            "Three principles. Human: public service exists to support human freedom and flourishing, bespoke by "
            "design and built on relationships and trust. Learning: continuous exploration by workers and residents "
            "together; the primary task of managers is to create effective learning environments. Systems: "
            "outcomes are created by whole systems, not 'delivered'."
        ),
    ),
    Source(
        key="hls_pmm_2021",
        citation=(
            "Lowe, T., French, M., Hawkins, M., Hesselgreaves, H. & Wilson, R. (2021) New development: Responding "
            "to complexity in public services - the Human Learning Systems approach. Public Money & Management "
            "41(7), 573-576"
        ),
        status="published",
        url="https://doi.org/10.1080/09540962.2020.1832738",
        says="HLS was developed with more than 300 organisations as an alternative to New Public Management.",
    ),
    Source(
        key="hls_npm_premise",
        citation=(
            "Lowe, T. et al. (2017) A Whole New World: Funding and Commissioning in Complexity "
            "(CECAN blog summary)"
        ),
        status="published",
        url="https://www.cecan.ac.uk/blog/a-whole-new-world-what-next/",
        says=(
            "NPM's premise is that public servants cannot be trusted and must be extrinsically motivated through "
            "markets and targets; HLS assumes intrinsic motivation plus support to improve judgement."
        ),
    ),
    Source(
        key="hls_stewardship_davis_1997",
        citation=(
            "Davis, J., Schoorman, F. & Donaldson, L. (1997) Toward a stewardship theory of management. Academy of "
            "Management Review 22(1), 20-47"
        ),
        status="published",
        url="https://doi.org/10.5465/amr.1997.9707180258",
        says=(
            "Agency theory assumes individualistic, opportunistic agents controlled by monitoring and incentives; "
            "stewardship theory assumes collectivist, pro-organisational, trustworthy stewards."
        ),
    ),
    Source(
        key="hls_learning_cycles",
        citation=(
            "Lowe & Padmanabhan (Centre for Public Impact), McCart & McNeill (Healthcare Improvement Scotland) "
            "(c.2022-23) Human Learning Systems: a practical guide for the curious"
        ),
        status="published",
        url="",
        notes="No publisher page or DOI found; the only copy found (scribd.com/document/699055408) is on a "
              "document-sharing site, so it is not linked.",
        says=(
            "Learning as management strategy: learning cycles at different system scales, connected horizontally "
            "and vertically; system stewardship; 'planning for emergence'."
        ),
    ),
    Source(
        key="hls_model_ranges",
        citation="dpmkit teaching assumption (qualitative bases: Repenning & Sterman 2001; Munro review; HLS guides)",
        status="assumption",
        says=(
            "Teaching ranges for the targets-vs-learning model: a learning cycle lasts 1-3 months; improvement pays "
            "off after 6-24 months; reporting and compliance take 20-50% of time under a high-rule regime; "
            "target pressure crowds out intrinsic motivation with an elasticity of 0-0.5."
        ),
        notes="Not estimates. The qualitative mechanisms are published; these magnitudes are chosen for teaching.",
    ),
    Source(
        key="hls_critique_collaborative_newcastle",
        citation="Collaborative Newcastle (2020-24), book chapter, Emerald / now publishers (2025)",
        status="published",
        says=(
            "HLS applied to health inequalities met barriers: leadership churn, a failure of continuous learning, "
            "perverse incentives, and reversion to New Public Management."
        ),
        url="http://ftp.nowpublishers.com/books/chapter-pdf/10075923/s2045-794420250000008004en.pdf",
    ),
    Source(
        key="hls_critique_buurtzorg_england",
        citation="Evaluation of Buurtzorg-style self-managing nursing teams adapted for England (PMC6009560)",
        status="published",
        says=(
            "The adapted model was feasible and acceptable, but its effectiveness and cost could not be quantified "
            "against standard services; the self-managing teams clashed with a large bureaucracy."
        ),
        url="https://pmc.ncbi.nlm.nih.gov/articles/PMC6009560",
    ),
    Source(
        key="hls_critique_language",
        citation=(
            "The Clock and the Cat (podcast, Mark Foden), episode 7: Turning the purpose of management "
            "upside-down (October 2019)"
        ),
        status="published",
        says=("Toby Lowe: 'When we first started out on this path, people explicitly told us not to use the "
              "language of complexity because it was off-putting' (episode 7, at 10:48)."),
        url="https://markfoden.com/clockcat/2019/10/episode-7-turning-the-purpose-of-management-upside-down",
        notes="A podcast, not a peer-reviewed source.",
    ),
)
