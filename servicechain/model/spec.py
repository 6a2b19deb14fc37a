"""The model file format: strict pydantic models from which the JSON Schema is generated.

Scores stay on the model's own ``scale`` here; they are normalised to 0..1 by
:mod:`servicechain.model.network`. Rules that involve more than one record (references,
duplicate ids, scores against the scale, closed loops) are checked by
:mod:`servicechain.model.rules`.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .limits import MAX_NUMBER

__all__ = [
    "MAX_NUMBER",
    "RELATIONSHIPS",
    "SEGMENT_KINDS",
    "Department",
    "Model",
    "Partner",
    "Position",
    "Scale",
    "Segment",
    "Service",
    "json_schema",
]

SEGMENT_KINDS = ("consumer", "business", "government", "nonprofit", "staff")
RELATIONSHIPS = ("customer", "client")

Id = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[^\s]+$",
        description="Short, stable, case-sensitive identifier without spaces, unique in the model.",
    ),
]
Name = Annotated[str, Field(min_length=1, max_length=500, description="Display name, any text.")]
Notes = Annotated[str | None, Field(default=None, description="Free-text notes.")]
Score = Annotated[
    float | None,
    Field(
        default=None,
        ge=-MAX_NUMBER,
        le=MAX_NUMBER,
        allow_inf_nan=False,
        description="A score on the model's scale.",
    ),
]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
StandardError = Annotated[
    float | None,
    Field(
        default=None,
        ge=0,
        le=MAX_NUMBER,
        allow_inf_nan=False,
        description="Standard error of the score, on the model's scale (from a survey: the "
        "spread of the answers over the square root of their number).",
    ),
]
Answers = Annotated[
    int | None,
    Field(
        default=None, ge=0, le=int(MAX_NUMBER), description="Number of answers the score is from."
    ),
]
Amount = Annotated[float | None, Field(default=None, ge=0, le=MAX_NUMBER, allow_inf_nan=False)]
Count = Annotated[int | None, Field(default=None, ge=0, le=int(MAX_NUMBER))]


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, populate_by_name=True, frozen=True, str_strip_whitespace=False
    )


class Scale(_Strict):
    """The scale on which every score of the model is given (a Likert 1..5, a 0..10, a 0..100)."""

    min: float = Field(
        0.0,
        ge=-MAX_NUMBER,
        le=MAX_NUMBER,
        allow_inf_nan=False,
        description="The worst possible score.",
    )
    max: float = Field(
        1.0,
        ge=-MAX_NUMBER,
        le=MAX_NUMBER,
        allow_inf_nan=False,
        description="The best possible score.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if not self.max > self.min:
            raise ValueError(f"max ({self.max:g}) must be above min ({self.min:g})")
        return self


class Department(_Strict):
    """An internal unit (team, function, store): at once an internal customer and supplier."""

    id: Id
    name: Name
    group: str | None = Field(None, description="Group for roll-up, e.g. Operations.")
    quality: Score = Field(
        None,
        description="Own performance when all its inputs are perfect; missing counts as perfect.",
    )
    quality_se: StandardError = None
    answers: Answers = None
    dependence: Share = Field(
        0.5, description="Share of its result that rides on the services it receives (0..1)."
    )
    headcount: Count = Field(None, description="Number of people.")
    cost: Amount = Field(
        None, description="Direct cost per period (e.g. a year), in the model's currency."
    )
    notes: Notes


class Segment(_Strict):
    """A group of the company's customers, external or staff buying its products."""

    id: Id
    name: Name
    kind: Literal["consumer", "business", "government", "nonprofit", "staff"] = Field(
        description="Who the customers are: consumer, business, government, nonprofit or staff."
    )
    relationship: Literal["customer", "client"] = Field(
        description="customer (transactional, short-term) or client (long-term, personalised)."
    )
    customers: Count = Field(None, description="Number of customers in the segment.")
    revenue: Amount = Field(None, description="Yearly revenue from the segment.")
    revenue_elasticity: float | None = Field(
        None,
        ge=0,
        le=MAX_NUMBER,
        allow_inf_nan=False,
        description="Relative revenue change per unit change of satisfaction (0..1 scale), >= 0.",
    )
    dependence: Share = Field(
        1.0, description="Share of satisfaction that rides on the services received (0..1)."
    )
    baseline: Score = Field(
        None,
        description="Satisfaction from things outside the chain (price, product); "
        "used only when dependence < 1.",
    )
    quality_se: StandardError = Field(
        None,
        ge=0,
        le=MAX_NUMBER,
        allow_inf_nan=False,
        description="Standard error of the baseline, on the model's scale.",
    )
    answers: Answers = None
    notes: Notes


class Partner(_Strict):
    """An external supplier the company relies on (outsourced service, vendor); no inputs."""

    id: Id
    name: Name
    quality: Score = Field(None, description="How well the partner performs; missing = perfect.")
    quality_se: StandardError = None
    answers: Answers = None
    notes: Notes


class Service(_Strict):
    """A directed hand-off from a supplier to its customer."""

    source: Id = Field(alias="from", description="Id of the supplier (department or partner).")
    target: Id = Field(alias="to", description="Id of the customer (department or segment).")
    name: str | None = Field(None, description="What is handed over, e.g. POS support.")
    quality: Score = Field(
        None,
        description="How well the hand-off is delivered, as the customer rates it; "
        "missing = as good as its supplier delivers.",
    )
    quality_se: StandardError = None
    answers: Answers = None
    weight: float = Field(
        1.0,
        gt=0,
        le=MAX_NUMBER,
        allow_inf_nan=False,
        description="Importance among the services the same customer receives (positive).",
    )
    volume: Amount = Field(
        None,
        description="Units of this service the customer takes per period; its supplier's cost is "
        "shared among its customers in proportion (default: the weight).",
    )
    unit: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="What the volume counts, e.g. hours or tickets (one unit per supplier).",
    )
    cost: Amount = Field(None, description="Cost of the hand-off.")
    sla: str | None = Field(None, description="Service-level agreement, as text.")
    notes: Notes


class Position(_Strict):
    """Where a box was placed by hand in draw.io: the centre of the box, in draw.io pixels
    (x grows to the right, y downwards). Every diagram and export keeps the box there."""

    x: float = Field(
        ge=-MAX_NUMBER, le=MAX_NUMBER, allow_inf_nan=False, description="Centre, from the left."
    )
    y: float = Field(
        ge=-MAX_NUMBER, le=MAX_NUMBER, allow_inf_nan=False, description="Centre, from the top."
    )


class Model(_Strict):
    """A company mapped as a chain of internal suppliers and customers."""

    schema_ref: str | None = Field(
        None, alias="$schema", description="Path or URL of this JSON Schema (for editors)."
    )
    name: Name = Field(description="Name of the organisation or of the model.")
    description: str | None = Field(None, description="What the model is about.")
    scale: Scale = Field(default_factory=Scale, description="Scale of every score in the file.")
    currency: str | None = Field(
        None,
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code of every amount in the file (costs, revenue), e.g. EUR.",
    )
    departments: list[Department] = Field(
        min_length=1, description="Internal units, each an internal customer and supplier."
    )
    segments: list[Segment] = Field(default_factory=list, description="Customer segments.")
    partners: list[Partner] = Field(default_factory=list, description="External suppliers.")
    services: list[Service] = Field(default_factory=list, description="Supplier→customer links.")
    layout: dict[Id, Position] = Field(
        default_factory=dict,
        description="Pinned positions: node id → the centre of its box in draw.io pixels, as "
        "`servicechain import FILE.drawio --into` writes them; `draw --relayout` ignores them.",
    )


def json_schema() -> dict:
    """The JSON Schema of the model file, as committed in ``models/servicechain.schema.json``.

    Examples
    --------
    >>> schema = json_schema()
    >>> schema["title"], sorted(schema["required"])
    ('Model', ['departments', 'name'])
    """
    schema = Model.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def json_schema_text() -> str:
    """:func:`json_schema` as stable, indented JSON text ending with a newline."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
