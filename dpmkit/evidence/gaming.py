"""Evidence on targets, gaming, and creaming and parking under payment by results."""

from . import Source

SOURCES = (
    Source(
        key="gaming_ae_reported_vs_survey",
        citation=(
            "Bevan, G. & Hood, C. (2006) What's measured is what matters: targets and gaming in the English "
            "public health care system. Public Administration 84(3), 517-538"
        ),
        status="published",
        url="https://doi.org/10.1111/j.1467-9299.2006.00600.x",
        says=(
            "NHS accident and emergency four-hour target. 2002/03: 139 of 158 acute trusts officially reported "
            "that at least 90% of patients were seen within four hours, but only 69% of patients reported that "
            "experience in a survey. 2004/05: officially 96%, surveyed 77%."
        ),
        notes=(
            "Figures as recorded in the research notes from a copy of the article; the link is the DOI. "
            "The two figures measure different things (trusts' returns vs a patient survey), so the gap is an "
            "upper-bound reading of gaming plus measurement differences, not gaming alone."
        ),
    ),
    Source(
        key="gaming_ae_gap",
        citation="Derived from Bevan & Hood (2006), NHS A&E four-hour target",
        status="derived",
        says="Gap between reported and patient-experienced performance under a high-stakes target: about 0.19-0.21.",
        arithmetic="2002/03: 0.90 (reported, at least) - 0.69 (surveyed) = 0.21; 2004/05: 0.96 - 0.77 = 0.19.",
        notes=(
            "Used as the largest gap that gaming can open between reported and true performance in the "
            "pm_regimes and targets_vs_learning models (default 0.2, uncertainty 0.15-0.25). See "
            "gaming_ae_reported_vs_survey for why this is an upper-bound reading."
        ),
    ),
    Source(
        key="gaming_bevan_hood_definitions",
        citation="Bevan, G. & Hood, C. (2006), as above; Goodhart's law as quoted there; Campbell's law",
        status="published",
        url="https://doi.org/10.1111/j.1467-9299.2006.00600.x",
        says=(
            "Gaming is 'reactive subversion': 'hitting the target and missing the point'. Classic types from "
            "Soviet planning: ratchet effects, threshold effects, output distortions. Goodhart: any observed "
            "statistical regularity will tend to collapse once pressure is placed on it for control purposes."
        ),
    ),
    Source(
        key="gaming_hood_2006_targets_regime",
        citation="Hood, C. (2006) Gaming in Targetworld. Public Administration Review 66(4), 515-521",
        status="published",
        url="https://doi.org/10.1111/j.1540-6210.2006.00612.x",
        says=(
            "The English central targets regime ran from 1998, with star ratings from 2001. The centre took "
            "reported gains at face value and had no coherent anti-gaming strategy."
        ),
    ),
    Source(
        key="gaming_work_programme_70pct",
        citation=(
            "House of Commons Work and Pensions Committee (2015) Welfare-to-work, Second Report of Session 2015-16, "
            "HC 363 (21 October 2015), as reported by Sharecast"
        ),
        status="published",
        url="https://sharecast.com/news/news-and-announcements--/work-programme-failing-over-70-of-claimants-say-mps--902429.html",
        says=(
            "The committee found that 'nearly 70% of those who attended the programme for two years failed to find "
            "long-term employment'. Its chair said the Department 'deserves credit for implementing a programme "
            "which, in general, produces results at least as good as before, for a greatly reduced cost per "
            "participant' but 'We must not forget that nearly 70% of participants are completing the Work Programme "
            "without finding sustained employment.'"
        ),
        notes=(
            "Corrected. The kit used to say the Work Programme cost 'GBP 3.3bn over 9 years from June 2011' and was "
            "'failing to help 70% of claimants', from a secondary summary (a Russell Webster resource pack) that "
            "could not be found; both phrases were not found in any source, and press reports of the committee give "
            "'the government's £5bn Work Programme'. The 70% is of participants who completed two years without "
            "sustained employment: not all claimants, and not the same as 'parked'."
        ),
    ),
    Source(
        key="gaming_creaming_parking_tsrc",
        citation=(
            "Third Sector Research Centre (2013) research on creaming and parking in the Work Programme, "
            "as reported by Civil Society News"
        ),
        status="published",
        url="https://www.civilsociety.co.uk/news/-creaming-and-parking--are-inevitable-side-effects-of-work-programme--research-suggests.html",
        says=(
            "Providers saw creaming (serving the easiest first) and parking (leaving the hardest unserved) as a "
            "'rational response to payment-by-results', driven by cost pressure, very ambitious targets, "
            "diverse claimant groups and poorly calibrated differential payments."
        ),
    ),
    Source(
        key="gaming_parking_ceiling",
        citation="dpmkit teaching assumption, anchored on the Work Programme figure",
        status="assumption",
        says=(
            "At most 70% of hard-to-help clients end up parked (on the books but not actively served) under a "
            "strong payment-by-results regime."
        ),
        notes=(
            "Uses the published 'nearly 70% of participants' completing two years without sustained work "
            "(gaming_work_programme_70pct) only as an upper bound for the hard-to-help group; that figure covers all "
            "participants and every reason for not finding work, not parking alone."
        ),
    ),
)
