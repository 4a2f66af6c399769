"""One plain French sentence per failing rule: what the data provider (or the planning team)
must fix, printed by `plan-indicators run` under each Great Expectations failure.

Keyed by the `rule` every expectation carries in its suite's meta (and `coverage`, the check of
plan_indicators/coverage.py); a test keeps every rule of the committed suites covered, so a new
rule comes with its sentence.
"""

from __future__ import annotations

ADVICE_FR: dict[str, str] = {
    "missing_column": "Ajoutez la colonne « {column} » (en-tête prévu par le contrat de la "
    "source) à chaque fichier, puis déposez-le de nouveau.",
    "key_not_null": "Remplissez « {column} » sur chaque ligne : c'est l'identifiant de la ligne.",
    "key_unique": "Chaque valeur de « {column} » doit être unique : retirez ou corrigez les "
    "lignes en double.",
    "allowed_values": "Utilisez dans « {column} » une des valeurs permises par le contrat de la "
    "source (voir la liste dans la documentation).",
    "out_of_range": "Corrigez les valeurs de « {column} » qui sortent des bornes du contrat "
    "(minimum, maximum).",
    "date_in_plan_years": "Vérifiez les dates de « {column} » : certaines tombent hors des "
    "exercices des plans du catalogue et ne comptent dans aucun résultat (souvent une année mal "
    "saisie).",
    "lineage": "Des lignes ont perdu leur fichier ou leur ligne d'origine : ce n'est pas une "
    "erreur du fichier, signalez-le à l'équipe des données.",
    "type": "La colonne « {column} » n'a pas le type attendu après la lecture : ce n'est pas une "
    "erreur du fichier, signalez-le à l'équipe des données.",
    "percent_range": "Un pourcentage publié sort de 0 à 100 : vérifiez que le numérateur ne "
    "dépasse pas le dénominateur dans les données de l'indicateur.",
    "non_negative": "Un résultat publié est négatif : vérifiez les quantités et les dates "
    "(début après la fin) dans les données de l'indicateur.",
    "scale_declared": "Une note est publiée sans son échelle : déclarez `scale` (minimum et "
    "maximum) pour l'indicateur dans le catalogue.",
    "score_scale": "Une note publiée sort de son échelle : vérifiez l'échelle (`scale`) de "
    "l'indicateur dans le catalogue et les notes reçues.",
    "denominator_present": "Un pourcentage publié n'a pas de dénominateur : vérifiez la mesure "
    "choisie dans le catalogue, ou fournissez les répondants et la population.",
    "denominator_positive": "Un pourcentage publié a un dénominateur nul : aucune ligne de "
    "l'année n'entre dans la population de l'indicateur.",
    "coverage": "Des jours ou des mois n'ont aucune donnée : déposez les fichiers manquants "
    "de ces périodes, ou confirmez par écrit qu'il n'y a pas eu d'activité.",
}

_FALLBACK = "Corrigez les lignes signalées (règle « {rule} », colonne « {column} »)."


def advice_fr(rule: str, column: str | None) -> str:
    return ADVICE_FR.get(rule, _FALLBACK).format(rule=rule, column=column or "—")


def advice_for_failures(keys: list[str]) -> list[str]:
    """Sentences for a check's failures, given as `rule:column` (its `unexpected_sample`
    metadata keys), one per distinct sentence, in order."""
    out: list[str] = []
    for key in keys:
        rule, _, column = key.partition(":")
        sentence = advice_fr(rule, None if column in ("", "None") else column)
        if sentence not in out:
            out.append(sentence)
    return out
