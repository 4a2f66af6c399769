"""Warehouse tables that BI reads, and transactional, idempotent writes.

Every table, column and view column carries its description (`comment=`): PostgreSQL keeps them
as comments, and docs/warehouse.md, the data dictionary, is generated from them
(`python -m plan_indicators.docgen`).

Every write of a (plan, indicator, fiscal year) runs in one transaction: delete its rows, insert
the new ones. A failure rolls back, so the previous rows stay published.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from plan_indicators.formatting import display_value, round1
from plan_indicators.scorecard import scorecard_sql

metadata = sa.MetaData()

FY = "Fiscal year, `YYYY-YYYY` (1 April to 31 March)."


def _plan_id() -> sa.Column:
    return sa.Column("plan_id", sa.String(64), primary_key=True, comment="Plan key (`dim_plan`).")


def _indicator_id() -> sa.Column:
    return sa.Column(
        "indicator_id",
        sa.String(32),
        primary_key=True,
        comment="Indicator key: the plan's numbering (`1.1.2`, `3.2.1-a`).",
    )


def _fiscal_year() -> sa.Column:
    return sa.Column("fiscal_year", sa.String(9), primary_key=True, comment=FY)


def _of_indicator(ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    """The row belongs to an indicator of `dim_indicator` (docs/contracts.md §6): an orphan is
    refused by the database. An indicator removed from its catalog keeps its row there
    (`removed_at`), so its published rows stay valid."""
    return sa.ForeignKeyConstraint(
        ["plan_id", "indicator_id"],
        ["dim_indicator.plan_id", "dim_indicator.indicator_id"],
        ondelete=ondelete,
    )


dim_plan = sa.Table(
    "dim_plan",
    metadata,
    sa.Column(
        "plan_id",
        sa.String(64),
        primary_key=True,
        comment="Stable key of the plan, from its catalog (`ophq-2024-2028`).",
    ),
    sa.Column(
        "organisation",
        sa.Text,
        nullable=False,
        comment="Public body whose plan it is, as the annual report names it.",
    ),
    sa.Column("title", sa.Text, nullable=False, comment="Title of the plan."),
    sa.Column(
        "first_fiscal_year", sa.String(9), nullable=False, comment="First fiscal year of the plan."
    ),
    sa.Column(
        "last_fiscal_year", sa.String(9), nullable=False, comment="Last fiscal year of the plan."
    ),
    sa.Column("source", sa.Text, comment="Document the plan's wording was copied from."),
    sa.Column(
        "catalog_file",
        sa.Text,
        comment="Catalog file the plan was loaded from, relative to the plans folder "
        "(`ophq-2024-2028.yaml`): no path of the machine that ran it.",
    ),
    comment="One row per strategic plan of the catalog (`data/plans/<plan>.yaml`).",
)

dim_indicator = sa.Table(
    "dim_indicator",
    metadata,
    _plan_id(),
    _indicator_id(),
    sa.Column("enjeu", sa.Text, comment="The plan's enjeu (issue) heading, in its words."),
    sa.Column("orientation", sa.Text, comment="The plan's orientation heading, in its words."),
    sa.Column("objective", sa.Text, comment="The plan's objective heading, in its words."),
    sa.Column(
        "text_fr", sa.Text, nullable=False, comment="The indicator as the plan words it (French)."
    ),
    sa.Column(
        "unit",
        sa.String(16),
        nullable=False,
        comment="Unit of the value: `percent` (0-100), `count`, `score`, `days` (business days), "
        "`currency` (an amount in CAD dollars) or `date` (a milestone, see "
        "`indicator_result.achieved_on`).",
    ),
    sa.Column(
        "scale_min",
        sa.Float,
        comment="Lowest value of a `score`'s declared scale (the catalog's `scale.min`, 0 for a "
        "note sur 10 or an index on 100); null for every other unit.",
    ),
    sa.Column(
        "scale_max",
        sa.Float,
        comment="Highest value of a `score`'s declared scale (the catalog's `scale.max`: 10 for "
        "a note sur 10, 100 for an index on 100): what the score is out of; null for every "
        "other unit.",
    ),
    sa.Column(
        "direction",
        sa.String(32),
        nullable=False,
        comment="`higher_is_better` or `lower_is_better`: which way the value should move.",
    ),
    sa.Column(
        "measure",
        sa.String(64),
        nullable=False,
        comment="Measure of the library that computes the value (docs/contracts.md §2.6).",
    ),
    sa.Column("measure_params", sa.Text, comment="Parameters of the measure, as JSON."),
    sa.Column(
        "assumptions",
        sa.Text,
        comment="Analysts' working notes on how the indicator is computed (internal, not "
        "published): JSON list of French texts.",
    ),
    sa.Column(
        "note_fr",
        sa.Text,
        comment="Note for readers of the annual report, published under the indicator (French).",
    ),
    sa.Column(
        "sort_order",
        sa.Integer,
        comment="Position of the indicator in its plan (0 = first): the annual report's order.",
    ),
    sa.Column(
        "removed_at",
        sa.DateTime(timezone=True),
        comment="When the indicator left its plan's catalog; null while the catalog has it. Its "
        "row stays so that the results published for it keep their indicator; the report, "
        "the exports and `v_scorecard` leave it out.",
    ),
    sa.ForeignKeyConstraint(["plan_id"], ["dim_plan.plan_id"]),
    comment="One row per indicator of a plan, with the plan's headings and wording.",
)

indicator_target = sa.Table(
    "indicator_target",
    metadata,
    _plan_id(),
    _indicator_id(),
    _fiscal_year(),
    sa.Column(
        "kind",
        sa.String(32),
        nullable=False,
        comment="Target kind: `at_least`, `at_most`, `relative_to_baseline`, … "
        "(docs/contracts.md §2.4).",
    ),
    sa.Column("text_fr", sa.Text, comment="The target as the plan words it (French)."),
    sa.Column(
        "value",
        sa.Float,
        comment="The target's own number by kind (value, percent, points or delta); null for "
        "kinds without one.",
    ),
    sa.Column(
        "baseline_year",
        sa.String(9),
        comment="Fiscal year of the baseline, for a target relative to a baseline.",
    ),
    sa.Column(
        "baseline_value",
        sa.Float,
        comment="The baseline the threshold is computed from: the catalog's `baseline_value` "
        "when given, else the unrounded result of `baseline_year`; null while that result is "
        "unknown and for kinds without a baseline.",
    ),
    sa.Column(
        "threshold",
        sa.Float,
        comment="Resolved number the result is compared with; null while it is not known (its "
        "baseline not computed yet) and for kinds without one (deadline).",
    ),
    sa.Column("due", sa.Date, comment="Last day on which a `deadline` target is met."),
    sa.Column(
        "params", sa.Text, comment="Every field of the target but kind, text and note, as JSON."
    ),
    _of_indicator(),
    comment="One target per indicator and fiscal year, as the plan words it, with its threshold "
    "resolved to a number once its baseline exists.",
)

indicator_result = sa.Table(
    "indicator_result",
    metadata,
    _plan_id(),
    _indicator_id(),
    _fiscal_year(),
    sa.Column(
        "value",
        sa.Float,
        comment="Unrounded value; null when the inputs are missing (see `reason`), never a "
        "silent zero.",
    ),
    sa.Column(
        "value_display",
        sa.Text,
        comment="The value as the report prints it, in French (`52,3 %`, `1 250`, "
        "`Atteinte le 2021-02-05`).",
    ),
    sa.Column(
        "value_rounded", sa.Float, comment="The value rounded half up to one decimal, as published."
    ),
    sa.Column(
        "numerator", sa.Float, comment="Numerator of a share or a mean; the count for counts."
    ),
    sa.Column(
        "denominator",
        sa.Float,
        comment="Denominator of a share or a mean (the population counted).",
    ),
    sa.Column(
        "achieved_on", sa.Date, comment="Date the milestone was reached (unit `date`); null if not."
    ),
    sa.Column(
        "evidence",
        sa.Text,
        comment="Evidence the value rests on: the `evidence` (document reference or URL) of the "
        "activity-register records counted, distinct, `' ; '`-joined (at most 10, then `… (+n)`); "
        "for a milestone, the record that reached it. Null when no record gives one or the "
        "source is not the register.",
    ),
    sa.Column(
        "periods",
        sa.Text,
        comment='Values per half-year as JSON: {"H1": April-September, "H2": October-March}.',
    ),
    sa.Column(
        "reason",
        sa.Text,
        comment="Why the value is missing, or which rows were left out (French).",
    ),
    sa.Column(
        "data_as_of",
        sa.Date,
        comment="Latest date of the source rows the value comes from, at most the as-of date.",
    ),
    sa.Column(
        "is_final",
        sa.Boolean,
        nullable=False,
        default=False,
        comment="True once the yearly closing has run for its plan and fiscal year "
        "(`fiscal_year_closing`), false while the year is open: a provisional result.",
    ),
    sa.Column("run_id", sa.String(64), comment="Dagster run that computed the row."),
    sa.Column(
        "inputs_fingerprint",
        sa.String(64),
        comment="Hash of the source files (names and checksums) the value was computed from.",
    ),
    sa.Column("computed_at", sa.DateTime(timezone=True), comment="When the row was computed."),
    _of_indicator(),
    comment="The computed value of an indicator for a fiscal year; earlier values are in "
    "`indicator_result_history`.",
)

indicator_result_region = sa.Table(
    "indicator_result_region",
    metadata,
    _plan_id(),
    _indicator_id(),
    _fiscal_year(),
    sa.Column(
        "region_code",
        sa.String(2),
        primary_key=True,
        comment="Administrative region, `01` to `17`; `00` for rows whose region is not given "
        "(docs/contracts.md §5.9).",
    ),
    sa.Column("region_fr", sa.Text, nullable=False, comment="The region's French name."),
    sa.Column(
        "numerator",
        sa.Float,
        comment="The region's numerator; null when the cell is suppressed.",
    ),
    sa.Column(
        "denominator",
        sa.Float,
        comment="The region's denominator; null when the cell is suppressed.",
    ),
    sa.Column(
        "value",
        sa.Float,
        comment="The region's share in percent, unrounded; null when the cell is suppressed.",
    ),
    sa.Column(
        "suppressed",
        sa.String(9),
        comment="Why the cell is withheld: `primary` (denominator below 5) or `secondary` (the "
        "total would reveal the only primary cell); null when published.",
    ),
    sa.Column("computed_at", sa.DateTime(timezone=True), comment="When the row was computed."),
    # Part of its result: replaced with it (delete-then-insert of the result row).
    sa.ForeignKeyConstraint(
        ["plan_id", "indicator_id", "fiscal_year"],
        [
            "indicator_result.plan_id",
            "indicator_result.indicator_id",
            "indicator_result.fiscal_year",
        ],
        ondelete="CASCADE",
    ),
    comment="An indicator's share per administrative region and fiscal year, for indicators "
    "whose source carries `region_code`; small cells are suppressed, numbers included. The "
    "published cells and the suppressed ones add up to `indicator_result`.",
)

indicator_projection = sa.Table(
    "indicator_projection",
    metadata,
    _plan_id(),
    _indicator_id(),
    _fiscal_year(),
    sa.Column(
        "as_of",
        sa.Date,
        primary_key=True,
        comment="Date the projection was made at: rows dated up to it were used.",
    ),
    sa.Column(
        "projected_value",
        sa.Float,
        comment="Projected year-end value, in the indicator's unit; null when no projection "
        "can be made (see `note`).",
    ),
    sa.Column(
        "projected_low",
        sa.Float,
        comment="Lower bound of the 95 % interval (Wilson) of a share with a known denominator; "
        "null otherwise.",
    ),
    sa.Column("projected_high", sa.Float, comment="Upper bound of that interval; null otherwise."),
    sa.Column(
        "projected_status",
        sa.String(16),
        comment="`on_track` when the projected value meets the year's threshold, `at_risk` "
        "when not; null without a projection or a threshold.",
    ),
    sa.Column(
        "projected_status_fr",
        sa.Text,
        comment="French label: « En voie d'atteinte » or « À risque ».",
    ),
    sa.Column(
        "method",
        sa.String(16),
        comment="`seasonal_share` (year to date ÷ the same period's share in previous years), "
        "`elapsed_days` (year to date pro rata of days), `year_to_date` (rates and means).",
    ),
    sa.Column("method_fr", sa.Text, comment="The method as the report states it, in French."),
    sa.Column(
        "year_to_date_value", sa.Float, comment="The measure's value from the year's rows so far."
    ),
    sa.Column("threshold", sa.Float, comment="The year's resolved threshold, as evaluated."),
    sa.Column("note", sa.Text, comment="Why there is no projection or no status (French)."),
    sa.Column("computed_at", sa.DateTime(timezone=True), comment="When it was computed."),
    sa.Column("run_id", sa.String(64), comment="Dagster run that computed it."),
    _of_indicator(),
    comment="Year-end projection of each numeric indicator of the running fiscal year, one row "
    "per as-of date (docs/contracts.md §5.10); years that have ended have none.",
)

indicator_evaluation = sa.Table(
    "indicator_evaluation",
    metadata,
    _plan_id(),
    _indicator_id(),
    _fiscal_year(),
    sa.Column(
        "value",
        sa.Float,
        comment="The unrounded value compared with the threshold: the year's result "
        "(`indicator_result`), or for a `cumulative_at_least` target the result accumulated "
        "from its `from_year` to this year.",
    ),
    sa.Column(
        "threshold",
        sa.Float,
        comment="Resolved number the value was compared with; null when there is none.",
    ),
    sa.Column(
        "status",
        sa.String(16),
        nullable=False,
        comment="Status of the result against its target (docs/contracts.md §3.1): `met`, "
        "`not_met`, `in_progress`, `no_data`, …",
    ),
    sa.Column(
        "status_fr",
        sa.Text,
        nullable=False,
        comment="The status as the report prints it (`Atteinte`, `Non atteinte`, …).",
    ),
    sa.Column(
        "gap",
        sa.Float,
        comment="Value − threshold, signed so that ≥ 0 is good; for a deadline the days of "
        "advance on the due date; for a recurring target the smallest period's count − "
        "min_count.",
    ),
    sa.Column(
        "note",
        sa.Text,
        comment="Why the status is `no_data` or `not_applicable`, in French.",
    ),
    sa.Column(
        "explanation_fr",
        sa.Text,
        comment="The *explication des résultats* the planning team wrote for this result "
        "(landing source `result_commentary`, docs/contracts.md §4.7.11), printed under it in "
        "the report and exports; null when none was written.",
    ),
    sa.Column(
        "explanation_updated_on",
        sa.Date,
        comment="The explanation's `updated_on` date as its writer gave it; null when not given "
        "or when there is no explanation.",
    ),
    sa.Column("evaluated_at", sa.DateTime(timezone=True), comment="When the evaluation was made."),
    sa.Column("run_id", sa.String(64), comment="Dagster run that made the evaluation."),
    _of_indicator(),
    comment="The status of each result against its target: one row per indicator and fiscal "
    "year that has a target.",
)

indicator_result_history = sa.Table(
    "indicator_result_history",
    metadata,
    _plan_id(),
    _indicator_id(),
    _fiscal_year(),
    sa.Column(
        "revision",
        sa.Integer,
        primary_key=True,
        comment="1 for the first value replaced, then 2, 3…",
    ),
    sa.Column("value", sa.Float, comment="The unrounded value as it was."),
    sa.Column("value_display", sa.Text, comment="The value as it was printed."),
    sa.Column("achieved_on", sa.Date, comment="The milestone date as it was."),
    sa.Column("is_final", sa.Boolean, comment="Whether the replaced value was final."),
    sa.Column("run_id", sa.String(64), comment="Dagster run that computed the replaced value."),
    sa.Column(
        "inputs_fingerprint",
        sa.String(64),
        comment="Hash of the source files the replaced value was computed from.",
    ),
    sa.Column(
        "computed_at", sa.DateTime(timezone=True), comment="When the replaced value was computed."
    ),
    sa.Column("replaced_at", sa.DateTime(timezone=True), comment="When it was replaced."),
    _of_indicator(),
    comment="Every earlier value of a result, kept when a rerun changed its value, display, "
    "milestone date or finality.",
)

dim_fiscal_year = sa.Table(
    "dim_fiscal_year",
    metadata,
    sa.Column("fiscal_year", sa.String(9), primary_key=True, comment=FY),
    sa.Column("start_date", sa.Date, nullable=False, comment="First day: 1 April."),
    sa.Column("end_date", sa.Date, nullable=False, comment="Last day: 31 March."),
    sa.Column(
        "sort_key",
        sa.Integer,
        nullable=False,
        comment="Calendar year of 1 April (2024 for `2024-2025`): sorts the years in order.",
    ),
    sa.Column(
        "state",
        sa.String(16),
        nullable=False,
        comment="The year at `as_of`: `not_started` (before 1 April), `running` (up to 31 March "
        "included), `ended`, or `closed` once the yearly closing has run for it for every plan "
        "that has it (`fiscal_year_closing`); one plan's own state is "
        "`v_scorecard.fiscal_year_state`.",
    ),
    sa.Column("as_of", sa.Date, nullable=False, comment="As-of date the state holds at."),
    sa.Column("updated_at", sa.DateTime(timezone=True), comment="When the row was written."),
    comment="One row per fiscal year of the catalog (each plan's years and the baseline years "
    "its targets compare with), with its state at the last run's as-of date.",
)

fiscal_year_closing = sa.Table(
    "fiscal_year_closing",
    metadata,
    _plan_id(),
    _fiscal_year(),
    sa.Column(
        "closing",
        sa.Integer,
        primary_key=True,
        comment="1 for the year's first closing, then 2, 3… after each reopening.",
    ),
    sa.Column(
        "closed_at",
        sa.DateTime(timezone=True),
        nullable=False,
        comment="When the closing run made the year's results final.",
    ),
    sa.Column(
        "run_id",
        sa.String(64),
        nullable=False,
        comment="Dagster run that computed the final results and closed the year.",
    ),
    sa.Column(
        "closed_by",
        sa.Text,
        nullable=False,
        comment="What started the closing run: the schedule's name "
        "(`yearly_closing_<plan>`), else `plan-indicators` (`close`, `run --final`, `demo`).",
    ),
    sa.Column("as_of", sa.Date, comment="As-of date of the closing run."),
    sa.Column(
        "results_closed",
        sa.Integer,
        nullable=False,
        comment="Indicator results of the plan made final for the year.",
    ),
    sa.Column(
        "reopened_at",
        sa.DateTime(timezone=True),
        comment="When `plan-indicators reopen` reopened the year; null while it stays closed.",
    ),
    sa.Column("reopened_reason", sa.Text, comment="Why it was reopened, as given (French)."),
    sa.ForeignKeyConstraint(["plan_id"], ["dim_plan.plan_id"]),
    comment="Every closing of a plan's fiscal year, and its reopening: a year is closed while "
    "its latest closing has no `reopened_at`. A closed year's results and evaluations are "
    "final (`indicator_result.is_final`) and later runs leave them as they are.",
)

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column(
        "source",
        sa.String(64),
        primary_key=True,
        comment="Landing-zone source (folder) of the row (docs/contracts.md §4.7).",
    ),
    sa.Column(
        "file",
        sa.String(512),
        primary_key=True,
        comment="File of the row, relative to the landing zone.",
    ),
    sa.Column(
        "line",
        sa.Integer,
        primary_key=True,
        comment="Physical line where the row starts in the file (header = line 1).",
    ),
    sa.Column(
        "column_name",
        sa.String(128),
        comment="Column at fault; null when the whole row is (wrong number of cells).",
    ),
    sa.Column(
        "rule",
        sa.String(128),
        nullable=False,
        comment="Rule the row breaks: `required_value`, `date_format`, … (docs/contracts.md §4.4).",
    ),
    sa.Column("reason", sa.Text, nullable=False, comment="The fault in French, for the provider."),
    sa.Column(
        "value",
        sa.Text,
        comment="The cell at fault (at most 500 characters); a personal column's pseudonym, "
        "never its raw value.",
    ),
    sa.Column(
        "file_checksum",
        sa.String(64),
        comment="SHA-256 of the file the row came from, as read (null only for rows set aside "
        "before checksums were recorded).",
    ),
    sa.Column("quarantined_at", sa.DateTime(timezone=True), comment="When the row was set aside."),
    sa.Column("run_id", sa.String(64), comment="Dagster run that set the row aside."),
    comment="Rows of the landing zone set aside by the checks, with where they are and why; "
    "nothing is dropped silently.",
)

source_coverage = sa.Table(
    "source_coverage",
    metadata,
    sa.Column(
        "source",
        sa.String(64),
        primary_key=True,
        comment="Landing-zone source whose coverage is measured (docs/contracts.md §4.7).",
    ),
    sa.Column("fiscal_year", sa.String(9), primary_key=True, comment="Fiscal year measured."),
    sa.Column(
        "unit",
        sa.String(8),
        nullable=False,
        comment="Unit the source's data are expected in: `day` (web analytics) or `month`.",
    ),
    sa.Column(
        "window_start",
        sa.Date,
        comment="First day checked: the later of the year's start and the source's first data; "
        "null when the year has no data.",
    ),
    sa.Column(
        "window_end",
        sa.Date,
        comment="Last day checked: the earliest of the year's end, the as-of date and the "
        "source's last data; null when the year has no data.",
    ),
    sa.Column(
        "expected_units",
        sa.Integer,
        nullable=False,
        comment="Days or months in the window.",
    ),
    sa.Column(
        "covered_units",
        sa.Integer,
        nullable=False,
        comment="Days or months of the window with at least one row.",
    ),
    sa.Column(
        "missing_units",
        sa.Integer,
        nullable=False,
        comment="Days or months in gaps: runs without rows too long to be a quiet stretch.",
    ),
    sa.Column(
        "quiet_level",
        sa.Integer,
        nullable=False,
        comment="Rows in a quiet day or month of the year (10th percentile over those with "
        "data); a run without rows is a gap when its length times this reaches 20.",
    ),
    sa.Column(
        "gaps",
        sa.Text,
        comment="The gaps as JSON `[[first_day, last_day, units], …]`; `[]` when complete.",
    ),
    sa.Column(
        "note_fr",
        sa.Text,
        comment='The note the report prints under an affected result ("données incomplètes : '
        '…"); null when complete.',
    ),
    sa.Column("as_of", sa.Date, comment="As-of date the coverage was measured at."),
    sa.Column("computed_at", sa.DateTime(timezone=True), comment="When it was measured."),
    sa.Column("run_id", sa.String(64), comment="Dagster run of the staging step that measured it."),
    comment="Per source and fiscal year, whether the data cover the year or leave gaps that "
    "would lower a result (docs/contracts.md §4.9); written by each staging step.",
)

V_SCORECARD_SQL = """
CREATE VIEW v_scorecard AS
SELECT i.plan_id, p.organisation, p.title AS plan_title, i.indicator_id, i.enjeu, i.orientation,
       i.objective, i.text_fr, i.unit, i.direction, t.fiscal_year, t.kind AS target_kind,
       t.text_fr AS target_text_fr, t.threshold, r.value, r.value_display, r.achieved_on,
       r.numerator, r.denominator, r.is_final, r.data_as_of, e.status, e.status_fr, e.gap,
       e.note, e.explanation_fr,
       t.baseline_year, t.baseline_value, i.sort_order, fy.sort_key AS fiscal_year_sort_key,
       CASE WHEN EXISTS (SELECT 1 FROM fiscal_year_closing c WHERE c.plan_id = t.plan_id
                         AND c.fiscal_year = t.fiscal_year AND c.reopened_at IS NULL)
            THEN 'closed' WHEN fy.state = 'closed' THEN 'ended' ELSE fy.state END
            AS fiscal_year_state
FROM dim_indicator i
JOIN dim_plan p ON p.plan_id = i.plan_id
JOIN indicator_target t ON t.plan_id = i.plan_id AND t.indicator_id = i.indicator_id
LEFT JOIN indicator_result r ON r.plan_id = t.plan_id AND r.indicator_id = t.indicator_id
     AND r.fiscal_year = t.fiscal_year
LEFT JOIN indicator_evaluation e ON e.plan_id = t.plan_id AND e.indicator_id = t.indicator_id
     AND e.fiscal_year = t.fiscal_year
LEFT JOIN dim_fiscal_year fy ON fy.fiscal_year = t.fiscal_year
WHERE i.removed_at IS NULL
"""


@dataclass(frozen=True)
class View:
    """A view BI reads: its SQL, its description and each column's origin.

    A column maps to `"table.column"` when it shows that column as it is (it takes its
    description and type), or to its own description when it is computed.
    """

    name: str
    sql: str
    comment: str
    columns: dict[str, str]

    def origin(self, column: str) -> sa.Column | None:
        table, _, name = self.columns[column].partition(".")
        if table in metadata.tables and name in metadata.tables[table].c:
            return metadata.tables[table].c[name]
        return None

    def description(self, column: str) -> str:
        origin = self.origin(column)
        return origin.comment if origin is not None else self.columns[column]


v_scorecard = View(
    "v_scorecard",
    V_SCORECARD_SQL,
    "One row per plan, indicator and fiscal year with a target: wording, target, baseline, "
    "threshold, result and status side by side (indicators still in their catalog).",
    {
        "plan_id": "dim_indicator.plan_id",
        "organisation": "dim_plan.organisation",
        "plan_title": "dim_plan.title",
        "indicator_id": "dim_indicator.indicator_id",
        "enjeu": "dim_indicator.enjeu",
        "orientation": "dim_indicator.orientation",
        "objective": "dim_indicator.objective",
        "text_fr": "dim_indicator.text_fr",
        "unit": "dim_indicator.unit",
        "direction": "dim_indicator.direction",
        "fiscal_year": "indicator_target.fiscal_year",
        "target_kind": "indicator_target.kind",
        "target_text_fr": "indicator_target.text_fr",
        "threshold": "indicator_target.threshold",
        "value": "indicator_result.value",
        "value_display": "indicator_result.value_display",
        "achieved_on": "indicator_result.achieved_on",
        "numerator": "indicator_result.numerator",
        "denominator": "indicator_result.denominator",
        "is_final": "indicator_result.is_final",
        "data_as_of": "indicator_result.data_as_of",
        "status": "indicator_evaluation.status",
        "status_fr": "indicator_evaluation.status_fr",
        "gap": "indicator_evaluation.gap",
        "note": "indicator_evaluation.note",
        "explanation_fr": "indicator_evaluation.explanation_fr",
        "baseline_year": "indicator_target.baseline_year",
        "baseline_value": "indicator_target.baseline_value",
        "sort_order": "dim_indicator.sort_order",
        "fiscal_year_sort_key": "dim_fiscal_year.sort_key",
        "fiscal_year_state": "The plan's fiscal year at the last run's as-of date: "
        "`not_started`, `running`, `ended`, or `closed` while the plan's closing of the year "
        "(`fiscal_year_closing`) is not reopened; a result of a year not `closed` is "
        "provisional. Order rows by `plan_id`, `sort_order`, `fiscal_year_sort_key`.",
    },
)
v_plan_scorecard = View(
    "v_plan_scorecard",
    scorecard_sql(),
    "The organisation's scorecard: per plan and fiscal year, how many targets were met among "
    "those evaluated (docs/contracts.md §3.3).",
    {
        "plan_id": "indicator_evaluation.plan_id",
        "fiscal_year": "indicator_evaluation.fiscal_year",
        "targets_met": "Targets whose status is `met`.",
        "targets_evaluated": "Targets evaluated: `met`, `met_late` or `not_met`.",
        "targets_no_data": "Targets left out of the share because their result is missing "
        "(`no_data`), shown so that they cannot flatter it.",
        "targets_pending": "Targets not over yet (`in_progress`, `not_started`).",
        "targets_excluded": "Targets without a result to meet (`baseline`, `not_applicable`).",
        "share_met": "targets_met / targets_evaluated × 100; null when none was evaluated.",
    },
)
VIEWS: tuple[View, ...] = (v_scorecard, v_plan_scorecard)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_ENGINES: dict[str, Engine] = {}
SQLITE_BUSY_SECONDS = 30


def engine_for(url: str) -> Engine:
    """One engine per URL, with the schema created on first use."""
    if url not in _ENGINES:
        sqlite = sa.engine.make_url(url).get_backend_name() == "sqlite"
        # Plans running side by side write the same SQLite file: wait for the other's commit.
        engine = sa.create_engine(
            url, future=True, connect_args={"timeout": SQLITE_BUSY_SECONDS} if sqlite else {}
        )
        if engine.dialect.name == "sqlite":
            _ensure_sqlite_dir(url)
            sa.event.listen(engine, "connect", _sqlite_foreign_keys)
        create_schema(engine)
        _ENGINES[url] = engine
    return _ENGINES[url]


def forget_connections() -> None:
    """In a process forked from one that used the warehouse: drop the inherited connection
    pools without closing their connections, which are the parent's (SQLAlchemy's advice for
    a fork); the next use opens connections of this process's own."""
    for engine in _ENGINES.values():
        engine.dispose(close=False)


def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    """SQLite checks foreign keys only when each connection asks (PostgreSQL always does)."""
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _ensure_sqlite_dir(url: str) -> None:
    from pathlib import Path

    db = sa.engine.make_url(url).database
    if db and db != ":memory:":
        Path(db).parent.mkdir(parents=True, exist_ok=True)


def create_schema(engine: Engine) -> None:
    """Tables (with their comments on PostgreSQL), columns added since, then the views."""
    metadata.create_all(engine)
    add_missing_columns(engine)
    with engine.begin() as conn:
        inspector = sa.inspect(conn)
        views = set(inspector.get_view_names())
        for view in VIEWS:
            stale = view.name in views and _view_columns(inspector, view.name) != list(view.columns)
            if stale:  # made by an older release: its columns differ, so it is made again
                conn.execute(sa.text(f"DROP VIEW {view.name}"))
            if stale or (not inspector.has_table(view.name) and view.name not in views):
                conn.execute(sa.text(view.sql))
                if conn.dialect.name == "postgresql":
                    _comment_view(conn, view)


def _view_columns(inspector, name: str) -> list[str]:
    return [c["name"] for c in inspector.get_columns(name)]


def _literal(text: str) -> str:
    """A SQL string literal for COMMENT ON, which takes no bound parameters."""
    return "'" + text.replace("'", "''").replace(":", "\\:") + "'"


def _comment_view(conn, view: View) -> None:
    conn.execute(sa.text(f"COMMENT ON VIEW {view.name} IS {_literal(view.comment)}"))
    for column in view.columns:
        comment = _literal(view.description(column))
        conn.execute(sa.text(f"COMMENT ON COLUMN {view.name}.{column} IS {comment}"))


def add_missing_columns(engine: Engine) -> list[str]:
    """Add the nullable columns a newer release declares to a warehouse made by an older one.

    `create_all` creates missing tables but never alters existing ones, so a warehouse kept
    across releases would otherwise refuse every insert naming the new column. Only nullable
    columns are added (a new required column needs a real migration); returns "table.column"
    of each column added.
    """
    added = []
    with engine.begin() as conn:
        inspector = sa.inspect(conn)
        for table in metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present or not column.nullable:
                    continue
                kind = column.type.compile(dialect=conn.dialect)
                conn.execute(
                    sa.text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')
                )
                if column.comment and conn.dialect.name == "postgresql":
                    conn.execute(sa.schema.SetColumnComment(column))
                added.append(f"{table.name}.{column.name}")
    return added


def quarantine_rows(
    items: Iterable[Any], run_id: str | None, checksums: Mapping[str, str] | None = None
) -> list[dict]:
    """`quarantine` rows for rows set aside (`QuarantineRow`s), each with the SHA-256 of the
    file it came from (`checksums`: file -> checksum, from the read's file reports)."""
    now = utcnow()
    checksums = checksums or {}
    return [
        {
            "source": q.source,
            "file": q.file,
            "line": int(q.line),
            "column_name": q.column,
            "rule": q.rule,
            "reason": q.reason if q.sheet is None else f"feuille {q.sheet!r} : {q.reason}",
            "value": None if q.value is None else str(q.value)[:500],
            "file_checksum": checksums.get(q.file) or None,
            "quarantined_at": now,
            "run_id": run_id,
        }
        for q in items
    ]


def replace_rows(
    engine: Engine,
    table: sa.Table,
    where: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
) -> int:
    """Delete the rows matching `where` and insert `rows`, in one transaction."""
    with engine.begin() as conn:
        delete_insert(conn, table, where, rows)
    return len(rows)


def delete_insert(conn, table: sa.Table, where: Mapping[str, Any], rows) -> None:
    """Delete-then-insert inside the caller's transaction."""
    cond = [table.c[k] == v for k, v in where.items()]
    conn.execute(table.delete().where(*cond))
    if rows:
        conn.execute(table.insert(), [dict(r) for r in rows])


def read_rows(engine: Engine, table: sa.Table, **where: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        stmt = sa.select(table).where(*[table.c[k] == v for k, v in where.items()])
        return [dict(r._mapping) for r in conn.execute(stmt)]


def publish_result(
    engine: Engine, row: Mapping[str, Any], regions: Iterable[Any] = ()
) -> int | None:
    """Write one indicator_result row and its region cells (`plan_indicators.regions.RegionCell`)
    in one transaction; an earlier row whose value changed goes to history.

    Returns the history revision written, if any.
    """
    return publish_results(engine, [(row, regions)])[0]


def result_row(plan_id: str, ind, fiscal_year: str, res, **columns: Any) -> dict[str, Any]:
    """The `indicator_result` row of one indicator's measured year (`res`, a MeasureResult):
    what the measure says, displayed in the indicator's unit, and `columns`, what the writer
    knows (run, finality, lineage)."""
    return {
        "plan_id": plan_id,
        "indicator_id": ind.id,
        "fiscal_year": fiscal_year,
        "value": res.value,
        "value_display": display_value(ind.unit, res.value, res.achieved_on),
        "value_rounded": round1(res.value),
        "numerator": res.numerator,
        "denominator": res.denominator,
        "achieved_on": res.achieved_on,
        "evidence": res.evidence,
        "periods": json.dumps(res.periods) if res.periods else None,
        "reason": res.reason,
        **columns,
    }


def publish_results(
    engine: Engine, rows: Iterable[tuple[Mapping[str, Any], Iterable[Any]]]
) -> list[int | None]:
    """`publish_result` for several (row, region cells) in one transaction: an indicator's
    fiscal years cost one commit instead of one each, and none is written if one fails."""
    with engine.begin() as conn:
        return [_publish_result(conn, row, regions) for row, regions in rows]


def _publish_result(conn, row: Mapping[str, Any], regions: Iterable[Any]) -> int | None:
    key = {k: row[k] for k in ("plan_id", "indicator_id", "fiscal_year")}
    t = indicator_result
    old = conn.execute(sa.select(t).where(*[t.c[k] == v for k, v in key.items()])).first()
    revision = None
    if old is not None and _changed(old._mapping, row):
        revision = keep_in_history(conn, key, old._mapping)
    delete_insert(conn, t, key, [row])
    delete_insert(conn, indicator_result_region, key, region_rows(key, regions))
    return revision


HISTORY_COLUMNS = (
    "value", "value_display", "achieved_on", "is_final", "run_id", "inputs_fingerprint",
    "computed_at",
)  # fmt: skip


def keep_in_history(conn, key: Mapping[str, Any], old: Mapping[str, Any]) -> int:
    """Copy a result row about to change into `indicator_result_history`; returns its revision."""
    h = indicator_result_history
    last = conn.execute(
        sa.select(sa.func.max(h.c.revision)).where(*[h.c[k] == v for k, v in key.items()])
    ).scalar()
    revision = (last or 0) + 1
    conn.execute(
        h.insert(),
        [{**key, "revision": revision, **{c: old[c] for c in HISTORY_COLUMNS},
          "replaced_at": utcnow()}],
    )  # fmt: skip
    return revision


def region_rows(key: Mapping[str, Any], cells: Iterable[Any]) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            **key,
            "region_code": c.region_code,
            "region_fr": c.region_fr,
            "numerator": c.numerator,
            "denominator": c.denominator,
            "value": c.value,
            "suppressed": c.suppressed,
            "computed_at": now,
        }
        for c in cells
    ]


def projection_row(plan_id: str, indicator_id: str, p: Any, run_id: str | None) -> dict:
    """An `indicator_projection` row from a `plan_indicators.projection.Projection`."""
    return {
        "plan_id": plan_id,
        "indicator_id": indicator_id,
        "fiscal_year": p.fiscal_year,
        "as_of": p.as_of,
        "projected_value": p.value,
        "projected_low": p.low,
        "projected_high": p.high,
        "projected_status": p.status,
        "projected_status_fr": p.status_fr,
        "method": p.method,
        "method_fr": p.method_fr or None,
        "year_to_date_value": p.year_to_date,
        "threshold": p.threshold,
        "note": p.note,
        "computed_at": utcnow(),
        "run_id": run_id,
    }


def _changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    return any(
        old.get(c) != new.get(c) for c in ("value", "value_display", "achieved_on", "is_final")
    )


def table_rows(engine: Engine, name: str, order_by: Iterable[str] = ()) -> list[dict[str, Any]]:
    tbl = metadata.tables[name]
    with engine.connect() as conn:
        stmt = sa.select(tbl).order_by(*[tbl.c[c] for c in order_by])
        return [dict(r._mapping) for r in conn.execute(stmt)]
