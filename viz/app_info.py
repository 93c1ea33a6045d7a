"""The app's Info page: the model in NetLogo's headings, and a glossary of its words.

The text is for a class: short, in plain words, with the numbers of the full model card
(``docs/model.md``) left there. It says what each page of the app is for.
"""

from __future__ import annotations

import solara

from viz.prose import Prose

INFO = """
## What is it?

A model of a negotiation between delegations over several issues at once, against a deadline.
Its main scenario is the 2025 US–Japan tariff talks as they stood in mid-June 2025: three US
cabinet members, Scott Bessent (Treasury: the yen), Howard Lutnick (Commerce: cars and
investment) and Jamieson Greer (Trade Representative: farms and standards), face Japan's
negotiator Ryosei Akazawa, who can sign only what Tokyo will ratify before its July election.
Seven issues are on the table: the tariff on cars, the country rate on other goods, a yen
commitment, farm access, standards, an investment pledge and defense linkage. The 90-day
tariff pause ends on 9 July. A run ends in a **deal**, with its terms, or a **breakdown**,
when the no-deal terms apply.

## How it works

Each day the negotiators lower what they insist on (their **aspiration**) as the deadline
nears, faster when markets are stressed and slower when the other side gives little. On a
round day every negotiator proposes a package; each side tables one, made from its members'
proposals weighted by their clout, unless the side is too divided and argues instead. Every
party answers every package: it accepts one worth at least its aspiration, that its own
principals would ratify (its side's **win-set**), and, for a US member, that does not
shortchange its portfolio. Each side decides by its rule (unanimity, majority or a
principal's veto). The first package every side accepts is the deal. What each party gives up
toward another is an edge of the **concession graph**.

## How to use it

- **Watch**: press Step or Play and follow the run, day by day (keys: Space or P plays and
  pauses, S or → steps, R resets). The sliders change one setting (a clout, a tactic, the
  chance the deadline moves); Reset builds the run again with them. The ensemble panel runs
  the same settings a thousand times.
- **Play**: take a party's seat. On round days you table a package (when your side opens the
  round) and answer the packages on the table; the agents play everyone else. At the end the
  debrief sets your result beside the agent in your seat and the bargaining solutions.
- **Compare**: two settings (or two scenarios) on the same seeds. The page gives each
  statistic for A and for B and the change B minus A with its 95% interval; because run i of
  both has the same seed, the change is the settings' doing.
- **Class board**: with `negotiate app --class`, every finished game appears here, on one
  plane, with a table and a CSV download.

## Things to notice

- Deals come late: every negotiator holds out (a **Boulware** tactic) and gives way as the
  deadline nears. Most deals come in the last three weeks.
- A divided US cabinet costs time and deals: watch the lines where a member blocks a package
  over its portfolio, or the delegation argues instead of tabling.
- Tokyo's win-set binds: many deals sit exactly on Japan's caps for cars and farms, which
  tighten as the election nears.
- Offers answer offers: a side's package moves toward what the other side last tabled, most
  on what it cares least about.

## Things to try

- Play Akazawa and hold out for more than the agent would: do you get a better deal, or none?
- Play a US member and block every package that shortchanges your portfolio.
- In Compare, set B's US cohesion to 1 (the cabinet never argues): how many breakdowns
  become deals, and how much earlier do deals come?
- Set the chance the deadline moves to 0, then to 1.
- Try the scenario `no_pause` (the deadline the day after the first round).

## Extending the model

Scenarios are TOML files: parties, issues, priorities, win-sets, the calendar and events
(`negotiate validate FILE` checks one). A party's behaviour is a subclass of `Negotiator`
that replaces `aspire`, `propose` or `respond` (the Play page's seat is one). The model card,
`docs/model.md`, describes every mechanism and how each was measured.

## Credits and references

Faratin, Sierra & Jennings (1998, 2002) for time-dependent tactics and offers that answer
offers; Putnam (1988) for the two-level game; Schelling (1960) on bargaining power; Nash
(1950) and Kalai & Smorodinsky (1975) for the bargaining solutions; Chatterjee & Samuelson
(1983) on private bottom lines; Grimm et al. (2020) for the ODD protocol of the model card.
Built on Mesa, networkx, numpy, matplotlib and Solara. The case's sources are listed in the
model card's calibration table.
"""

GLOSSARY = {
    "aspiration": "What a negotiator insists on today, as a utility from 0 to 1. It falls "
    "toward the reservation as the deadline nears.",
    "reservation": "What no deal is worth to a negotiator: it signs nothing worth less.",
    "utility": "How good a package is for a negotiator, from 0 (the worst on every issue it "
    "cares about) to 1 (its ideal), weighted by its priorities.",
    "win-set": "The packages a side's principals (Tokyo's cabinet and Diet; the President) "
    "would ratify. A negotiator cannot sign a package outside it.",
    "cohesion": "How well a delegation holds together: at 1 it never argues and no member "
    "blocks; lower, members argue and block over their portfolios.",
    "portfolio": "The issues a US member answers for (Bessent: the yen; Lutnick: cars and "
    "investment; Greer: farms and standards).",
    "Boulware / Conceder": "A negotiator who holds out until near the deadline (Boulware), or "
    "gives way early (Conceder).",
    "concession graph": "Who gave up how much utility toward whom: an arrow from the one who "
    "conceded to the one it conceded to, wider for more.",
    "Pareto frontier": "The packages nobody can improve for one side without worsening it for "
    "the other.",
    "Nash solution": "The package that maximises the product of every party's gain over no deal.",
    "Kalai–Smorodinsky": "The package on the frontier that gives every party the same share of "
    "the most it could hope for.",
    "deadline extension": "The side holding the deadline may move it when the talks are close.",
}


@solara.component
def InfoPage() -> None:
    """The Info page (see the module's description)."""
    with solara.Column(style={"max-width": "900px", "padding": "8px 16px"}):
        Prose(INFO)
        Prose("## Glossary")
        Prose("\n".join(f"- **{word}**: {meaning}" for word, meaning in GLOSSARY.items()))
