"""A catalog draft from a plan's text: layout read, wording turned into targets, years settled,
units guessed, measures proposed only where the measure library leaves no choice.

Everything the text does not say, or that the draft had to guess, becomes an open question
(`open_questions`, French, prefixed by the indicator id) so a planner confirms it before the
draft becomes a catalog; a measure nobody can tell from the text is written `à choisir`, which
`validate-plan` rejects by name.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import Any

from plan_indicators.catalog import TO_CHOOSE
from plan_indicators.drafting import header, labelled, synoptic
from plan_indicators.drafting.raw import RawIndicator, RawPlan
from plan_indicators.drafting.text import fiscal_key, fold
from plan_indicators.drafting.units import guess_unit
from plan_indicators.drafting.wording import Reading, read_target
from plan_indicators.fiscal import FiscalYear, fiscal_range
from plan_indicators.measures import measures_for_unit, registry
from plan_indicators.seasons import DeadlineTextError
from plan_indicators.target_kinds import draft_adjusters, kind_class
from plan_indicators.target_kinds._baseline import BaselineKind

_OTHER_FREQUENCY = re.compile(r"\b(trimestriel|mensuel|hebdomadaire|quotidien)(?:le)?s?\b")
_EACH = re.compile(r"\b(chaque|chacun|chacune)\b")
_TARGET_ORDER = (
    "kind", "value", "percent", "points", "delta", "baseline_year", "from_year", "due", "start",
    "min_count", "per",
)  # fmt: skip
"""How a drafted target's fields are written; a field of a new kind follows, in its order."""


class DraftError(ValueError):
    """The text cannot be drafted at all (no known layout, no period): says what is missing."""


@dataclass
class DraftIndicator:
    fields: dict[str, Any]
    line: int
    comments: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.fields["id"]


@dataclass
class Draft:
    layout: str
    plan: dict[str, Any]
    indicators: list[DraftIndicator]
    open_questions: list[str]

    def catalog(self) -> dict[str, Any]:
        """The draft as catalog YAML content (what `render` writes, comments aside)."""
        return {
            "plan": self.plan,
            "open_questions": self.open_questions,
            "indicators": [i.fields for i in self.indicators],
        }

    @property
    def measures_to_choose(self) -> list[str]:
        return [i.id for i in self.indicators if i.fields["measure"]["name"] == TO_CHOOSE]

    @property
    def target_count(self) -> int:
        return sum(len(i.fields["targets"]) for i in self.indicators)


def read_layout(text: str) -> RawPlan:
    if synoptic.is_synoptic(text):
        return synoptic.read(text)
    if labelled.is_labelled(text):
        return labelled.read(text)
    raise DraftError(
        "layout not recognised: expected a tableau synoptique (a tab-separated header row "
        "« OBJECTIF / INDICATEUR / CIBLE 2024-2025 … ») or « Indicateur : … » / « Cible : … » "
        "lines"
    )


def draft_plan(text: str, source: str = "", period: str | None = None) -> Draft:
    """The catalog draft of a plan's text; `period` ("2019-2023") when the text gives none."""
    raw = read_layout(text)
    questions: list[str] = []
    readings = [[read_target(t.wording) for t in ind.targets] for ind in raw.indicators]
    organisation = header.find_organisation(text)
    first, last, years = _period(text, raw, readings, period, questions)
    if organisation is None:
        questions.append("plan : organisation introuvable dans le texte, à écrire")
    plan = {
        "id": header.plan_id(organisation, first, last),
        "organisation": organisation or TO_CHOOSE,
        "title": _title(text, first, last, questions),
        "fiscal_years": years,
        "source": source,
    }
    questions += [f"lecture : {note}" for note in raw.notes]
    indicators = []
    for pos, (ind, ind_readings) in enumerate(zip(raw.indicators, readings, strict=True), 1):
        ind_id = ind.number or f"indicateur-{pos}"
        if ind.number is None:
            questions.append(f"{ind_id} : indicateur sans numéro dans le texte, id à écrire")
        indicators.append(_indicator(ind, ind_id, ind_readings, years, questions))
    return Draft(raw.layout, plan, indicators, questions)


def _period(
    text: str,
    raw: RawPlan,
    readings: list[list[Reading]],
    period: str | None,
    questions: list[str],
) -> tuple[int, int, list[str]]:
    """The plan's calendar years and fiscal years: option, table columns, title, else targets."""
    titled = header.find_period(text)
    if period:
        match = re.fullmatch(r"(\d{4})-(\d{4})", period.strip())
        if not match or int(match.group(2)) <= int(match.group(1)):
            raise DraftError(f"--period {period!r}: expected the plan's years, e.g. 2019-2023")
        first, last = int(match.group(1)), int(match.group(2))
        return first, last, fiscal_range(fiscal_key(first), fiscal_key(last - 1))
    if raw.fiscal_years:
        years = sorted(raw.fiscal_years)
        first, last = FiscalYear.parse(years[0]).start_year, FiscalYear.parse(years[-1]).end.year
        if titled and titled != (first, last):
            questions.append(
                f"plan : le titre dit {titled[0]}-{titled[1]}, les colonnes du tableau "
                f"{years[0]} à {years[-1]}"
            )
        return first, last, fiscal_range(years[0], years[-1])
    if titled:
        first, last = titled
        return first, last, fiscal_range(fiscal_key(first), fiscal_key(last - 1))
    dated = sorted({fy for rs in readings for r in rs if (fy := _dated_year(r)) is not None})
    if len(dated) < 2:
        raise DraftError(
            "the text gives no period (no « Plan stratégique AAAA-AAAA », no year columns, "
            "too few dated targets): pass --period, e.g. --period 2019-2023"
        )
    first, last = FiscalYear.parse(dated[0]).start_year, FiscalYear.parse(dated[-1]).end.year
    questions.append(
        f"plan : années du plan déduites des échéances ({dated[0]} à {dated[-1]}), le texte "
        "ne les donne pas ; à confirmer (option --period)"
    )
    return first, last, fiscal_range(dated[0], dated[-1])


def _dated_year(r: Reading) -> str | None:
    """Fiscal year of a deadline or of the start of a recurring target."""
    cls = kind_class(r.kind)
    try:
        return cls.draft_dated_year(r.fields) if cls else None
    except DeadlineTextError:
        return None


def _title(text: str, first: int, last: int, questions: list[str]) -> str:
    if header.find_period(text) == (first, last):
        return header.title_for(first, last)
    questions.append(f"plan : titre « {header.title_for(first, last)} » écrit par le brouillon")
    return header.title_for(first, last)


def _indicator(
    raw: RawIndicator, ind_id: str, readings: list[Reading], years: list[str], questions: list[str]
) -> DraftIndicator:
    notes: list[str] = []
    folded = fold(raw.text_fr)
    for r in readings:
        _frequency(folded, r, notes)
    guess = guess_unit(raw.text_fr, readings)
    notes += guess.notes
    targets: dict[str, dict[str, Any]] = {}
    for target, r in zip(raw.targets, readings, strict=True):
        if not r.read:
            where = f" ({target.fiscal_year})" if target.fiscal_year else ""
            why = f" ({' ; '.join(r.notes)})" if r.notes else ""
            notes.append(
                f"cible{where} « {r.text_fr} » non lue{why} : à transcrire (docs/contracts.md §2.4)"
            )
            continue
        notes += r.notes
        _sense(r, guess.direction, notes)
        for fy in _place(r, target.fiscal_year, years, notes):
            entry = _entry(r, fy, years)
            if fy in targets:
                notes.append(f"deux cibles pour {fy} : « {r.text_fr} » laissée de côté")
            else:
                targets[fy] = entry
    _baselines(targets, years, notes)
    fields: dict[str, Any] = {
        "id": ind_id,
        "enjeu": raw.enjeu,
        "orientation": raw.orientation,
        "objective": raw.objective,
        "text_fr": raw.text_fr,
        "unit": guess.unit,
    }
    unit_comment = guess.why
    if guess.unit == "score":
        fields["scale"] = guess.scale or TO_CHOOSE
    fields["direction"] = guess.direction
    measure, measure_comment = _measure(guess.unit, folded, readings, notes)
    fields["measure"] = measure
    fields["targets"] = dict(sorted(targets.items()))
    for note in dict.fromkeys(notes):
        questions.append(f"{ind_id} : {note}")
    comments = {"id": f"ligne {raw.line}", "unit": unit_comment, "measure": measure_comment}
    return DraftIndicator(fields, raw.line, comments)


def _frequency(folded: str, r: Reading, notes: list[str]) -> None:
    """What the indicator's wording says of its targets: "semestrielle", "annuel", "cumulé"."""
    if any(adjust(folded, r, notes) for _, adjust in draft_adjusters()):
        return
    if match := _OTHER_FREQUENCY.search(folded):
        notes.append(f"fréquence « {match.group(0)} » : le catalogue compte par année ou semestre")


def _sense(r: Reading, direction: str, notes: list[str]) -> None:
    """A number without sign: at least, or at most where lower is better."""
    if not r.bare:
        return
    value = r.fields["value"]
    if direction == "lower_is_better":
        r.kind = "at_most"
        notes.append(f"« {r.text_fr} » : nombre sans signe lu comme un maximum ({value} au plus)")
    elif r.bare_words:
        notes.append(f"« {r.text_fr} » : nombre sans signe lu comme « au moins {value} »")


def _place(r: Reading, cell_year: str | None, years: list[str], notes: list[str]) -> list[str]:
    """Fiscal years a target is written under, as its kind places it (docs/contracts.md §2.5:
    a deadline under its due date's)."""
    return kind_class(r.kind).draft_years(r, cell_year, years, notes)


def _entry(r: Reading, fy: str, years: list[str]) -> dict[str, Any]:
    fields = kind_class(r.kind).draft_fields(r.fields, years)
    order = [k for k in _TARGET_ORDER[1:] if k in fields] + [
        k for k in fields if k not in _TARGET_ORDER
    ]
    entry = {"kind": r.kind, **{k: fields[k] for k in order}}
    entry["text_fr"] = r.text_fr
    return entry


def _baselines(targets: dict[str, dict[str, Any]], years: list[str], notes: list[str]) -> None:
    """A relative target that names no baseline year: the year of "Première mesure", else the
    fiscal year before the plan."""
    classes = {fy: kind_class(t["kind"]) for fy, t in targets.items()}
    firsts = sorted(fy for fy, cls in classes.items() if cls and cls.draft_measures_baseline)
    for fy, target in targets.items():
        cls = classes[fy]
        if not (cls and issubclass(cls, BaselineKind)) or target["baseline_year"] is not None:
            continue
        earlier = [y for y in firsts if y < fy]
        if earlier:
            target["baseline_year"] = earlier[-1]
            why = "l'année de la « Première mesure »"
        else:
            target["baseline_year"] = FiscalYear.parse(years[0]).previous.key
            why = "l'année qui précède le plan"
        notes.append(
            f"« {target['text_fr']} » sans année de référence : mesure de départ présumée "
            f"{target['baseline_year']} ({why})"
        )


def _measure(
    unit: str, folded: str, readings: list[Reading], notes: list[str]
) -> tuple[dict[str, Any], str]:
    """The library's only measure for this unit when it needs no parameter, else the
    placeholder, with the candidates as the comment."""
    measures = registry()
    fits = sorted(measures) if unit == TO_CHOOSE else measures_for_unit(unit)
    if len(fits) == 1 and unit != TO_CHOOSE:
        params = list(inspect.signature(measures[fits[0]].fn).parameters.values())[1:]
        if all(p.default is not inspect.Parameter.empty for p in params):
            names = [p.name for p in params]
            if "subjects" in names and (each := _EACH.search(folded)):
                notes.append(
                    f"« {each.group(0)} » dans le libellé : le jalon porte-t-il sur plusieurs "
                    f"sujets ? (paramètre subjects de {fits[0]})"
                )
            why = f"seule mesure de la bibliothèque en {unit}"
            if names:
                why += f" ; paramètres facultatifs : {', '.join(names)}"
            return {"name": fits[0]}, why
    hint = (
        " ; « jours ouvrables » : business_days: true"
        if any(r.business_days for r in readings)
        else ""
    )
    if not fits:
        return {"name": TO_CHOOSE}, f"aucune mesure de la bibliothèque en {unit}{hint}"
    return {"name": TO_CHOOSE}, f"candidates : {', '.join(fits)}{hint}"
