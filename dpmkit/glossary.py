"""The kit's glossary: each term once, in plain English, shared by notebooks and handouts.

Where a definition comes from the literature, ``source`` is a key into the evidence
registry (:mod:`dpmkit.evidence`), so the citation and its status are written once.
Definitions without a source are the kit's own plain-English explanations of
standard system-dynamics vocabulary. The printable glossary in ``workshops/handouts/`` is generated from this
module (``make handouts``).

>>> from dpmkit import glossary
>>> glossary.get("stock").definition.split(".")[0]
'Something that accumulates over time, like a waiting list, the staff in post or the trust young people have in a service'
>>> glossary.get("Stocks").term          # plural and case are forgiven
'Stock'
"""  # noqa: E501 - a doctest's expected output cannot be wrapped

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ModelError
from .expressions import suggest

__all__ = ["Term", "GROUPS", "TERMS", "get", "terms", "table", "markdown"]

#: The order in which groups of terms are presented.
GROUPS = (
    "Stocks, flows and feedback",
    "Dynamic performance management",
    "Complexity and wicked issues",
    "Performance regimes, targets and gaming",
    "Human Learning Systems and learning together",
    "The Surrey case",
    "Using the kit",
)


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    Attributes
    ----------
    term : str
        The term as it is written in text (capitalised like a heading).
    definition : str
        Plain-English definition, one to three sentences.
    group : str
        One of :data:`GROUPS`.
    source : str or None
        Evidence-registry key where the definition comes from the literature.
    see_also : tuple of str
        Related terms (each also in the glossary).
    written : tuple of str
        Other ways the lessons write the term ("imposed or negotiated" for "Imposed and
        negotiated"), so that the learner notebooks link it where they use it (see :attr:`forms`).
    """

    term: str
    definition: str
    group: str
    source: str | None = None
    see_also: tuple = ()
    written: tuple = ()

    @property
    def key(self):
        """Lower-case look-up key."""
        return _key(self.term)

    @property
    def anchor(self):
        """The term's anchor in the printable glossary: ``glossary.md#policy-lever``.

        Lower case, words joined by hyphens, other punctuation dropped (as GitHub makes heading
        anchors), so "Goodhart's law" is ``goodharts-law``.
        """
        return "-".join(re.sub(r"[^a-z0-9 -]", "", self.key.replace("'", "").replace("\u2019", "")).split())

    @property
    def forms(self):
        """The ways text writes the term: as it is and with a simple plural (case aside).

        >>> get("Policy lever").forms
        ('policy lever', 'policy levers')
        >>> get("Sensitivity").forms
        ('sensitivity', 'sensitivities')
        >>> get("Imposed and negotiated").forms  # and as the lessons write it
        ('imposed and negotiated', 'imposed or negotiated')
        """
        word = self.term.lower()
        if word.endswith("s") or self.term.isupper() or " and " in word:
            plurals = ()  # already plural ("Units", "Three views"), an abbreviation ("RMSE", "NEET") or a pair
        elif word.endswith("y") and word[-2:-1] not in "aeiou":
            plurals = (word[:-1] + "ies",)
        elif word.endswith(("ch", "sh", "x", "z")):
            plurals = (word + "es",)
        else:
            plurals = (word + "s",)
        return (word,) + plurals + tuple(w.lower() for w in self.written)

    def citation(self):
        """The source's short citation with its status, or "" (needs the evidence registry)."""
        if self.source is None:
            return ""
        from . import evidence

        return evidence.cite(self.source)


def _key(text):
    return " ".join(str(text).lower().replace("-", " ").split())


_S, _D, _C, _R, _H, _Y, _K = GROUPS

TERMS = (
    # Stocks, flows and feedback
    Term("Stock", "Something that accumulates over time, like a waiting list, the staff in post or the trust "
         "young people have in a service. A stock changes only through its flows, so it carries the past into "
         "the present: it is the memory of the system.", _S, see_also=("Flow", "Accumulation")),
    Term("Flow", "A rate that fills or drains a stock, measured per unit of time: referrals per month, "
         "staff leaving per year, young people re-engaging per year.", _S, see_also=("Stock",)),
    Term("Accumulation", "The way stocks add up their flows over time. Because of accumulation, a stock keeps "
         "rising for as long as its inflow exceeds its outflow, even when the inflow is already falling.", _S,
         see_also=("Stock", "Delay")),
    Term("Auxiliary", "A value worked out from others at each moment, such as a ratio or an effect (workload = "
         "waiting list ÷ capacity). It has no memory of its own.", _S, see_also=("Performance driver",)),
    Term("Parameter", "A number that stays fixed during a run unless someone changes it: a budget, a delay, a "
         "rate. In the kit each parameter has units, sensible bounds and a source (or is marked as an "
         "assumption).", _S, see_also=("Policy lever", "Uncertainty range")),
    Term("Policy lever", "A parameter that a decision-maker controls, such as funded posts or how fast old "
         "services are decommissioned. Moving levers and watching the system answer is how the kit teaches.",
         _S, see_also=("Parameter", "Ballot")),
    Term("Feedback loop", "A closed chain of cause and effect in which a change comes back, through other "
         "variables, to influence itself. Loops are either reinforcing or balancing.", _S,
         see_also=("Reinforcing loop", "Balancing loop")),
    Term("Reinforcing loop", "A feedback loop that amplifies change (marked R): success breeds success, or "
         "decline feeds decline. Example: low morale, more staff leave, a heavier workload, lower morale still.",
         _S, see_also=("Feedback loop", "Balancing loop")),
    Term("Balancing loop", "A feedback loop that pushes a system back towards a goal or limit (marked B), like "
         "a thermostat. Example: a longer waiting list draws more effort into clearing it.", _S,
         see_also=("Feedback loop", "Policy resistance")),
    Term("Delay", "Time between a cause and its effect: recruiting takes months, trust takes years. Delays make "
         "well-meant action overshoot and make early evaluations misleading.", _S,
         see_also=("Worse before better",)),
    Term("ZIDZ", "\"Zero if division by zero\": ZIDZ(a, b) is a ÷ b, or 0 when b is 0. Models use it so "
         "that a ratio such as families per worker does not break a run when there are no workers.", _S,
         see_also=("Auxiliary",)),
    Term("Lookup", "A graph that turns one value into another when the relationship is not a straight line (a "
         "graphical function), such as how productivity depends on morale.", _S),
    Term("Nonlinearity", "When doubling a cause does not double its effect: small changes can do little, then "
         "suddenly a lot. Tipping points come from nonlinearities in feedback loops.", _S,
         see_also=("Lookup", "Reinforcing loop")),
    Term("Worse before better", "A pattern in which a good long-term policy first makes results look worse "
         "(its costs come now, its benefits after a delay). Its mirror, better before worse, is a cut that "
         "helps the accounts now and harms outcomes later.", _S, see_also=("Delay", "Over-hasty evaluation")),
    Term("Policy resistance", "When a system defeats a policy because the people and processes in it respond "
         "in ways the policy did not expect, through feedback the designers left out.", _S,
         see_also=("Balancing loop", "System archetype")),
    Term("System archetype", "A recurring structure of feedback loops with a typical story, such as fixes that "
         "fail, shifting the burden, eroding goals, success to the successful or the capability trap.", _S,
         source="regimes_repenning_sterman_2001", see_also=("Capability trap",), written=("archetype",)),
    Term("Capability trap", "Pressure for results now takes time away from improving how work is done, so "
         "capability erodes and pressure grows: working harder instead of smarter.", _S,
         source="regimes_repenning_sterman_2001", see_also=("System archetype",)),
    Term("Simulation", "Working out, step by step, how a model's stocks and flows change over time from its "
         "starting point and its rules. A simulation shows what the model's assumptions imply, not what will "
         "happen.", _S, see_also=("Model", "Base case")),
    Term("Model", "A simplified, explicit description of how a part of the world works, precise enough to "
         "simulate. All models are wrong in some way; a useful one makes its assumptions visible so they can be "
         "argued about.", _S, see_also=("Simulation", "Assumption")),
    Term("Base case", "The run you compare everything else with: usually the model with its default settings, "
         "or \"as it happened\". Every experiment is read as a difference from the base case.", _S,
         see_also=("Scenario", "Debrief")),
    Term("Scenario", "A named set of parameter values telling one possible story, such as \"no "
         "co-production\" or \"faster decommissioning\".", _S, see_also=("Base case",)),
    Term("Uncertainty range", "The span within which a number we do not know precisely is believed to lie. The "
         "kit samples within these ranges to show how sure a conclusion is.", _S,
         see_also=("Ensemble", "Parameter")),
    Term("Ensemble", "Many runs of the same model with different parameter values, drawn from their "
         "uncertainty ranges (a Monte-Carlo analysis). The spread of the runs shows how much the uncertain "
         "numbers matter.", _S, see_also=("Uncertainty range", "Sensitivity")),
    Term("Sensitivity", "How much a result changes when an input changes. A sensitivity analysis ranks inputs "
         "by how much they matter, so effort goes into the numbers that count.", _S, see_also=("Ensemble",)),
    Term("Calibration", "Adjusting uncertain parameters until the model reproduces observed data, such as the "
         "published NEET counts. A model that fits the past is not thereby proven right about the future.", _S,
         see_also=("Recalibration",)),
    Term("Standard error", "How far an estimate would typically move if the data were collected again: the "
         "smaller it is, the more precisely the data pin the estimate down. A 95% interval is about two standard "
         "errors either side of the estimate. Both assume the model itself is right.", _S,
         see_also=("Calibration",)),
    Term("RMSE", "Root mean square error: the typical size of the gap between a model and the data, in the "
         "data's own units (square each gap, average them, take the square root). Big gaps count more than "
         "small ones.", _S, see_also=("Calibration", "MAPE")),
    Term("MAPE", "Mean absolute percentage error: the average gap between a model and the data, as a "
         "percentage of the data. A MAPE of 5% means the model is typically 5% away from what was observed.", _S,
         see_also=("Calibration", "RMSE")),
    Term("Recalibration", "Calibrating the model again as new experience and data arrive, so that the model "
         "learns alongside the people using it.", _S, source="objectives_bbl2017_abstract",
         see_also=("Calibration", "Learning partnership")),
    Term("Units", "What a number measures (people, £m/year, FTE). The kit checks that the units of every "
         "equation agree, which catches many mistakes in models.", _S),
    # Dynamic performance management
    Term("Dynamic performance management", "An approach (DPM, developed by Carmine Bianchi) that links the "
         "results an organisation wants to the resources and processes that produce them over time, using "
         "system-dynamics models, so that managers can see trade-offs between the short and the long run and "
         "between one part of a system and another.", _D, see_also=("DPM chart",)),
    Term("DPM chart", "A diagram read from left to right: strategic resources feed performance drivers, which "
         "drive end results; the end results flow back into the resources, closing the loop. Policy levers act "
         "on resources and drivers. (The kit's rendering of Bianchi's chart.)", _D,
         see_also=("Strategic resource", "Performance driver", "End result", "Three views")),
    Term("Strategic resource", "A stock an organisation uses or influences to create value: staff and skills, "
         "money, capacity, users, trust and reputation, or assets shared by a community.", _D,
         see_also=("Stock", "DPM chart")),
    Term("Performance driver", "A measure, usually a ratio against a benchmark (capacity ÷ demand, perceived ÷ "
         "expected quality), that managers can act on and that moves before the end results do: a leading "
         "indicator.", _D, see_also=("DPM chart", "End result")),
    Term("End result", "A flow that changes a strategic resource. Intermediate end results change things like "
         "users or perceived quality; final end results (outcomes) change what matters to the community, such "
         "as the number of young people NEET.", _D, see_also=("Outcome", "DPM chart")),
    Term("Outcome", "A change in people's lives or in a community (fewer young people NEET, fewer first-time "
         "entrants to youth justice), as opposed to an output, which is what a service does or produces.", _D,
         see_also=("End result", "Quality-of-life outcomes")),
    Term("Three views", "Three ways to read a DPM chart: the objective view (what results, for whom), the "
         "instrumental view (how: the drivers and resources behind them) and the subjective view (who is "
         "responsible for which lever and result).", _D, see_also=("DPM chart",),
         written=("objective, instrumental and subjective views", "objective view")),
    Term("Three objectives", "The balancing act outcome-based public services face: service quality, "
         "quality-of-life outcomes and conformity to public-governance principles. Achieving all three at "
         "once may not be feasible because they interact.", _D, source="objectives_bbl2017_abstract",
         see_also=("Service quality", "Quality-of-life outcomes", "Public-governance principles", "Clustering")),
    Term("Service quality", "How good a service is as its users and staff experience it: relevance to needs, "
         "timeliness, the quality of assessments and relationships.", _D, source="objectives_bovaird_loeffler_2003",
         see_also=("Three objectives",)),
    Term("Quality-of-life outcomes", "Improvements in the lives of the people and communities a service exists "
         "for, such as young people in education, employment or training.", _D,
         source="objectives_bovaird_loeffler_2003", see_also=("Three objectives", "Outcome")),
    Term("Public-governance principles", "How public decisions are made: participation, transparency, equity, "
         "due process, accountability across agencies.", _D, source="objectives_bovaird_loeffler_2003",
         see_also=("Three objectives",)),
    Term("Clustering", "When quality-of-life outcomes and governance principles improve together because the "
         "same behaviours drive both. It is likely but must be tested in each specific policy context.", _D,
         source="objectives_bbl2017_abstract", see_also=("Three objectives",)),
    Term("Over-hasty evaluation", "Judging a policy before its delayed effects have arrived, or on too narrow a "
         "measure. Because of feedback and delays, what is achieved now depends on what was done earlier.", _D,
         source="surrey_bbl2017_evaluation", see_also=("Delay", "Worse before better")),
    # Complexity and wicked issues
    Term("Wicked issue", "A problem with no definitive formulation, no stopping rule and no right answer, only "
         "better or worse ones; every attempt to solve it counts and changes it (Rittel and Webber's "
         "\"wicked problem\").", _C, source="complexity_rittel_webber_1973", see_also=("Complexity",)),
    Term("Complexity", "Four forms of it confront public services working for outcomes (French and colleagues): "
         "compositional, experiential, dynamic and governance complexity. They are complementary lenses, not "
         "boxes, and together they undermine performance management built on targets and control.", _C,
         source="complexity_four_types",
         see_also=("Compositional complexity", "Experiential complexity", "Dynamic complexity",
                   "Governance complexity")),
    Term("Compositional complexity", "Many different, interdependent parts that interact often, through "
         "feedback loops; attention moves from single interventions to the systems they sit in.", _C,
         source="complexity_four_types_summary", see_also=("Complexity",), written=("compositional",)),
    Term("Experiential complexity", "People experience the same issue (homelessness, being NEET) in very "
         "different ways, so standard solutions help some and fail or shame others.", _C,
         source="complexity_four_types_summary", see_also=("Complexity",)),
    Term("Dynamic complexity", "The factors behind an issue keep changing (the economy, a pandemic, a job "
         "lost), so an approach that worked soon goes out of date.", _C, source="complexity_four_types_summary",
         see_also=("Complexity",)),
    Term("Governance complexity", "Power, money and accountability are spread across many organisations, and "
         "those with most say over decisions often know least about the person in front of the service.", _C,
         source="complexity_four_types_summary", see_also=("Complexity",)),
    Term("Social management control", "Steering work through shared purpose, relationships, dialogue and "
         "learning among the people doing it, rather than through technical control (measures, targets and "
         "incentives set from above). French and colleagues argue that performance management in complexity "
         "needs a shift from technical to social management control, and from principal-agent to stewardship "
         "theory. (The plain reading here is the kit's; the chapter's own definition was not retrieved.)", _C,
         source="complexity_social_management_control", see_also=("Stewardship", "Principal-agent", "Complexity")),
    # Performance regimes, targets and gaming
    Term("Performance regime", "The whole system by which performance is set, measured, judged and rewarded "
         "in a service: who sets the goals, how they change, and what happens when they are missed.", _R,
         see_also=("Imposed and negotiated", "Planned and emergent")),
    Term("Imposed and negotiated", "One axis of Bovaird and Smith's (2015) analysis of performance "
         "management: an imposed regime is set top-down or from outside; a negotiated one is agreed among "
         "stakeholders, including providers and users. Negotiated is more sustainable, but imposition may be "
         "needed to trigger improvement, and the two are not a strict dichotomy.", _R,
         source="regimes_bovaird_smith_2015", see_also=("Performance regime", "Planned and emergent"),
         written=("imposed or negotiated",)),
    Term("Planned and emergent", "The other axis: a planned regime fixes targets and plans in advance; an "
         "emergent one lets goals and measures adapt through learning (after Mintzberg and Waters' deliberate "
         "and emergent strategy). Bovaird and Smith find emergent performance management more meaningful, but "
         "planned needed at times to give direction.", _R, source="regimes_mintzberg_waters_1985",
         see_also=("Performance regime", "Imposed and negotiated"), written=("planned or emergent",)),
    Term("Target", "A level of a measure to be reached by a date. Targets focus effort, and under pressure "
         "they also invite gaming.", _R, see_also=("Gaming",)),
    Term("Gaming", "Reactive subversion of a performance measure: improving the number rather than the thing "
         "it stands for, so as to hit the target and miss the point.", _R, source="gaming_bevan_hood_definitions",
         see_also=("Goodhart's law", "Creaming and parking")),
    Term("Goodhart's law", "Any observed statistical regularity will tend to collapse once pressure is placed "
         "on it for control purposes: a measure used as a target stops being a good measure.", _R,
         source="gaming_bevan_hood_definitions", see_also=("Campbell's law", "Gaming")),
    Term("Campbell's law", "The more a quantitative social indicator is used for decisions, the more it is "
         "subject to corruption pressures and the more it distorts the processes it is meant to monitor.", _R,
         source="gaming_bevan_hood_definitions", see_also=("Goodhart's law",)),
    Term("Creaming and parking", "Under payment by results, providers serve the easiest-to-help first "
         "(creaming) and leave the hardest-to-help waiting (parking).", _R, source="gaming_creaming_parking_tsrc",
         see_also=("Payment by results",), written=("parking", "creaming")),
    Term("Payment by results", "Contracts that pay providers according to measured outcomes (as in the Work "
         "Programme), which can sharpen focus and can also reward creaming and parking.", _R,
         source="gaming_work_programme_70pct", see_also=("Creaming and parking",)),
    Term("Principal-agent", "The view (agency theory) that those who do the work will pursue their own "
         "interests unless monitored and given incentives, so performance is managed by control.", _R,
         source="hls_stewardship_davis_1997", see_also=("Stewardship",)),
    Term("Stewardship", "The view that people who do public work are largely motivated to serve the public "
         "purpose, so performance is managed by trust, support and shared goals rather than by control.", _R,
         source="hls_stewardship_davis_1997", see_also=("Principal-agent", "Human Learning Systems")),
    # Human Learning Systems and learning together
    Term("Human Learning Systems", "An approach to public service in complexity built on three principles: "
         "Human (bespoke, relational support for human flourishing), Learning (continuous learning by workers "
         "and residents is the main management task) and Systems (outcomes are created by whole systems, not "
         "delivered).", _H, source="hls_principles", see_also=("Learning cycle", "System stewardship")),
    Term("Learning cycle", "A repeated round of understanding the system, trying something, reflecting on what "
         "happened and adapting, run at every scale from a single team to a whole place.", _H,
         source="hls_learning_cycles", see_also=("Human Learning Systems",)),
    Term("System stewardship", "Looking after the health of a whole system so that the people in it can "
         "collaborate and learn, rather than directing each part.", _H, source="hls_learning_cycles",
         see_also=("Human Learning Systems", "Stewardship")),
    Term("Performance attractor", "French and Mollinger-Sahba's (2021) term for outcomes and their indicators "
         "used to attract, rather than direct, the behaviour of many independent organisations: a shared "
         "outcomes framework that creates shared responsibility for interdependent goals while each "
         "organisation finds its own way, and that motivates collective learning. Their cases: Scotland's "
         "National Performance Framework, the Western Australian Alliance to End Homelessness and the SDGs.", _H,
         source="attractor_french_mollinger_sahba_2021", see_also=("Learning partnership", "Design principles")),
    Term("Design principles", "Principles for building performance frameworks that attract rather than "
         "direct, which French and Mollinger-Sahba offer to policymakers and practitioners. (The kit does not "
         "list them: they are in the paper's body, which it has not read.)", _H,
         source="attractor_design_principles", see_also=("Performance attractor",)),
    Term("Learning partnership", "A set of nested learning relationships between public managers, consultants, "
         "and researchers and academics (Hesselgreaves and colleagues, 2021), each bringing something: local "
         "knowledge, facilitation, method. It has its own dilemmas and dualisms. In Surrey: the council, "
         "Governance International and INLOGOV.", _H, source="learning_partnerships_hesselgreaves_2021",
         see_also=("Action learning", "Co-production", "Recalibration")),
    Term("Action learning", "Learning by doing real work in small groups, reflecting on it and trying again; "
         "with action research (ALAR) it is the tradition that learning partnerships build on, adding "
         "relationships between managers, consultants and researchers.", _H,
         source="learning_partnerships_hesselgreaves_2021", see_also=("Learning partnership", "Learning cycle")),
    Term("Co-production", "Users, communities and professionals each contributing to a public service, for "
         "example voluntary groups matching the youth-work hours the council funds. It is not free: it "
         "\"usually cannot produce value without money\", and needs support and trust.", _H,
         source="coproduction_bovaird_loeffler_2012",
         see_also=("Co-creation", "Learning partnership")),
    Term("Co-creation", "Going beyond co-producing a service to shaping together what is valuable in the first "
         "place: the goals and measures themselves. Its leaders mobilise actors with governance assets and align "
         "their understandings of what is valuable for the public (Sørensen, Bryson and Crosby's cases: Gentofte "
         "in Denmark and Minneapolis-St Paul).", _H, source="cocreation_sorensen_2021",
         see_also=("Co-production", "Public value")),
    Term("Public value", "What the public values and what adds to the public sphere: outcomes, fair processes "
         "and trust, not only efficient services. Ferlie calls public-value strategy the lynchpin of a move to "
         "co-creation, with strategy for multi-agency networks and digital open platforms.", _H,
         source="cocreation_ferlie_2021", see_also=("Three objectives", "Co-creation")),
    Term("Resilience", "The capacity of a service and its partners to recover (bounce back) when something "
         "fails, as in complex systems something will. Bovaird, Bianchi and Loeffler ask that it be built in "
         "to co-production, because co-production carries risks.", _H, source="resilience_bbl2017",
         see_also=("Co-production",)),
    # The Surrey case
    Term("NEET", "A young person not in education, employment or training. Local figures depend on how well "
         "young people are tracked, and definitions changed over time, so counts and percentages from "
         "different years are not strictly comparable.", _Y, source="surrey_neet_definitions",
         see_also=("Services for Young People",)),
    Term("Services for Young People", "Surrey County Council's service formed in April 2009 from Connexions, "
         "the Youth Offending Team and the Youth Service, which moved from delivering services to commissioning "
         "outcomes by April 2012 while its budget was cut by a quarter.", _Y, source="surrey_change_2009",
         see_also=("Commissioning for outcomes",)),
    Term("Commissioning for outcomes", "Paying for the results a service should achieve for people rather than "
         "for specified activities, with the outcomes agreed in advance (in Surrey, after consulting some 8,000 "
         "young people).", _Y, source="surrey_consultation_2010", see_also=("Decommissioning",)),
    Term("Decommissioning", "Closing down or stopping services that used to be provided or paid for. How fast "
         "it happens matters: too fast can break trust and relationships before new services are ready.", _Y,
         source="surrey_decommissioning_2012", see_also=("Commissioning for outcomes",)),
    Term("First-time entrants", "Young people entering the formal youth justice system for the first time. "
         "Surrey's figure fell by about 90% (nationally, by about two-thirds over the same years), yet in 2019 "
         "its youth offending service was rated inadequate: a good number is not the same as a good service. "
         "By 2022 inspectors rated it good.", _Y, source="surrey_fte_fall_evaluation",
         see_also=("Youth Restorative Intervention", "Goodhart's law")),
    Term("Youth Restorative Intervention", "Surrey's out-of-court alternative to caution or prosecution for a "
         "young person who admits a first offence: victim-centred, decided by police and youth workers "
         "together.", _Y, source="surrey_yri_design", see_also=("First-time entrants",)),
    # Using the kit
    Term("Assumption", "A number or relationship chosen so that a model teaches clearly, not taken from "
         "evidence. The kit marks every number as published, derived (with its arithmetic) or assumption.", _K,
         source="assumption", see_also=("Evidence status",)),
    Term("Evidence status", "Published: stated in the cited source. Derived: worked out from published figures, "
         "arithmetic shown. Assumption: a teaching value, not evidence.", _K, see_also=("Assumption",)),
    Term("Predict then run", "Writing down or sketching what you expect before running the model, then "
         "comparing. The gap between the two is where the learning is.", _K, see_also=("Debrief", "Ballot"),
         written=("predict first", "predict before you run", "predict, then run")),
    Term("Ballot", "A participant's or table's lever settings, predictions, hypothesis and decision, sent to "
         "the facilitator from a notebook so that everyone's choices can be compared side by side.", _K,
         see_also=("Predict then run", "Policy lever")),
    Term("Debrief", "The conversation after a run, following question → hypothesis → finding → decision, "
         "always against the base case: what did we ask, what did we expect, what happened, and what will we "
         "do?", _K, see_also=("Base case", "Predict then run")),
    Term("Notebook", "A document that mixes explanation, code and results, opened in JupyterLab. Run a cell "
         "with Shift+Enter; run them in order from the top.", _K, see_also=("JupyterLab",)),
    Term("JupyterLab", "The program, opened in your web browser but running on your own machine (or a shared "
         "hub), in which the kit's notebooks run.", _K, see_also=("Notebook",)),
)


def _index():
    index = {}
    for t in TERMS:
        index[t.key] = t
    return index


_INDEX = _index()


def get(term):
    """The :class:`Term` called ``term`` (case, hyphens and a plural "s" are forgiven).

    Raises
    ------
    ModelError
        If there is no such term, with a suggestion.
    """
    key = _key(term)
    for candidate in (key, key[:-1] if key.endswith("s") else None, key[:-2] if key.endswith("es") else None):
        if candidate and candidate in _INDEX:
            return _INDEX[candidate]
    raise ModelError(f"the glossary has no term {term!r}" + suggest(key, _INDEX))


def terms(group=None):
    """All terms in presentation order, or those of one group."""
    if group is None:
        return tuple(t for g in GROUPS for t in TERMS if t.group == g)
    if group not in GROUPS:
        raise ModelError(f"no glossary group {group!r}; the groups are: {', '.join(GROUPS)}")
    return tuple(t for t in TERMS if t.group == group)


def table():
    """The glossary as a DataFrame: term, group, definition, source, see_also."""
    import pandas as pd

    return pd.DataFrame([{"term": t.term, "group": t.group, "definition": t.definition, "source": t.source or "",
                          "see_also": ", ".join(t.see_also)} for t in terms()])


def markdown(names=None, *, citations=True):
    """Definitions as Markdown, for a notebook: ``display(Markdown(glossary.markdown(["stock", "flow"])))``.

    Parameters
    ----------
    names : list of str, optional
        Terms to include (default: all, grouped).
    citations : bool
        Add each source's citation and evidence status.
    """
    chosen = terms() if names is None else [get(n) for n in names]
    lines = []
    for t in chosen:
        line = f"- **{t.term}**: {t.definition}"
        if citations and t.source and t.source != "assumption":
            line += f" *({t.citation()})*"
        lines.append(line)
    return "\n".join(lines)
