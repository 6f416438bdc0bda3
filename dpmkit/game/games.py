"""The games shipped with the kit. Numbers in briefings carry their evidence key and status
(``[published key]``, ``[derived key]``) or say they are a teaching assumption."""

from __future__ import annotations

from dataclasses import replace

from ..spec import Aux, Flow, Param, Stock
from .spec import Event, GameSpec, Outcome, Role, Round

__all__ = ["GAMES"]

_OBJECTIVES = ("service_quality", "quality_of_life", "governance_conformity")

SURREY = GameSpec(
    name="surrey",
    label="Surrey 2009-2014 (epilogue to 2019): commissioning outcomes with young people",
    model="surrey",
    description=(
        "April 2009: Surrey merges Connexions, the Youth Offending Team and the Youth Service into Services "
        "for Young People and must cut the budget while moving from delivering services to commissioning "
        "outcomes. Tables steer one shared system round by round; everyone is scored on the three objectives "
        "of Bovaird, Bianchi & Loeffler (2017): service quality, quality of life and governance conformity."
    ),
    roles=(
        Role(
            "council_leadership", "Council leadership (cabinet and finance)",
            ("cut_fraction", "post2015_cut"),
            briefing=(
                "The council must save money: the plan is a cut of 25% over three years "
                "[published surrey_budget_cut] from a budget of about £18m a year [derived surrey_budget_baseline]. "
                "After 2015 a further cut of about £2m a year was made [published surrey_post2015_cut]. "
                "You decide how much of the cut falls on services for young people."
            ),
            goals="Balance the budget without losing the three objectives; keep trust with partners.",
            sees=("budget", "trust", *_OBJECTIVES),
            scores=_OBJECTIVES,
        ),
        Role(
            "commissioners", "Commissioners (Services for Young People)",
            ("decommissioning_years", "contract_adaptation_time", "coproduction_effort"),
            briefing=(
                "The old in-house services were wholly decommissioned by April 2012 [published "
                "surrey_decommissioning_2012]; about 8,000 young people were consulted in 2010-11 [published "
                "surrey_consultation_2010]. You set the pace of decommissioning, how quickly outcome contracts "
                "are retargeted, and how much of the engagement programme (consultation, youth task groups, "
                "local panels) is funded; its full cost is a teaching assumption [assumption "
                "surrey_assumption_coproduction]."
            ),
            goals="Fewer young people NEET, services that fit needs, no collapse during the transition.",
            sees=("neet", "trust", "coproduction_hours", *_OBJECTIVES),
            scores=_OBJECTIVES,
        ),
        Role(
            "voluntary_sector", "Providers and the voluntary sector",
            ("matching_ratio",),
            briefing=(
                "The council funds about 465 youth-work hours a week in its centres [derived surrey_funded_hours] "
                "and asks voluntary groups to match them. You decide how many extra hours your groups give per "
                "funded hour; how many they give also depends on trust, in the model's teaching assumptions "
                "[assumption surrey_assumption_trust]."
            ),
            goals="Sustain community youth work; be a partner, not a supplier.",
            sees=("coproduction_hours", "trust", "neet", *_OBJECTIVES),
            scores=(*_OBJECTIVES, "coproduction_hours"),
        ),
        Role(
            "young_people", "Young people's representatives",
            ("voice_insight",),
            briefing=(
                "In 2012 the highest NEET share of any English local authority was 10.6% [published "
                "surrey_context_neet_la_range_2012]; in Surrey about 1,080 young people were NEET in April 2009 "
                "[published surrey_neet_2009]. You decide how much young people put into consultation, youth task "
                "groups and commissioning panels: the insight their voice can add is a teaching assumption "
                "[assumption surrey_assumption_insight]."
            ),
            goals="Services young people actually use; a real say in what is commissioned.",
            sees=("neet", "trust", *_OBJECTIVES),
            scores=_OBJECTIVES,
        ),
        Role(
            "youth_justice", "Youth justice and police",
            ("yri_diversion",),
            briefing=(
                "The Youth Restorative Intervention diverts young people who offend for the first time away from "
                "the courts; an evaluation found reoffending 18% lower with it [published surrey_yri_reoffending], "
                "and first-time entrants fell by about 90% [published surrey_fte_fall_evaluation]. In 2019 the "
                "youth offending service was rated inadequate [published surrey_hmip_2019]. You decide how far "
                "diversion is pushed."
            ),
            goals="Fewer first-time entrants without losing sound assessment and supervision.",
            sees=("fte_index", "reoffending", *_OBJECTIVES),
            scores=(*_OBJECTIVES, "fte_index"),
        ),
        Role(
            "inspectorate", "The inspectorate (youth justice and children's services inspection)",
            ("yri_capability",),
            briefing=(
                "In 2019 the youth offending service was rated inadequate [published surrey_hmip_2019]. You set the "
                "standard of assessment, supervision and out-of-court decisions that inspection holds the youth "
                "offending service to: the capability it builds towards once the Youth Restorative Intervention "
                "starts, from 0.6 to 0.95 on a 0-1 scale, a teaching range [assumption "
                "surrey_assumption_youth_justice]. A higher standard lifts capability, and with it service quality "
                "and governance conformity, as far as the budget allows; while the service falls short of the "
                "standard, diversion without sound assessment shows as more reoffending (a teaching assumption "
                "[assumption surrey_assumption_youth_justice])."
            ),
            goals="Sound assessment and supervision, to a standard the service can reach and keep.",
            sees=("reoffending", *_OBJECTIVES),
            scores=_OBJECTIVES,
        ),
    ),
    ranges={
        "cut_fraction": (0.1, 0.4),
        "post2015_cut": (0.0, 4.0),
        "decommissioning_years": (1.0, 5.0),
        "contract_adaptation_time": (0.5, 3.0),
        "coproduction_effort": (0.0, 1.0),
        "matching_ratio": (0.0, 1.0),
        "voice_insight": (0.0, 0.6),
        "yri_diversion": (0.3, 0.95),
        "yri_capability": (0.6, 0.95),
    },
    # the spending review sets a new cut date at the time it is injected
    widen={"post2015_start": (2006.25, 2022.0)},
    rounds=(
        Round("April 2009 - March 2010: the merger and the first cut", 2009.25, 2010.25,
              "NEET in April 2009: about 1,080 [published surrey_neet_2009]."),
        Round("2010/11: consulting young people", 2010.25, 2011.25,
              "About 8,000 young people were consulted in 12 months [published surrey_consultation_2010]."),
        Round("2011/12: the last legacy services close", 2011.25, 2012.25,
              "The new commissioning model went live in April 2012 [published surrey_decommissioning_2012]."),
        Round("2012-2014: the new model runs; the 2014 evaluation", 2012.25, 2014.25,
              "NEET stood at 429 at the end of March 2014 [published surrey_neet_2014]."),
        Round("Epilogue 2014-2019: the post-2015 cut and the 2019 inspection", 2014.25, 2019.25,
              "In 2019 the youth offending service was rated inadequate [published surrey_hmip_2019]."),
    ),
    outcomes=(
        Outcome("service_quality", 0.0, 1.0),
        Outcome("quality_of_life", 0.0, 1.0),
        Outcome("governance_conformity", 0.0, 1.0),
        Outcome("neet", 0.0, 1500.0, higher_is_better=False),
        Outcome("fte_index", 0.0, 100.0, higher_is_better=False),
        Outcome("reoffending", 0.0, 1.0, higher_is_better=False),
        Outcome("trust", 0.0, 1.0),
        Outcome("coproduction_hours", 0.0, 600.0),
        Outcome("budget", 0.0, 20.0),
    ),
    events=(
        Event("spending_review", "Spending review: a further cut of £2m a year from now",
              {"post2015_cut": 2.0, "post2015_start": "now"},
              "The size follows the post-2015 cut [published surrey_post2015_cut]; its timing is the facilitator's."),
        Event("inspection", "Inspection: an improvement plan for the youth offending service",
              {"yri_capability": 0.95, "capability_time": 1.0},
              "Its effect is a teaching assumption [assumption surrey_assumption_youth_justice]."),
        Event("scandal", "Scandal: a safeguarding failure in the news dents trust",
              {"trust_2006": 0.2},
              "Its effect is a teaching assumption [assumption surrey_assumption_trust]."),
    ),
    contexts={
        "as_it_happened": {},
        "fragile": {"trust_2006": 0.15, "trust_from_disruption": 2.5, "commissioning_delay": 1.5},
    },
    headline=_OBJECTIVES,
)

#: At full voice: the share of target pressure that service users' reports keep from turning into
#: gaming, and the share of caseworkers' time that surveys and panels take (teaching assumptions,
#: ``game_targets_user_voice``).
_VOICE_CHECK = 0.5
_VOICE_TIME = 0.05
#: The trust that the game adds to the targets-or-learning model (teaching assumptions,
#: ``game_targets_trust``): where it starts, and the level it moves towards.
_TRUST_START = 0.5
_INDICATED_TRUST = ("MIN(1, MAX(0, 0.65 + 0.2 * learning_regime + 0.15 * user_voice - 0.2 * pressure"
                    " - 0.3 * reporting_burden * pressure - 0.25 * gaming))")


def _user_voice_and_trust(model):
    """The targets-or-learning model with what the game adds to it:

    - the service users' lever ``user_voice``: how much users tell the service and the funder about
      what they experienced (surveys, panels, complaints, advocates). Gaming spreads less under
      pressure where users can say what happened to them (up to half less), and listening takes
      caseworkers' time (up to 5%) [assumption game_targets_user_voice];
    - ``trust`` (0-1): trust between the funder, the service, its staff and its users. It starts
      at 0.5 and moves over ``trust_time`` (a year) towards ``indicated_trust``, which the learning
      regime and users' voice raise and target pressure, the reporting that pressure brings and
      gaming lower [assumption game_targets_trust]. Trust is an outcome the tables see: it feeds
      nothing back into the service (the model's tested behaviour is unchanged), and it is not
      scored (scoring it makes the learning regime best in every context the game offers).
    """
    changes = {"gaming_change": ("MIN(1, pressure)", f"MIN(1, pressure) * (1 - {_VOICE_CHECK!r} * user_voice)"),
               "client_share": ("- 0.1 * gaming)", f"- 0.1 * gaming - {_VOICE_TIME!r} * user_voice)")}
    variables = []
    for v in model.variables:
        if v.name in changes:
            old, new = changes[v.name]
            if old not in v.equation:  # the model changed under the game: say so, do not guess
                raise ValueError(f"targets_vs_learning: {v.name} no longer holds {old!r}")
            v = replace(v, equation=v.equation.replace(old, new))
        variables.append(v)
    variables += [
        Param("user_voice", 0.0, bounds=(0.0, 1.0), units="dimensionless", role="policy_lever",
              label="Service users' voice",
              description="How much service users report what they experienced: less gaming, some caseworker time",
              source="game_targets_user_voice"),
        Stock("trust", repr(_TRUST_START), units="dimensionless", role="strategic_resource", label="Trust",
              description="Trust between the funder, the service, its staff and its users (0-1)"),
        Flow("trust_change", "(indicated_trust - trust) / trust_time", into="trust", role="end_result",
             units="1/year", label="Change in trust", description="Trust moves towards what the regime supports"),
        Aux("indicated_trust", _INDICATED_TRUST, units="dimensionless", label="Indicated trust",
            description="Learning and being heard build trust; target pressure, its reporting and gaming wear it down"),
        Param("trust_time", 1.0, bounds=(0.25, 3.0), units="year", label="Trust adjustment time",
              description="Years for trust to follow the regime", source="game_targets_trust"),
    ]
    return model.replace(variables=tuple(variables))


TARGETS_OR_LEARNING = GameSpec(
    name="targets_vs_learning",
    label="Targets or learning: steering a service for easy- and hard-to-help clients",
    model="targets_vs_learning",
    adapt=_user_voice_and_trust,
    description=(
        "A service helps easy- and hard-to-help clients. The funder can manage it by targets and incentives, "
        "the provider can turn to learning cycles (Human Learning Systems), the frontline decides how to respond "
        "to pressure, the inspectorate decides how much is reported, and service users how loudly they say what "
        "happened to them. Every table is scored on the share of clients who leave truly helped (service users "
        "also on the share of hard-to-help clients actively served); what each table sees differs. Everyone "
        "sees trust between the funder, the service, its staff and its users: the learning regime and users' "
        "voice build it, target pressure, its reporting and gaming wear it down; it is shown, not scored. All "
        "the model's numbers are teaching assumptions except the gaming gap, derived from published A&E "
        "figures; the parking ceiling takes a published figure as an upper bound and is an assumption too."
    ),
    roles=(
        Role(
            "funder", "Funder (commissioner paying by results)",
            ("incentive_strength", "outcome_target"),
            briefing=(
                "You pay by results. Under the English A&E four-hour target, 139 of 158 trusts reported that at "
                "least 90% of patients were seen within four hours, while only 69% of patients said so in a survey "
                "[published gaming_ae_reported_vs_survey]. You set how hard the incentives bite and the target "
                "share of clients helped. How hard they bite and the target are teaching scales "
                "[assumption game_targets_levers]."
            ),
            goals="Results you can show, at a price you can defend.",
            sees=("reported_performance", "true_performance", "gaming", "trust"),
            scores=("true_performance",),
        ),
        Role(
            "inspectorate", "Inspectorate and auditors",
            ("reporting_burden",),
            briefing=(
                "You decide how much reporting and compliance the regime demands. Reporting and compliance take "
                "20-50% of time under a high-rule regime, a teaching range [assumption hls_model_ranges]; "
                "the gap between reported and experienced performance under a high-stakes target was about "
                "0.19-0.21 [derived gaming_ae_gap]."
            ),
            goals="Reported figures that tell the truth; no hidden parking of clients.",
            sees=("reported_performance", "true_performance", "gaming", "hard_served_share", "trust"),
            scores=("true_performance",),
        ),
        Role(
            "service_manager", "Provider's service manager",
            ("learning_regime",),
            briefing=(
                "Human Learning Systems was developed with more than 300 organisations as an alternative to New "
                "Public Management [published hls_pmm_2021]. You decide how far the service runs on learning cycles "
                "rather than targets; a learning cycle lasts 1-3 months and improvement pays off after 6-24 "
                "months, teaching ranges [assumption hls_model_ranges]. How far the service runs on learning "
                "cycles is a teaching scale from 0 (targets) to 1 (learning) [assumption game_targets_levers]."
            ),
            goals="A capable, motivated team that helps clients, including the hardest to help.",
            sees=("true_performance", "capability", "motivation", "hard_served_share", "trust"),
            scores=("true_performance",),
        ),
        Role(
            "frontline", "Frontline caseworkers",
            ("work_harder", "parking_rate"),
            briefing=(
                "Under payment by results providers saw creaming and parking as a rational response [published "
                "gaming_creaming_parking_tsrc]; at most 70% of hard-to-help clients end up parked, a teaching "
                "ceiling [assumption gaming_parking_ceiling]. You decide how much extra effort you put in under "
                "pressure and how readily hard cases are set aside, both on teaching scales [assumption "
                "game_targets_levers]."
            ),
            goals="Help the people in front of you without burning out.",
            sees=("true_performance", "motivation", "hard_served_share", "trust"),
            scores=("true_performance",),
        ),
        Role(
            "service_users", "Service users (clients and their advocates)",
            ("user_voice",),
            briefing=(
                "Under the English A&E four-hour target the trusts' reports and the patients' own survey told "
                "different stories [published gaming_ae_reported_vs_survey]. You decide how much the service's "
                "users say about what happened to them: surveys, user panels, complaints, advocates. In the model "
                "your voice keeps up to half of the target pressure from turning into gaming, and listening takes "
                "up to 5% of caseworkers' time [assumption game_targets_user_voice]. Being heard builds trust, "
                "while target pressure and gaming wear it down [assumption game_targets_trust]."
            ),
            goals="Be helped, including the hardest to help; not be parked to make the numbers look good.",
            sees=("true_performance", "hard_served_share", "reported_performance", "trust"),
            scores=("true_performance", "hard_served_share"),
        ),
    ),
    ranges={
        "incentive_strength": (0.0, 1.0),
        "outcome_target": (0.3, 0.9),
        "reporting_burden": (0.0, 0.5),
        "learning_regime": (0.0, 1.0),
        "work_harder": (0.0, 1.0),
        "parking_rate": (0.0, 4.0),
        "user_voice": (0.0, 1.0),
    },
    rounds=(
        Round("Year 1: the new contract starts", 0.0, 1.0, "Reported and true performance can part: watch both."),
        Round("Years 2-3: routines settle", 1.0, 3.0,
              "Learning pays off after 6-24 months, a teaching range [assumption hls_model_ranges]."),
        Round("Years 4-6: the mid-contract review", 3.0, 6.0,
              "Nearly 70% of those on the Work Programme for two years failed to find long-term employment "
              "[published gaming_work_programme_70pct]."),
        Round("Years 7-10: renewal", 6.0, 10.0, "The contract ends: who was truly helped?"),
    ),
    outcomes=(
        Outcome("true_performance", 0.0, 1.0),
        Outcome("reported_performance", 0.0, 1.0),
        Outcome("hard_served_share", 0.0, 1.0),
        Outcome("motivation", 0.0, 1.0),
        Outcome("capability", 0.0, 1.0),
        Outcome("gaming", 0.0, 1.0, higher_is_better=False),
        Outcome("trust", 0.0, 1.0, source="game_targets_trust"),
    ),
    events=(
        Event("demand_surge", "Demand surge: more referrals arrive", {"referrals": 550.0},
              "Its size is a teaching assumption [assumption game_targets_events]."),
        Event("budget_cut", "Budget cut: the team shrinks", {"team_capacity": 180.0},
              "Its size is a teaching assumption [assumption game_targets_events]."),
        Event("audit_exposes_gaming", "An audit exposes gaming: less room to game", {"max_gaming_gap": 0.05},
              "Its effect is a teaching assumption [assumption game_targets_events]."),
    ),
    contexts={
        "learning_pays": {},
        "routine_work": {"improvement_delay": 3.0, "knowledge_life": 0.5, "crowding_out": 0.0},
    },
    sources={**dict.fromkeys(("incentive_strength", "outcome_target", "learning_regime", "work_harder",
                              "parking_rate"), "game_targets_levers"),
             **dict.fromkeys(("referrals", "team_capacity", "knowledge_life"), "game_targets_events")},
    headline=("true_performance", "reported_performance", "trust"),
)

#: Localities that tables can hold in the attractor game (the model has eleven; the rest run on their own).
_LOCALITIES = tuple(f"{k:02d}" for k in range(1, 7))
#: Share of improvement work given up, at full effort, for local learning cycles (teaching assumption,
#: ``game_attractor_levers``).
_LEARNING_COST = 0.15


def _localities_steer(model):
    """The attractor model as the game plays it: localities in a shared outcomes framework with no
    central authority [assumption game_attractor_levers].

    - ``framework_commitment_k``: how far locality ``k`` adopts the shared framework's ambition as
      its own goal; it replaces the model's single ``attractor_weight`` in that locality's goal;
    - ``attractor_weight`` is no longer anyone's lever: it is the localities' mean commitment
      (the framework's pull comes from the localities together). It is the goal pull of the five
      localities no table plays (they go along with the tables' average) and, as in the model, the
      collective learning and knowledge sharing a shared framework motivates;
    - ``local_learning_k``: the effort locality ``k`` puts into learning cycles. Effort speeds its
      learning (up to twice as fast) and takes time from improvement now (up to 15%).

    Uniform imposed targets (``imposed_targets``) are no table's lever: they come from outside the
    partnership, as the facilitator's context or event (a new minister)."""
    mean = "(" + " + ".join(f"framework_commitment_{k}" for k in _LOCALITIES) + f") / {len(_LOCALITIES)}"
    variables = []
    for v in model.variables:
        prefix, _, k = v.name.rpartition("_")
        if v.name == "attractor_weight":
            v = Aux("attractor_weight", mean, units="dimensionless", label="Pull of the shared framework",
                    description="The localities' mean commitment to the shared framework: the pull it has on "
                                "the localities no table plays, and on collective learning")
        elif k in _LOCALITIES and prefix == "goal":
            if "attractor_weight" not in v.equation:  # the model changed under the game: say so, do not guess
                raise ValueError(f"attractor: {v.name} no longer holds 'attractor_weight'")
            v = replace(v, equation=v.equation.replace("attractor_weight", f"framework_commitment_{k}"))
        elif k in _LOCALITIES and prefix == "learning_gain":
            v = replace(v, equation=f"({v.equation}) * (1 + local_learning_{k})")
        elif k in _LOCALITIES and prefix == "improvement":
            v = replace(v, equation=f"({v.equation}) * (1 - {_LEARNING_COST!r} * local_learning_{k})")
        variables.append(v)
    for k in _LOCALITIES:
        variables.append(Param(
            f"local_learning_{k}", 0.0, bounds=(0.0, 1.0), units="dimensionless", role="policy_lever",
            label=f"Local learning effort, locality {k}",
            description="Effort the locality puts into learning cycles: faster learning, less improvement work now",
            source="game_attractor_levers"))
        variables.append(Param(
            f"framework_commitment_{k}", 0.0, bounds=(0.0, 1.0), units="dimensionless", role="policy_lever",
            label=f"Commitment to the shared framework, locality {k}",
            description="How far the locality adopts the shared framework's ambition as its own goal",
            source="game_attractor_levers"))
    return model.replace(variables=tuple(variables))


def _locality_role(k):
    return Role(
        f"locality_{k}", f"Locality {int(k)} (a local committee)",
        (f"framework_commitment_{k}", f"local_learning_{k}"),
        briefing=(
            "Each of Surrey's 11 local committees was to get up to £200,000 a year for projects agreed with young "
            "people [published attractor_surrey_local_committees]. You run one locality in a shared outcomes "
            "framework that no one commands: Scotland's National Performance Framework, for example, launched in "
            "2007 with 15 national outcomes and 45 indicators [published attractor_npf_scotland]. You decide how "
            "far your locality adopts the framework's ambition as its own goal, and how much effort goes into "
            "learning cycles rather than improvement work now. The framework's pull on the localities no table "
            "plays, and the collective learning it motivates, is the localities' mean commitment: it is as strong "
            "as you make it together [assumption game_attractor_levers]. Local learning rates of 1-5% a month are "
            "a teaching range [assumption attractor_model_ranges]. Your learning effort shows in your learning at "
            "once, but lifts your outcome only where there is something to learn towards: the framework's "
            "ambition, adopted [assumption game_attractor_levers]."
        ),
        goals="Raise your locality's true outcome; do not just report a better number.",
        sees=(f"outcome_{k}", f"reported_{k}", f"learning_{k}", "outcome_mean", "attractor_weight"),
        scores=(f"outcome_{k}",),
    )


PERFORMANCE_ATTRACTOR = GameSpec(
    name="attractor",
    label="Performance attractor: localities, a shared framework and a learning partnership",
    model="attractor",
    adapt=_localities_steer,
    description=(
        "Eleven localities work on the same kind of outcome from different starting points, in a shared "
        "outcomes framework with no central authority. Six are played by tables: each decides how far it adopts "
        "the framework's ambition as its own goal and how much effort it puts into learning cycles; the "
        "framework's pull is the localities' mean commitment. The learning partner, who commands no one, "
        "decides how much sensemaking and knowledge flow it offers. Uniform targets can only come from outside "
        "(the facilitator's news of a new minister). Everyone wants better true outcomes; localities are scored "
        "on their own."
    ),
    roles=(
        Role(
            "learning_partner", "Learning partner (academics and consultants)",
            ("learning_partnership",),
            briefing=(
                "A learning partner helps others listen, learn and adapt through sensemaking and action learning "
                "[published attractor_learning_partners_cpi]. You command no one: you decide how much sensemaking "
                "and knowledge flow you offer the localities, and they decide what to do with it. Knowledge flow "
                "between localities in a full partnership of 0-0.2 a month is a teaching range [assumption "
                "attractor_model_ranges]."
            ),
            goals="Knowledge that travels: the slowest localities learning from the fastest.",
            sees=("learning_mean", "outcome_mean", "outcome_spread", "attractor_weight"),
            scores=("outcome_mean", "outcome_spread"),
        ),
        *(_locality_role(k) for k in _LOCALITIES),
    ),
    ranges={"learning_partnership": (0.0, 1.0),
            **{f"local_learning_{k}": (0.0, 1.0) for k in _LOCALITIES},
            **{f"framework_commitment_{k}": (0.0, 1.0) for k in _LOCALITIES}},
    rounds=(
        Round("Years 1-2: the localities set out", 0.0, 2.0, "Compare reported and true outcomes."),
        Round("Years 3-4: comparing notes", 2.0, 4.0, "Who is learning fastest, and who is being left behind?"),
        Round("Years 5-7: staying the course", 4.0, 7.0, "Is the spread between localities closing?"),
        Round("Years 8-10: the long run", 7.0, 10.0, "Which outcomes were real, and which were reported?"),
    ),
    outcomes=(
        Outcome("outcome_mean", 0.0, 100.0),
        Outcome("outcome_spread", 0.0, 30.0, higher_is_better=False),
        Outcome("reported_mean", 0.0, 100.0),
        Outcome("gaming_mean", 0.0, 1.0, higher_is_better=False),
        Outcome("learning_mean", 0.0, 1.0),
        *(o for k in _LOCALITIES for o in (Outcome(f"outcome_{k}", 0.0, 100.0), Outcome(f"reported_{k}", 0.0, 100.0),
                                           Outcome(f"learning_{k}", 0.0, 1.0))),
        Outcome("attractor_weight", 0.0, 1.0, source="game_attractor_levers"),
    ),
    events=(
        Event("new_minister", "A new minister imposes uniform targets on every locality", {"imposed_targets": 1.0},
              "From outside the partnership: no table can lift them; the facilitator can (targets_lifted). "
              "Its timing is the facilitator's."),
        Event("targets_lifted", "The minister's uniform targets are lifted", {"imposed_targets": 0.0},
              "Undoes new_minister from the start of the open round."),
        Event("framework_refresh", "The framework is refreshed with a higher ambition", {"framework_level": 90.0},
              "The new level is a teaching assumption [assumption game_attractor_events]. It acts only through "
              "the framework's pull: while no locality commits to the framework it changes nothing."),
        Event("turbulence", "Turbulence: needs change faster and knowledge dates sooner",
              {"knowledge_life": 1.5, "erosion_rate": 0.1},
              "Its size is a teaching assumption [assumption game_attractor_events]."),
    ),
    contexts={
        "settled": {},
        "turbulent": {"knowledge_life": 1.0, "erosion_rate": 0.1},
    },
    sources={**dict.fromkeys(("learning_partnership", "imposed_targets"), "game_attractor_levers"),
             **dict.fromkeys(("framework_level", "knowledge_life", "erosion_rate"), "game_attractor_events")},
    headline=("outcome_mean", "outcome_spread"),
)

#: Every shipped game by name.
GAMES = {g.name: g for g in (SURREY, TARGETS_OR_LEARNING, PERFORMANCE_ATTRACTOR)}
