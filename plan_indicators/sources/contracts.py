"""What each landing-zone folder must hold (docs/contracts.md §4.7), as data the readers and
checks share.

A column's `type` says how the reader types it: str, date, bool, int, float, timestamp_us,
yyyymmdd. `allowed` lists the accepted values; `aliases` the other headers that mean the same
column (Meta's French and legacy exports). `free_text` columns (notes, titles) are the only
ones whose quoted cells may span lines: a line break anywhere else means a quote never closed.
An `identifier` is joined across files, so the spellings Excel leaves on ids it re-saved
(scientific notation, a trailing `.0`, a leading apostrophe, a number of 16 digits or more in
a workbook) refuse the file. `references` declare, per column, the source and column its
values must exist in: staging quarantines the rows whose value is unknown there. Staged
frames use the `name`s below, plus `_file` and `_line` (1-based line in the file, header =
line 1; in a workbook, the row number of the sheet read).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "str"
    required: bool = True
    allowed: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    personal: bool = False
    free_text: bool = False
    identifier: bool = False


@dataclass(frozen=True)
class Reference:
    """Values of the column must exist in `source`.`column`; unknown ones are quarantined
    under `rule`."""

    source: str
    column: str
    rule: str


@dataclass(frozen=True)
class SourceContract:
    name: str
    row: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    formats: tuple[str, ...] = (".csv", ".csv.gz", ".xlsx")
    date_column: str | None = None
    references: dict[str, Reference] = field(default_factory=dict)
    sheet: str | None = None  # the workbook sheet to read; None = the first one
    coverage: str | None = None
    """`day` or `month`: the unit its data are expected in every fiscal year, which the
    coverage check counts (plan_indicators/coverage.py); None for sources sparse by nature."""
    filters: tuple[str, ...] = ()
    """Columns a catalog's `measure.filter` may select rows on, for a source that mixes several
    surveys, questions, programmes or channels (docs/contracts.md §2.6)."""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def personal(self) -> bool:
        """A source with a personal column never shows a rejected raw cell, whatever column
        it landed in (a shifted row puts an id anywhere)."""
        return any(c.personal for c in self.columns)


CHANNELS = ("web_form", "email", "chat", "phone", "mail", "in_person", "fax")
ORGANISATION_TYPES = ("ministere", "organisme", "municipalite")
REGIONS = tuple(f"{i:02d}" for i in range(1, 18))

CONTRACTS: dict[str, SourceContract] = {
    c.name: c
    for c in (
        SourceContract(
            "web_analytics",
            "GA4 event, flattened from the BigQuery export",
            (
                Column("event_date", "yyyymmdd"),
                Column("event_timestamp", "int", minimum=0),
                Column("event_name"),
                Column("user_pseudo_id"),
                Column("page_location"),
            ),
            formats=(".csv", ".csv.gz", ".parquet"),  # no workbook: see docs/contracts.md
            date_column="event_date",
            coverage="day",
        ),
        SourceContract(
            "facebook_posts",
            "Facebook post (Meta Business Suite 'Posts' export)",
            (
                Column(
                    "post_id",
                    aliases=("Post ID", "Identifiant de la publication"),
                    identifier=True,
                ),
                Column("publish_time", "mdy_hm", aliases=("Publish time", "Heure de publication")),
                Column(
                    "reach",
                    "int",
                    minimum=0,
                    aliases=("Reach", "Lifetime Post organic reach", "Couverture"),
                ),
                Column("post_type", required=False, aliases=("Post type", "Type de publication")),
                Column(
                    "title",
                    required=False,
                    aliases=("Title", "Description", "Titre"),
                    free_text=True,
                ),
            ),
            key=("post_id",),
            date_column="publish_time",
            coverage="month",
        ),
        SourceContract(
            "facebook_post_topics",
            "post classified by the communications team",
            (Column("post_id", identifier=True), Column("informs_programs", "bool")),
            key=("post_id",),
            references={"post_id": Reference("facebook_posts", "post_id", "unknown_post")},
        ),
        SourceContract(
            "service_requests",
            "request to the public services",
            (
                Column("request_id", identifier=True),
                Column("received_date", "date"),
                Column("channel", allowed=CHANNELS),
                Column("requester_id", required=False, personal=True),
                Column("region_code", required=False, allowed=REGIONS),
            ),
            key=("request_id",),
            date_column="received_date",
            coverage="month",
        ),
        SourceContract(
            "service_offers",
            "offer of service made to a client",
            (
                Column("offer_id"),
                Column("request_id", identifier=True),
                Column("offer_date", "date"),
                Column("offer_kind", allowed=("initial", "follow_up")),
                Column("response", allowed=("accepted", "refused", "no_response", "pending")),
                Column("response_date", "date", required=False),
            ),
            key=("offer_id",),
            date_column="offer_date",
            coverage="month",
            references={
                "request_id": Reference("service_requests", "request_id", "unknown_request")
            },
        ),
        SourceContract(
            "satisfaction_responses",
            "answer to the client-experience survey",
            (
                Column("response_id"),
                Column("response_date", "date"),
                Column("score", "float", minimum=0, maximum=10),
            ),
            key=("response_id",),
            date_column="response_date",
            coverage="month",
        ),
        SourceContract(
            "coordination_requests",
            "request to a regional coordination",
            (
                Column("request_id"),
                Column("region_code", allowed=REGIONS),
                Column("received_date", "date"),
                Column("eligible", "bool"),
                Column("processed_date", "date", required=False),
            ),
            key=("request_id",),
            date_column="received_date",
            coverage="month",
        ),
        SourceContract(
            "action_plan_filings",
            "annual action plan of an organisation bound by the Act (art. 61.1)",
            (
                Column("organisation_id"),
                Column("organisation_type", allowed=ORGANISATION_TYPES),
                Column("reference_start", "date"),
                Column("adopted_date", "date", required=False),
                Column("consultation", "bool"),
            ),
            key=("organisation_id", "reference_start"),
            date_column="reference_start",
        ),
        SourceContract(
            "activity_register",
            "tracked event of an indicator",
            (
                Column("plan_id"),
                Column("indicator_id"),
                Column("record_id"),
                Column("event_date", "date"),
                Column("quantity", "float", required=False, minimum=0),
                Column("outcome", "bool", required=False),
                Column("start_date", "date", required=False),
                Column("subject", required=False),
                Column("note", required=False, free_text=True),
            ),
            key=("plan_id", "indicator_id", "record_id"),
            date_column="event_date",
        ),
        SourceContract(
            "survey_results",
            "aggregate of an external survey",
            (
                Column("plan_id"),
                Column("indicator_id"),
                Column("fiscal_year", "fiscal_year"),
                Column("value", "float"),
                Column("respondents", "float", required=False, minimum=0),
                Column("population", "float", required=False, minimum=0),
            ),
            key=("plan_id", "indicator_id", "fiscal_year"),
        ),
    )
}

SOURCES: tuple[str, ...] = tuple(CONTRACTS)
