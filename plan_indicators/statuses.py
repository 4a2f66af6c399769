"""Evaluation statuses (docs/contracts.md §3) and their French labels as the report prints
them."""

from __future__ import annotations

MET = "met"
NOT_MET = "not_met"
BASELINE = "baseline"
NOT_APPLICABLE = "not_applicable"
NO_DATA = "no_data"
IN_PROGRESS = "in_progress"
MET_LATE = "met_late"
NOT_STARTED = "not_started"

STATUS_FR = {
    MET: "Atteinte",
    NOT_MET: "Non atteinte",
    BASELINE: "Mesure de départ",
    NOT_APPLICABLE: "Sans objet",
    NO_DATA: "Donnée non disponible",
    IN_PROGRESS: "En cours",
    MET_LATE: "Atteinte après l'échéance",
    NOT_STARTED: "À venir",
}
STATUSES = tuple(STATUS_FR)

# The note of an evaluation whose result the result suite refused (docs/contracts.md §2.8).
REFUSED_BY_SUITE_FR = "résultat refusé par la suite de validation"


def refused_note(cause: str) -> str:
    return f"{REFUSED_BY_SUITE_FR} : {cause}"
