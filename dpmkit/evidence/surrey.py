"""Evidence on Surrey Services for Young People (SYP), 2006-2019, used by the ``surrey`` model.

Figures come from the team's research notes (``shared/research/domain-facts.md``,
sections 0, 3 and 8), which give the URL of every source. Some Surrey figures come only
from party-political websites; their notes say so, and teaching material should flag
them. Local NEET counts and shares mix age bands, months and definitions (see
``surrey_neet_definitions``): do not fit a model to them without saying so.

Teaching ranges that are not evidence have entries with ``status="assumption"``; their
notes say what they were chosen to do.
"""

from __future__ import annotations

from . import Source

_GOVINT_CASE = (
    "https://www.govint.org/our-resources/case-studies/case-study/"
    "the-transformation-of-services-for-young-people-in-surrey-county-council"
)
_GOVINT_EVALUATION = (
    "https://www.govint.org/our-resources/publications/publication/"
    "the-new-commissioning-model-of-services-for-young-people-in-surrey-evaluation-of-achievements-and-implications"
)
_PCC = (
    "https://www.surrey-pcc.gov.uk/surreys-pioneering-initiative-to-revolutionise-youth-justice-proving-a-success/"
)
_POLITICAL = "Party-political website: use as corroboration only and flag it in teaching material."
_EVALUATION_2014 = (
    "Bovaird, T. & Loeffler, E. (2014) The New Commissioning Model of Services for Young People in Surrey: "
    "Evaluation of Achievements and Implications. Governance International and INLOGOV (University of "
    "Birmingham), for Surrey County Council"
)

SOURCES = (
    # NEET: counts, shares and definitions.
    Source(
        key="surrey_neet_typical_2003_2012",
        citation="Governance International, case study: The transformation of services for young people in "
                 "Surrey County Council",
        status="published",
        says="'Between 2003 and 2012, at any one time, around 1,000 young people were not in education, "
             "employment or training (NEET) in Surrey', despite 'considerable investment'.",
        url=_GOVINT_CASE,
    ),
    Source(
        key="surrey_neet_2009",
        citation="Surrey Conservatives, news page (undated)",
        status="published",
        says="'Latest figures show there were 449 NEETs aged 16 to 19 last month compared to 1,080 in April 2009.'",
        url="https://surreyconservatives.org.uk/node/118",
        notes=_POLITICAL + " Calibration point for the surrey model at TIME = 2009.25.",
    ),
    Source(
        key="surrey_neet_autumn_2013",
        citation="Surrey Conservatives, news page (undated; written in 2013)",
        status="published",
        says="'The number of NEETs in Surrey has more than halved in just over four years'. 'Latest figures show "
             "there were 449 NEETs aged 16 to 19 last month compared to 1,080 in April 2009. That means around "
             "1.5% of 16 to 19-year-olds in Surrey are classed as NEET.' Nationally 'the figure is closer to 6%'.",
        url="https://surreyconservatives.org.uk/node/118",
        notes=_POLITICAL + " The page is undated. 'Just over four years' from April 2009 puts the 449 in about "
              "mid-2013 (May to August 2013, TIME 2013.3-2013.7), and the page looks ahead to apprentices 'by "
              "April 2014', so it was written before then. The kit used to date it 'autumn 2013'; the key keeps "
              "that name so that code citing it still works. The surrey model places the point at TIME 2013.75 "
              "and its test accepts July 2013 to January 2014 within 15%: a window that begins a month or two "
              "after the date the source implies. At mid-2013 (TIME 2013.5) the base run gives about 494, 10% "
              "above 449; at 2013.75 about 467, 4% above (the kit's tests keep the mid-2013 check).",
    ),
    Source(
        key="surrey_neet_2014",
        citation="Governance International, case study: The transformation of services for young people in "
                 "Surrey County Council",
        status="published",
        says="NEET in Surrey 'has more than halved, standing at 429 at the end of March 2014'.",
        url=_GOVINT_CASE,
        notes="Calibration point for the surrey model at TIME = 2014.25 (the end of March 2014). Age band and "
              "definition are not stated.",
    ),
    Source(
        key="surrey_neet_rank_2014",
        citation="Governance International, case study: The transformation of services for young people in "
                 "Surrey County Council",
        status="published",
        says="'National data showing that Surrey had the joint lowest NEET proportion in England between "
             "November 2013 and January 2014.'",
        notes="A November-January window: the months the published annual local-authority figure averaged in "
              "2012-2014 (surrey_neet_annual_average).",
        url=_GOVINT_CASE,
    ),
    Source(
        key="surrey_neet_share_2013",
        citation="Redhill and Reigate Life, local news article (undated, about 2013)",
        status="published",
        says="'Provisional figures from the Department of Education (DfE) have shown that only 1.8% of people "
             "aged 16 to 19 in the county are not studying or working', the fewest 'in the country, alongside "
             "Harrow and Rutland'; the national average was 5.3%.",
        url="http://www.redhillandreigatelife.co.uk/news/localnews/11114603.print/",
        notes="An annual figure (in 2012-2014 an average of November, December and January: "
              "surrey_neet_annual_average), not a count in one month.",
    ),
    Source(
        key="surrey_neet_share_2014_15",
        citation="Surrey County Council, Services for Young People in Surrey Heath: performance summary",
        status="published",
        says="Surrey NEET share 1.8% in 2013/14 and 1.7% in 2014/15: second lowest of all local authorities, "
             "lowest of the large ones.",
        url="",
        notes="No council page found; the only copy found (vdocuments.site, 'services-for-young-people-in-surrey-"
              "heath-performance-responding-well-and-growing') is on a document-sharing site, so it is not linked. "
              "Academic-year measure (years 12-14), not the 16-19 band of the counts. The roughly flat share "
              "from 2013/14 to 2014/15 is why the model's NEET levels off after 2014.",
    ),
    Source(
        key="surrey_neet_fall_evaluation",
        citation=_EVALUATION_2014,
        status="published",
        says="'A reduction of 60% in the number of young people who are NEET (Not in Employment, Education or "
             "Training) in Surrey (so that it became the lowest in England)'.",
        url=_GOVINT_EVALUATION,
        notes="Baseline date of the 60% not retrieved; 1,080 to 429 is a 60% fall. The kit used to credit the "
              "evaluation to 'Governance International and INLOGOV'; its publisher page asks that it be cited as "
              "Bovaird & Loeffler (2014).",
    ),
    Source(
        key="surrey_neet_definitions",
        citation="Department for Education, NEET and participation: local authority figures; and Explore "
                 "Education Statistics, Participation in education, training and NEET age 16 to 17 by local "
                 "authority",
        status="published",
        says="Local NEET figures are management information that depend on how well each authority tracks "
             "young people. Before 2016 the figure included an adjustment for young people whose activity "
             "was not known; since 2016 the headline is 'NEET + not known'. Tracking of 18-year-olds was "
             "dropped in 2016.",
        url="https://gov.uk/government/publications/neet-and-participation-local-authority-figures",
        notes="Surrey's counts (1,080; 449; 429) and shares (1.5%; 1.8%; 1.7%) mix age bands (16-19 vs "
              "academic years 12-14) and measurement months. The surrey model is calibrated to the counts "
              "and says so.",
    ),
    Source(
        key="surrey_neet_annual_average",
        citation="Department for Education (2013), 16-18 year olds NEET (2012): regions and local authorities "
                 "(dataset JD113Ed), as described by MK Insight",
        status="published",
        says="'This series is a 3 month average (November to January) snapshot estimate of the NEET rate taken "
             "from the Local Authority CCIS information system.'",
        url="https://mkinsight.org/16-18-year-olds-not-in-education-employment-or-training-neet-2012-regions-leas-jd113ed/",
        notes="Corrected. The kit used to say the annual figure averaged December to February; for 2012-2014 the "
              "published figure averaged November to January, which is also the window of the case study's "
              "'November 2013 and January 2014' (surrey_neet_rank_2014). The esd metric definition "
              "(surrey_neet_annual_average_esd) gives December to February, presumably for another period of the "
              "series; not verified.",
        disagrees_with=("surrey_neet_annual_average_esd",),
    ),
    Source(
        key="surrey_neet_annual_average_esd",
        citation="esd (LG Inform) metric definition 20112",
        status="published",
        says="The annual local-authority NEET figure is the average of December, January and February.",
        url="http://id.esd.org.uk/metricType/20112",
        notes="Which years this definition covers was not retrieved; for 2012-2014 DfE describes a November to "
              "January average (surrey_neet_annual_average). The wording is the research notes' record of "
              "the definition, not its exact words.",
        disagrees_with=("surrey_neet_annual_average",),
    ),
    Source(
        key="surrey_cohort",
        citation="dpmkit, derived from Surrey Conservatives (449 NEET, about 1.5% of 16-19s)",
        status="derived",
        says="Surrey's tracked 16-19 cohort is about 30,000 young people.",
        arithmetic="449 / 0.015 = 29,933, rounded to 30,000 (from surrey_neet_autumn_2013).",
        notes="Rests on a political source and a rounded percentage; 1,080 / 30,000 = 3.6% in April 2009.",
    ),
    Source(
        key="surrey_context_neet_la_range_2012",
        citation="Learning Plus UK (2015), 16-18 NEETs across local authorities and regions",
        status="published",
        says="In 2012 the lowest local-authority 16-18 NEET rates were Harrow 2.0%, Rutland 2.4%, Brent 2.4%; "
             "the highest was Redcar and Cleveland at 10.6%.",
        url="https://learningplusuk.org/blog/2015-01-26/16-18-neets-across-las-and-regions",
        notes="The surrey model uses 10.6% as the zero of its quality-of-life scale (a scale anchor, not a "
              "claim about Surrey).",
    ),
    # Money and timeline.
    Source(
        key="surrey_budget_cut",
        citation="Governance International, case study: The transformation of services for young people in "
                 "Surrey County Council",
        status="published",
        says="'From 2009-2012, Services for Young People (SYP) underwent a transformation from delivering "
             "services to young people to commissioning outcomes for young people, whilst reducing its budget by "
             "£4.5 million or 25%.'",
        url=_GOVINT_CASE,
    ),
    Source(
        key="surrey_budget_baseline",
        citation="dpmkit, derived from the Governance International case study",
        status="derived",
        says="SYP budget before the cut about £18m a year; after the cut about £13.5m.",
        arithmetic="£4.5m / 0.25 = £18m; £18m - £4.5m = £13.5m (from surrey_budget_cut).",
        notes="Scopes differ between sources: £18.4m (surrey_budget_libdem) and £15.4m spend in Nov 2010 "
              "(surrey_budget_ncvys_2010). The model's uncertainty range, £15.4m-£18.4m, spans them.",
        disagrees_with=("surrey_budget_ncvys_2010", "surrey_budget_bbc_2011", "surrey_budget_libdem"),
    ),
    Source(
        key="surrey_budget_libdem",
        citation="Epsom and Ewell Liberal Democrats, Youth work: Cinderella services at the cutting edge",
        status="published",
        says="Youth services budget £18.4m, cut by £6m: 30% less by 2013-14 than 2009-10. The council called "
             "its co-production approach 'somewhat untested, but at the cutting edge of public sector reform'.",
        url="https://epsomewelllibdems.uk/news/article/youth-work-cinderella-services-at-the-cutting-edge-1",
        notes=_POLITICAL,
        disagrees_with=("surrey_budget_baseline", "surrey_budget_bbc_2011"),
    ),
    Source(
        key="surrey_budget_ncvys_2010",
        citation="NCVYS policy blog (10 November 2010), Surrey, Peterborough and Warwickshire",
        status="published",
        says="'Surrey County Council is trying to cut its £15.4m spend for young people\u2019s services by £2.1m "
             "in year.' The assistant director 'estimates that the budget will reduced to £10m over the next "
             "couple of years'.",
        url="https://ncvyspolicy.wordpress.com/2010/11/10/surrey-peterborough-and-warwickshire/",
        notes="Trade blog; a different scope from the £18m baseline.",
        disagrees_with=("surrey_budget_baseline", "surrey_budget_bbc_2011"),
    ),
    Source(
        key="surrey_budget_bbc_2011",
        citation="BBC News, Surrey youth service facing cuts in outsourcing plan (date not shown in the retrieved "
                 "text; reported by the NCVYS policy blog on 17 January 2011)",
        status="published",
        says="'The Conservative-controlled council is also proposing to cut the youth service budget from £16.1m "
             "to £11.1m over the next two years.'",
        url="https://feeds.bbci.co.uk/news/uk-england-surrey-12051925",
        notes="A proposal (£5m, 31%, over two years) for the youth service, a narrower scope than the SYP budget "
              "of about £18m cut by £4.5m (25%) over three years (surrey_budget_baseline), and different again from "
              "NCVYS's £15.4m spend in November 2010 and the Liberal Democrats' £18.4m. The BBC page's date was not "
              "shown in the retrieved text; NCVYS reported the same figures on 17 January 2011 "
              "(https://ncvyspolicy.wordpress.com/2011/01/17/surrey-buckinghamshire-and-hounslow/). Not modelled.",
        disagrees_with=("surrey_budget_baseline", "surrey_budget_ncvys_2010", "surrey_budget_libdem"),
    ),
    Source(
        key="surrey_change_2009",
        citation="C4EO, Participation in education, training and employment for all Surrey young people; and "
                 "the Governance International case study",
        status="published",
        says="In April 2009 Services for Young People was formed from Connexions, the Youth Offending Team and "
             "the Youth Service under one Assistant Director, and a three-year journey began from 'deliverer "
             "of services' to 'commissioner of outcomes' by April 2012.",
        url="http://c4eo.org.uk/local-practice/emerging-practice-examples/participation-in-education,-training-"
            "and-employment-for-all-surrey-young-people.aspx",
    ),
    Source(
        key="surrey_ofsted_jar",
        citation="C4EO, Participation in education, training and employment for all Surrey young people",
        status="published",
        says="Before 2009 an Ofsted Joint Area Review rated Surrey's support for vulnerable teenagers "
             "'inadequate'; the Government Office for the South East said Surrey was the 'last local "
             "authority in the country' to implement targeted youth support.",
        url="http://c4eo.org.uk/local-practice/emerging-practice-examples/participation-in-education,-training-"
            "and-employment-for-all-surrey-young-people.aspx",
        notes="Date of the review not given. Basis for the model's low starting trust and capability "
              "(themselves assumptions).",
    ),
    Source(
        key="surrey_decommissioning_2012",
        citation="Governance International, case study: The transformation of services for young people in "
                 "Surrey County Council",
        status="published",
        says="The new commissioning model went live in April 2012: 'a wholesale decommissioning of its four "
             "historical services (Connexions, Youth Justice, Youth Development and 14-19 Commissioning)'.",
        url=_GOVINT_CASE,
        notes="The model decommissions legacy services at a steady pace from April 2009 to April 2012 (3 "
              "years); the pace in between is not published.",
    ),
    Source(
        key="surrey_consultation_2010",
        citation="Children and Young People Now, Leadership: commissioning works when you know what young "
                 "people need",
        status="published",
        says="About 8,000 young people were consulted in 12 months (2010-11), and a six-month needs "
             "assessment used all the data held on 13-19-year-olds.",
        url="https://www.cypnow.co.uk/opinion/article/leadership-commissioning-works-when-you-know-what-young-"
            "people-need",
        notes="The model starts co-design in April 2010 (design_start = 2010.25); the month is an assumption.",
    ),
    Source(
        key="surrey_youth_work_hours",
        citation="Children and Young People Now (February 2011)",
        status="published",
        says="Design: each of 35 council-owned youth centres funded for 15 hours a week of youth work, with "
             "voluntary-sector managing agents asked to match another 15 hours a week free.",
        url="https://www.cypnow.co.uk/opinion/article/leadership-commissioning-works-when-you-know-what-young-"
            "people-need",
        notes="A design of one matched hour per funded hour. Whether matching was achieved is unknown, so the "
              "model's matching_ratio defaults to the design (1) with an uncertainty range of 0.25-1.",
    ),
    Source(
        key="surrey_youth_centres_2012",
        citation="Surrey County Council news (18 January 2012), Community groups welcome opportunity to run "
                 "youth activities",
        status="published",
        says="The Surrey Youth Consortium (12 charities) and Raven Housing Trust to run activities at 31 youth "
             "centres (27 + 4), saving £1.8m a year; each of 11 local committees to get up to £200,000 a year "
             "for projects agreed with young people.",
        url="https://news.surreycc.gov.uk/2012/01/18/community-groups-welcome-opportunity-to-run-youth-"
            "activities/",
    ),
    Source(
        key="surrey_funded_hours",
        citation="dpmkit, derived from Surrey County Council news (2012) and Children and Young People Now (2011)",
        status="derived",
        says="About 465 funded youth-work hours a week in the 31 centres; 930 if fully matched.",
        arithmetic="31 centres x 15 funded hours/week = 465 hours/week (surrey_youth_centres_2012, "
                   "surrey_youth_work_hours); x 2 with full matching = 930.",
    ),
    Source(
        key="surrey_local_committee_budgets",
        citation="dpmkit, derived from Surrey County Council news (2012)",
        status="derived",
        says="Up to £2.2m a year of locally decided, youth-agreed spending.",
        arithmetic="11 local committees x up to £200,000 a year = up to £2.2m a year (surrey_youth_centres_2012).",
    ),
    Source(
        key="surrey_codesign_to_delivery",
        citation="dpmkit, derived from Children and Young People Now (2011) and Surrey County Council news (2012)",
        status="derived",
        says="About two years from the start of co-design to co-delivered youth work.",
        arithmetic="Consultation and needs assessment from 2010 (surrey_consultation_2010); design published "
                   "February 2011; contracts announced January 2012 and the new model live April 2012 "
                   "(surrey_youth_centres_2012, surrey_decommissioning_2012): 2012.25 - 2010.25 = 2 years.",
        notes="The month in 2010 is not published.",
    ),
    Source(
        key="surrey_coproduction_channels",
        citation="Children and Young People Now (2011); Surrey County Council news (2012); Surrey County "
                 "Council Local Prevention Framework item (September 2013)",
        status="published",
        says="Co-production channels: consultation with about 8,000 young people; youth task groups with young "
             "people scoring bidders (e.g. three young people on the Reigate and Banstead panel that "
             "recommended a £139,500 a year NEET-prevention contract); voluntary youth-centre consortia with "
             "matched hours; restorative practice with victims; local committees with youth-agreed budgets.",
        url="https://mycouncil.surreycc.gov.uk/mgAi.aspx?ID=3436",
        notes="How much each channel contributed is not measured. The model's coproduction_effort is a "
              "lever: 1 = the programme as it happened, 0 = none of it (a counterfactual).",
    ),
    Source(
        key="surrey_skills_centres_2013",
        citation="Surrey County Council news (8 April 2013), Chain of skills centres for NEETs set to be completed",
        status="published",
        says="A chain of 10 skills centres for NEET young people (5 in 2012), run by colleges and training firms.",
        url="https://news.surreycc.gov.uk/2013/04/08/chain-of-skills-centres-for-neets-set-to-be-completed/",
    ),
    Source(
        key="surrey_other_results_2014",
        citation=_EVALUATION_2014,
        status="published",
        says="'A 90% successful progression to education, training or employment from young people at risk of "
             "becoming NEET who received support from the Year 11/12 Transition commission'; 'a 4% increase in "
             "young people aged 16-18 starting apprenticeships since 2011 (in contrast to a decrease of 14% in "
             "England during the same period)'; youth homelessness 'at a record low'.",
        url=_GOVINT_EVALUATION,
    ),
    Source(
        key="surrey_evaluation_2014",
        citation=_EVALUATION_2014,
        status="published",
        says="'Governance International and INLOGOV were commissioned by Surrey CC to evaluate this "
             "decommissioning and recommissioning process, the experience of the new services to date and the "
             "implications for the next round of commissioning.'",
        notes="Cited, as its publisher page asks, as Bovaird & Loeffler (2014); the kit used to credit it to "
              "'Governance International and INLOGOV'. Tony Bovaird (INLOGOV) and Elke Loeffler (Governance "
              "International) are also two of the three authors of the 2017 DPM paper.",
        url=_GOVINT_EVALUATION,
    ),
    Source(
        key="surrey_evaluation_delay",
        citation="dpmkit, derived from the 2014 evaluation and the 2009 change start",
        status="derived",
        says="The published evaluation came about five years after the change began.",
        arithmetic="2014 (surrey_evaluation_2014) - 2009 (surrey_change_2009) = 5 years; the month is not "
                   "known, so about 4.5-5.5 years.",
    ),
    Source(
        key="surrey_bbl2017_evaluation",
        citation="Bovaird, T., Bianchi, C. & Loeffler, E. (2017), authors' summary on Kudos of: Applying a "
                 "dynamic performance management framework to wicked issues, International Journal of Public "
                 "Administration 40(10), 833-846",
        status="published",
        says="The modelled system contains feedback loops; what is achieved in one period depends on earlier "
             "interventions, so over-hasty or narrow evaluation misleads. Co-production carries inherent "
             "risks; the model still needs the transaction costs of co-production.",
        url="https://growkudos.com/publications/10.1080%252F01900692.2017.1280822/reader",
        notes="Basis for the worse-before-better evaluation lesson and for the model's co-production cost. "
              "The paper's own model was not available: the surrey model is inspired by it, not a replication.",
    ),
    # Youth justice.
    Source(
        key="surrey_fte_fall_evaluation",
        citation=_EVALUATION_2014,
        status="published",
        says="'A 90% reduction in first time entrants of young people to the criminal justice system (the lowest "
             "rate of first time entrants in England)'.",
        url=_GOVINT_EVALUATION,
        notes="Calibration target of the surrey model: first-time entrants about 90% below 2006/07 by 2014. "
              "The evaluation's baseline year was not retrieved; the PCC figure below uses 2006/07. Nationally "
              "first-time entrants fell about two-thirds over 2006/07-2011/12 (surrey_context_fte_national), so "
              "part of Surrey's fall is the national trend, not local causes (surrey_fte_relative_to_national).",
    ),
    Source(
        key="surrey_young_offenders_pcc",
        citation="Surrey Police and Crime Commissioner (June 2014), Surrey's pioneering initiative to "
                 "revolutionise youth justice proving a success",
        status="published",
        says="Young offenders entering the Surrey criminal justice system fell 93% since 2006/07; youth crime "
             "halved in five years; more than 1,000 young people a year avoid a criminal record.",
        url=_PCC,
        notes="The model applies 'youth crime halved' to first offences (an assumption) and checks that more "
              "than 1,000 a year are diverted by 2014.",
    ),
    Source(
        key="surrey_yri_start_2009",
        citation="Surrey Police and Crime Commissioner (June 2014)",
        status="published",
        says="The youth restorative initiative was 'launched in Surrey in 2009'.",
        url=_PCC,
        notes="The model's default yri_start is April 2009; its uncertainty range runs to 2011.",
        disagrees_with=("surrey_yri_start_2011",),
    ),
    Source(
        key="surrey_yri_start_2011",
        citation="High Sheriff of Surrey (19 June 2018), Youth Restorative Intervention",
        status="published",
        says="The Youth Restorative Intervention process 'began in 2011'.",
        url="https://www.highsheriffofsurrey.com/2018/06/19/youth-restorative-intervention-d49/",
        notes="Disagrees with the PCC's 2009. Perhaps a 2009 pilot and a 2011 county-wide process; not verified.",
        disagrees_with=("surrey_yri_start_2009",),
    ),
    Source(
        key="surrey_yri_design",
        citation="Sussex Criminal Justice Board, Surrey Youth Restorative Intervention; IIRP news, Restorative "
                 "justice effective for youth in Surrey",
        status="published",
        says="Co-designed by Surrey Police and the youth support service: a victim-centred out-of-court "
             "disposal, an alternative to caution or prosecution for admitted offences by under-18s; a "
             "co-located police and youth-support team reviews the file before any decision. '70% of young "
             "people who get into trouble with the police do so only once.'",
        url="http://www.sussexcriminaljusticeboard.org.uk/surrey-youth-restorative-intervention",
    ),
    Source(
        key="surrey_yri_reoffending",
        citation="Surrey County Council, How Surrey is leading the way (restorative justice in Surrey)",
        status="published",
        says="An external evaluation (2015) found the YRI reduced re-offending by 18%.",
        url="https://www.surreycc.gov.uk/people-and-community/restorative-practice/restorative-justice-in-surrey/"
            "how-surrey-is-leading-the-way",
        notes="A 2017 follow-up (Get the Data) confirmed the effect and found some sub-groups benefited less.",
    ),
    Source(
        key="surrey_youth_justice_reinvestment",
        citation="The Guardian (17 September 2014), restorative justice for young offenders; Surrey PCC (2014)",
        status="published",
        says="Restorative approaches freed about £2m; half of the previous youth-justice spend was reinvested "
             "in prevention.",
        url="https://www.theguardian.com/society/2014/sep/17/restorative-justice-young-offenders-crime",
        notes="Not modelled separately: the surrey model has one budget for services for young people.",
    ),
    Source(
        key="surrey_context_informal_resolutions",
        citation="Criminal Justice Joint Inspection (2012), cited in Youth Restorative Intervention in Surrey",
        status="published",
        says="Nationally, informal resolutions rose from 0.5% to 12% of cases between 2008 and 2011.",
        url="",
        notes="Context for the model's assumed 10% diversion before the YRI. No official page found; the only "
              "copy found (docplayer.net/amp/11809870) is on a document-sharing site, so it is not linked.",
    ),
    Source(
        key="surrey_context_fte_national",
        citation="Children and Young People Now, Number of first-time young offenders falls by a fifth (date not "
                 "shown in the retrieved text; reporting Ministry of Justice, Youth Justice Statistics 2011/12)",
        status="published",
        says="The statistics 'reveal there were 36,677 first-time offences committed by 10- to 17-year-olds in "
             "2011/12', 'a 67 per cent "
             "drop on 2006/07 when there were 110,826 first-time entrants to the youth justice system'.",
        url="https://www.cypnow.co.uk/content/news/number-of-first-time-young-offenders-falls-by-a-fifth",
        notes="England and Wales. National context for Surrey's fall of about 90% (surrey_fte_fall_evaluation, "
              "surrey_young_offenders_pcc): first-time entrants fell by about two-thirds everywhere over the same "
              "years. The article's wording mixes 'first-time offences' and 'first-time entrants'.",
    ),
    Source(
        key="surrey_context_fte_police_targets",
        citation="Children and Young People Now (31 May 2013), Number of first-time young offenders fell by a "
                 "quarter in 2012",
        status="published",
        says="Criminologist Tim Bateman 'said the abolition of police targets for crime \u201cdetections\u201d in "
             "2008 contributed to the fall in first-time entrants to the system'.",
        url="https://www.cypnow.co.uk/news/article/number-of-first-time-young-offenders-fell-by-a-quarter-in-2012",
        notes="One national cause of the fall, acting in Surrey as everywhere else: the surrey model attributes "
              "the whole fall to the Youth Restorative Intervention, which overstates the local effect.",
    ),
    Source(
        key="surrey_fte_relative_to_national",
        citation="dpmkit, derived from the 2014 evaluation, the Surrey PCC (2014) and national youth justice "
                 "statistics",
        status="derived",
        says="Relative to the national trend, Surrey's first-time entrants fell by about 70%: the national fall "
             "of about two-thirds explains roughly a third of the way to Surrey's 90%.",
        arithmetic="National 2011/12 / 2006/07 = 36,677 / 110,826 = 0.33 (surrey_context_fte_national). Surrey "
                   "about 0.10 of its 2006/07 level (90% fall, surrey_fte_fall_evaluation; 0.07 for the PCC's 93%). "
                   "0.10 / 0.33 = 0.30 (0.07 / 0.33 = 0.21): about 70-79% below the national trend.",
        notes="The periods differ slightly (Surrey to about 2013/14, national to 2011/12; the national fall "
              "continued in 2012, surrey_context_fte_police_targets), so the local share is if anything smaller.",
    ),
    # After 2015.
    Source(
        key="surrey_recommissioning_2015",
        citation="Surrey County Council Cabinet (2014), re-commissioning of services for young people 2015-2020",
        status="published",
        says="Nine commissions for 2015-2020; the first three-year contracts expired in 2015; goal of full "
             "participation to 19 (25 with special educational needs); more delegation to local committees.",
        url="https://mycouncil.surreycc.gov.uk/ieIssueDetails.aspx?IId=9172&Opt=3",
        notes="Three-year contracts bound the model's contract_adaptation_time from above.",
    ),
    Source(
        key="surrey_post2015_cut",
        citation="Surrey Liberal Democrats, budget page",
        status="published",
        says="The council's 2015/16 budget 'reveals a large cut of nearly £2 million in services for young "
             "people'.",
        url="https://surreylibdems.org.uk/page-58",
        notes=_POLITICAL + " The model applies it from April 2015 and keeps it. Later early-help savings "
              "(£250k in 2017/18, £200k in 2018/19, https://www.surreysays.co.uk/csf/changes-to-early-help-"
              "services/) concern a different budget and are not modelled.",
    ),
    Source(
        key="surrey_hmip_2019",
        citation="HM Inspectorate of Probation (August 2019), press release: inspection of youth offending "
                 "services in Surrey",
        status="published",
        says="Fieldwork June 2019: Surrey Youth Offending Service rated 'Inadequate', 8 of 12 standards "
             "inadequate. The service 'relies too heavily on national measures', including first-time "
             "entrants; its low first-time-entrant rate 'does not indicate a high-performing service'. "
             "Out-of-court decision-making was 'poor and inconsistent'.",
        url="https://www.justiceinspectorates.gov.uk/hmiprobation/media/press-releases/2019/08/surreyyos2019/",
        notes="Context: a large restructure; youth offending work was taken over by Surrey Targeted Youth "
              "Support in May 2019. The model reproduces the divergence (first-time entrants low, capability "
              "falling) through a funding shortfall only; the restructure is not modelled.",
    ),
    Source(
        key="surrey_hmip_2022",
        citation="HM Inspectorate of Probation (March 2022), press release: 'Impressive' Surrey Youth Offending "
                 "Service rated 'Good'",
        status="published",
        says="'Surrey Youth Offending Service (YOS) has received an overall rating of \u2018Good\u2019 following "
             "an inspection by Her Majesty\u2019s Inspectorate of Probation. This follows an inspection in 2019, "
             "when the service was given an overall rating of \u2018Inadequate\u2019.' The Chief Inspector: 'To go "
             "from an \u2018Inadequate\u2019 to \u2018Good\u2019 rating, in just a few years, is quite an "
             "achievement.'",
        url="https://justiceinspectorates.gov.uk/hmiprobation/media/press-releases/2022/03/surrey-yos",
        notes="What the surrey model does not represent: it runs to 2022 with youth offending capability still "
              "falling, because it has no response to the 2019 inspection (no improvement plan, reinvestment or "
              "new leadership): capability follows funding only. Its path after 2019 is therefore not a forecast "
              "of what happened, and it contradicts this rating. BBC News reported the same (uk-england-surrey-"
              "60902368).",
    ),
    Source(
        key="surrey_hmip_2019_bbc",
        citation="BBC News (August 2019), Surrey youth offending service 'inadequate'",
        status="published",
        says="Nearly 40% of children on court orders were not receiving their education entitlement; some "
             "waited 16 weeks for mental-health appointments; more than half had special educational needs.",
        url="https://www.bbc.com/news/uk-england-surrey-49424822",
    ),
    # Teaching assumptions of the surrey model (not evidence).
    Source(
        key="surrey_assumption_neet_flows",
        citation="dpmkit teaching assumption (surrey model: NEET flows)",
        status="assumption",
        says="About 4,000 young people at risk (about 13% of a 30,000 cohort); an unsupported at-risk young "
             "person becomes NEET at about 0.7 a year (about 6% a month) and stays NEET about 7 months; "
             "well-targeted support prevents up to 80% of spells and up to triples re-engagement; full "
             "coverage would cost about £15m a year of well-targeted spend; about 15% of legacy spend reached "
             "young people at risk, and up to 90% of commissioned spend can once needs are understood.",
        notes="Chosen within the ranges of the research notes (section 8: at risk 2,000-4,000, hazard 2-6% a "
              "month, spell 4-9 months) so that the pre-2009 balance is about 1,050 NEET and the baseline "
              "passes through 1,080 (April 2009) and 429 (the end of March 2014) within 15%. They are calibrated, not "
              "measured: another set could fit the same two points.",
    ),
    Source(
        key="surrey_assumption_insight",
        citation="dpmkit teaching assumption (surrey model: insight into needs)",
        status="assumption",
        says="Insight into needs starts at 0.2; the council's own data can add 0.35 and young people's voice "
             "up to 0.4 more (scaled by trust); insight moves with a time constant of about a year.",
        notes="Illustrates the claim that co-design with young people makes commissioned support more relevant "
              "(surrey_consultation_2010, surrey_coproduction_channels); the sizes are not measured.",
    ),
    Source(
        key="surrey_assumption_trust",
        citation="dpmkit teaching assumption (surrey model: trust)",
        status="assumption",
        says="Trust starts at 0.4, rises with visible results and with young people's voice, falls with the "
             "service gap of the transition, and adjusts over about a year.",
        notes="The low start reflects the pre-2009 'inadequate' rating (surrey_ofsted_jar); the loop it closes "
              "(results -> trust -> co-production -> results) is the research notes' R1, and the disruption "
              "link their R2.",
    ),
    Source(
        key="surrey_assumption_coproduction",
        citation="dpmkit teaching assumption (surrey model: co-production)",
        status="assumption",
        says="Co-production costs about £0.4m a year at full effort (engagement, task groups, support to "
             "volunteers); a weekly hour of youth work is worth about £1,300 a year (£25 an hour x 52 weeks); "
             "volunteers join within about half a year of being asked.",
        notes="The paper notes its model lacked the transaction costs of co-production "
              "(surrey_bbl2017_evaluation); the research notes suggest 5-20% of co-produced value.",
    ),
    Source(
        key="surrey_assumption_contracts",
        citation="dpmkit teaching assumption (surrey model: commissioning)",
        status="assumption",
        says="A new contract takes about 0.6 years to design and mobilise; the commissioning team can let at "
             "most about £6m a year of new contract value per year; running outcome-based contracts adapt to "
             "new insight within about a year.",
        notes="Three-year contracts (surrey_recommissioning_2015) bound the adaptation time from above. The "
              "commissioning limit is what makes very fast decommissioning leave a long service gap.",
    ),
    Source(
        key="surrey_assumption_youth_justice",
        citation="dpmkit teaching assumption (surrey model: youth justice)",
        status="assumption",
        says="About 2,400 first offences by young people a year in 2006/07, 10% resolved informally before the "
             "YRI and 86% with it in place (spreading over about 1.5 years); reoffending 40% with a capable "
             "service; youth offending service capability 0.5 before the change and 0.85 with the YRI; "
             "capability follows funding with a time constant of about 2 years and falls by 3 times any "
             "shortfall below 75% of the 2009 budget.",
        notes="First offences and the YRI diversion share are calibrated to two published checks: first-time "
              "entrants about 90% below 2006/07 by 2014 (surrey_fte_fall_evaluation) and more than 1,000 a "
              "year avoiding a criminal record (surrey_young_offenders_pcc): 2,400 x 0.5 x 0.86 = 1,032. "
              "The capability chain illustrates how the 2019 inspection (surrey_hmip_2019) could find an "
              "inadequate service behind an excellent first-time-entrant figure; its sizes are not measured.",
    ),
    Source(
        key="surrey_assumption_objectives",
        citation="dpmkit interpretation (surrey model: indicators of the three objectives)",
        status="assumption",
        says="Service quality = mean of the relevance of support and youth offending service capability; "
             "quality of life = 1 - half the NEET share relative to the worst English rate - half the "
             "reoffending share; governance conformity = mean of youth voice (co-production scaled by trust) "
             "and capability (due process and consistency in out-of-court decisions).",
        notes="An illustrative mapping of the three objectives of Bovaird, Bianchi & Loeffler (2017) onto "
              "model variables (research notes section 3.9, marked [I]); not the paper's definitions.",
    ),
)
