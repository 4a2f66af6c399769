"""A workbook a planning officer fills in, read back as `activity_register` (docs/contracts.md
§4.7.9): `plan-indicators register-template --plan ID --out FILE.xlsx`.

The entry sheet comes first, since the register's contract reads the first sheet: its header is
the contract's columns (plus `evidence`, the document reference or URL that proves a milestone
or an event), with drop-down lists of the plan's register-based indicator ids, of its plan id
and of booleans, date-formatted and date-checked date cells, and a help prompt per column. A
second sheet lists the plan's register-based indicators: id, French wording, measure, target
per fiscal year, and what to record for each. Nothing is pre-filled in the entry rows, so an
untouched row is a blank line, never a quarantined one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from plan_indicators.catalog import Indicator, Plan
from plan_indicators.sources.contracts import CONTRACTS

ENTRY_SHEET = "Saisie"
INDICATORS_SHEET = "Indicateurs"
ROWS = 500  # entry rows formatted and validated below the header
REGISTER = "activity_register"
DATE_FORMAT = "yyyy-mm-dd"

# What each column means, as the sheet's help prompt shows it (French: people read it).
HELP_FR = {
    "plan_id": "Identifiant du plan (liste).",
    "indicator_id": "Indicateur concerné (liste : voir la feuille Indicateurs).",
    "record_id": "Numéro unique de l'enregistrement pour cet indicateur (ex. 2024-001).",
    "event_date": "Date de l'événement, du jalon ou de la fin du dossier (AAAA-MM-JJ).",
    "quantity": "Nombre d'événements (1 si vide) ; pour un indicateur en dollars, le montant en "
    "dollars (obligatoire).",
    "outcome": "Résultat du dossier pour les taux : oui ou non.",
    "start_date": "Date de début, pour les délais (AAAA-MM-JJ).",
    "subject": "Sujet compté une fois (ex. l'ordre professionnel), pour les jalons à n sujets.",
    "note": "Remarque libre.",
    "evidence": "Preuve : référence du document ou adresse web (URL).",
}
WIDTHS = {"note": 40, "evidence": 45, "indicator_id": 14, "subject": 24}


def register_indicators(plan: Plan) -> list[Indicator]:
    """The plan's indicators whose measure reads the activity register."""
    from plan_indicators.measures import registry

    measures = registry()
    return [
        ind
        for ind in plan.indicators
        if ind.measure.name in measures and REGISTER in measures[ind.measure.name].sources
    ]


def what_to_record(ind: Indicator) -> str:
    """The rows an indicator's measure counts, in the words of the entry sheet."""
    name, params = ind.measure.name, ind.measure.params
    if name == "register_milestone":
        n = params.get("subjects")
        if n:
            return (
                f"Une ligne par sujet atteint (subject), datée du jour où il l'est (event_date) ; "
                f"le jalon est franchi au {n}e sujet distinct. Preuve : document ou URL."
            )
        return "Une ligne quand le jalon est franchi (event_date) ; preuve : document ou URL."
    if name == "register_rate":
        return "Une ligne par dossier (event_date) avec son résultat (outcome : oui ou non)."
    if ind.unit == "currency" or name == "register_amount":
        return (
            "Une ligne par montant (investissement, subvention, dépense), datée (event_date) : "
            "quantity = le montant en dollars, obligatoire (une ligne sans montant est laissée "
            "de côté, jamais comptée 1 $)."
        )
    if name == "register_share_of_headcount":
        return (
            "Une ligne par départ (ou participant) compté au numérateur (event_date), quantity = "
            "nombre (1 si vide) ; l'effectif du dénominateur vient du dossier headcounts/."
        )
    if name in ("register_mean_delay", "share_delays_within"):
        return (
            "Une ligne par dossier terminé : date de début (start_date) et date de fin "
            "(event_date) ; le délai est compté en jours ouvrables."
            if params.get("business_days", True)
            else "Une ligne par dossier terminé : date de début (start_date) et de fin "
            "(event_date)."
        )
    return "Une ligne par événement (event_date), quantity = nombre d'événements (1 si vide)."


def write_register_template(plan: Plan, out: Path) -> int:
    """Write the workbook; returns the number of register-based indicators it lists.

    Raises ValueError when the plan has none (a template with an empty list helps no one).
    """
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    indicators = register_indicators(plan)
    if not indicators:
        raise ValueError(f"plan {plan.id}: aucun indicateur ne lit le registre d'activités")
    contract = CONTRACTS[REGISTER]
    columns = [c.name for c in contract.columns]
    years = list(plan.plan.fiscal_years)

    wb = openpyxl.Workbook()
    entry = wb.active
    entry.title = ENTRY_SHEET
    entry.append(columns)
    entry.freeze_panes = "A2"
    for cell in entry[1]:
        cell.font = Font(bold=True)
    listing = wb.create_sheet(INDICATORS_SHEET)
    header = ["indicator_id", "Libellé", "Mesure", *(f"Cible {y}" for y in years), "À consigner"]
    listing.append(header)
    for cell in listing[1]:
        cell.font = Font(bold=True)
    for ind in indicators:
        targets = [ind.targets[y].text_fr if y in ind.targets else "" for y in years]
        listing.append([ind.id, ind.text_fr, ind.measure.name, *targets, what_to_record(ind)])
    listing.column_dimensions["B"].width = 60
    listing.column_dimensions[get_column_letter(len(header))].width = 60
    listing.freeze_panes = "B2"

    last = ROWS + 1
    lists = {
        "plan_id": f'"{plan.id}"',
        "indicator_id": f"{INDICATORS_SHEET}!$A$2:$A${len(indicators) + 1}",
        "outcome": '"oui,non"',
    }
    for i, name in enumerate(columns, start=1):
        letter = get_column_letter(i)
        cells = f"{letter}2:{letter}{last}"
        column = contract.column(name)
        if name in lists:
            rule = DataValidation(type="list", formula1=lists[name], allow_blank=True)
            rule.error = f"{name} : choisissez une valeur de la liste"
        elif column.type == "date":
            rule = DataValidation(
                type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True
            )
            rule.error = f"{name} : date attendue (AAAA-MM-JJ)"
            for (cell,) in entry.iter_rows(min_row=2, max_row=last, min_col=i, max_col=i):
                cell.number_format = DATE_FORMAT
        elif column.type == "float":
            rule = DataValidation(
                type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
            )
            rule.error = f"{name} : nombre positif attendu"
        else:
            rule = DataValidation(allow_blank=True)
        rule.showErrorMessage = rule.type is not None
        rule.errorTitle = "Valeur refusée"
        rule.promptTitle = name
        rule.prompt = HELP_FR.get(name, "")
        rule.showInputMessage = True
        rule.add(cells)
        entry.add_data_validation(rule)
        entry.column_dimensions[letter].width = WIDTHS.get(name, 13)
    wb.properties.title = f"Registre d'activités — {plan.id}"
    wb.properties.created = dt.datetime.combine(dt.date.today(), dt.time())
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return len(indicators)
