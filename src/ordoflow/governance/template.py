"""Process templates and their local variants.

A template names the steps of the standard order-to-cash path, each bound to a decision table and
parameters (values the table reads as inputs), the hold route of each outcome, and which steps
are locked. Its variation points say what a site or channel variant may change (a path in the
template) and within which bounds. Templates and variants are YAML files or JSON documents,
validated on load; `resolve` merges a variant into its template, as a pure function, refusing
every change the template did not allow with the path and the reason.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ordoflow.domain.errors import DomainError, ErrorCode

Scalar = str | int | float | bool | Decimal


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HoldRoute(_Strict):
    """Where a hold goes: the exception queue, the role that owns it, its deadline in business
    hours, and the roles its case passes to, one at a time, each time the deadline passes."""

    queue: str = Field(min_length=1)
    owner_role: str = Field(min_length=1)
    sla_hours: float = Field(gt=0)
    escalation: tuple[str, ...] = ()


class Step(_Strict):
    """A step decides with its table; when it passes, a `source` step keeps the warehouses its
    table chose (see `sourcing_plan`), an `allocate` step then takes stock for the order and a
    `release` step releases it to the warehouse."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    table: str = Field(min_length=1)
    action: Literal["decide", "source", "allocate", "release"] = "decide"
    after: tuple[str, ...] = ()
    parameters: dict[str, Scalar] = Field(default_factory=dict)
    routes: dict[str, HoldRoute] = Field(default_factory=dict)
    locked: bool = False


class VariationPoint(_Strict):
    """A path a variant may change (`steps.<id>.parameters.<name>`, `steps.<id>.table`, or
    `steps.<id>.routes.<outcome>.<field>`), with the bounds or choices allowed."""

    path: str
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[Scalar, ...] | None = None


class Template(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = ""
    steps: tuple[Step, ...] = Field(min_length=1)
    variation_points: tuple[VariationPoint, ...] = ()

    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)


class Variant(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    template: str
    scope: Literal["site", "channel"]
    applies_to: str = Field(min_length=1)
    changes: dict[str, Scalar] = Field(default_factory=dict)


def _invalid(code: ErrorCode, where: str, message: str) -> DomainError:
    return DomainError(code, f"{where}: {message}")


def _parse(model: type[Template] | type[Variant], text: str, code: ErrorCode) -> Any:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _invalid(code, "document", f"not readable YAML: {exc}") from None
    if not isinstance(data, Mapping):
        raise _invalid(code, "document", "must be a mapping of fields")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "document"
        raise _invalid(code, where, first["msg"]) from None


def load_template(text: str, known_tables: Sequence[str] | None = None) -> Template:
    """A template from YAML or JSON text, checked: unique step ids, `after` naming known steps
    and no cycle, tables that exist (when `known_tables` is given), variation points that name
    real paths and do not reach into locked steps."""
    template: Template = _parse(Template, text, ErrorCode.TEMPLATE_INVALID)
    check_template(template, known_tables)
    return template


def check_template(template: Template, known_tables: Sequence[str] | None = None) -> None:
    ids = [s.id for s in template.steps]
    for n, step in enumerate(template.steps):
        where = f"steps.{n}"
        if ids.count(step.id) > 1:
            raise _invalid(ErrorCode.TEMPLATE_INVALID, where, f"step id {step.id!r} used twice")
        for before in step.after:
            if before not in ids:
                raise _invalid(ErrorCode.TEMPLATE_INVALID, f"{where}.after",
                               f"unknown step {before!r}")  # fmt: skip
        if known_tables is not None and step.table not in known_tables:
            raise _invalid(ErrorCode.TEMPLATE_INVALID, f"{where}.table",
                           f"unknown decision table {step.table!r}")  # fmt: skip
    running = order_steps(template)
    for action in ("source", "allocate", "release"):
        if sum(s.action == action for s in running) > 1:
            raise _invalid(ErrorCode.TEMPLATE_INVALID, "steps", f"more than one {action} step")
    actions = [s.action for s in running if s.action != "decide"]
    for later, earlier in (("release", "allocate"), ("allocate", "source")):
        if later in actions and earlier in actions[actions.index(later) :]:
            raise _invalid(ErrorCode.TEMPLATE_INVALID, "steps",
                           f"the {later} step must come after the {earlier} step")  # fmt: skip
    if "release" in actions and "allocate" not in actions:
        raise _invalid(ErrorCode.TEMPLATE_INVALID, "steps",
                       "the release step must come after the allocate step")  # fmt: skip
    for n, point in enumerate(template.variation_points):
        where = f"variation_points.{n}.path"
        step = _step_of(template, point.path, ErrorCode.TEMPLATE_INVALID, where)
        if step.locked:
            raise _invalid(ErrorCode.TEMPLATE_INVALID, where,
                           f"step {step.id!r} is locked and cannot vary")  # fmt: skip
        _read_path(template, point.path, ErrorCode.TEMPLATE_INVALID, where)


def order_steps(template: Template) -> list[Step]:
    """The steps in running order: each after those it names, otherwise as listed."""
    done: list[Step] = []
    waiting = list(template.steps)
    while waiting:
        ready = [s for s in waiting if all(b in {d.id for d in done} for b in s.after)]
        if not ready:
            cycle = ", ".join(s.id for s in waiting)
            raise _invalid(ErrorCode.TEMPLATE_INVALID, "steps",
                           f"the steps {cycle} wait for each other (a cycle)")  # fmt: skip
        done.append(ready[0])
        waiting.remove(ready[0])
    return done


def _step_of(template: Template, path: str, code: ErrorCode, where: str) -> Step:
    parts = path.split(".", 2)
    if len(parts) < 3 or parts[0] != "steps":
        raise _invalid(code, where, f"{path!r} is not a path into a step")
    if parts[1] not in {s.id for s in template.steps}:
        raise _invalid(code, where, f"{path!r} names no step of the template")
    return template.step(parts[1])


def _read_path(template: Template, path: str, code: ErrorCode, where: str) -> Any:
    node: Any = template.model_dump()
    node = {"steps": {s["id"]: s for s in node["steps"]}}
    for part in _path_parts(path):
        if not isinstance(node, dict) or part not in node:
            raise _invalid(code, where, f"{path!r} does not exist in the template")
        node = node[part]
    return node


def _path_parts(path: str) -> list[str]:
    """`steps.<id>.<field>[.<key>[.<field>]]`; a parameter name may contain dots or spaces, so
    everything after `parameters.` is one key."""
    head, _, rest = path.partition(".parameters.")
    return [*head.split("."), "parameters", rest] if rest else path.split(".")


def load_variant(text: str) -> Variant:
    variant: Variant = _parse(Variant, text, ErrorCode.VARIANT_REFUSED)
    return variant


def resolve(template: Template, variant: Variant | None) -> Template:
    """The effective process: the template with the variant's changes, each allowed by a
    variation point and within its bounds. Pure: the same inputs always give the same result."""
    if variant is None:
        return template
    if variant.template != template.name:
        raise _invalid(ErrorCode.VARIANT_REFUSED, "template",
                       f"variant {variant.name!r} is for {variant.template!r}, "
                       f"not {template.name!r}")  # fmt: skip
    document = template.model_dump()
    steps = {s["id"]: s for s in document["steps"]}
    points = {p.path: p for p in template.variation_points}
    for path, value in variant.changes.items():
        where = f"changes.{path}"
        step = _step_of(template, path, ErrorCode.VARIANT_REFUSED, where)
        if step.locked:
            raise _invalid(ErrorCode.VARIANT_REFUSED, where, f"step {step.id!r} is locked")
        point = points.get(path)
        if point is None:
            raise _invalid(ErrorCode.VARIANT_REFUSED, where,
                           "the template declares no variation point here")  # fmt: skip
        _within(point, value, where)
        parts = _path_parts(path)[1:]
        target = steps[parts[0]]
        for part in parts[1:-1]:
            target = target[part]
        target[parts[-1]] = value
    return Template.model_validate(copy.deepcopy(document))


def _within(point: VariationPoint, value: Scalar, where: str) -> None:
    if point.allowed is not None and value not in point.allowed:
        choices = ", ".join(str(a) for a in point.allowed)
        raise _invalid(ErrorCode.VARIANT_REFUSED, where, f"{value!r} is not one of: {choices}")
    if point.minimum is None and point.maximum is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _invalid(ErrorCode.VARIANT_REFUSED, where, f"{value!r} is not a number")
    if point.minimum is not None and value < point.minimum:
        raise _invalid(ErrorCode.VARIANT_REFUSED, where, f"{value} is below {point.minimum}")
    if point.maximum is not None and value > point.maximum:
        raise _invalid(ErrorCode.VARIANT_REFUSED, where, f"{value} is above {point.maximum}")


__all__ = [
    "HoldRoute",
    "Step",
    "Template",
    "Variant",
    "VariationPoint",
    "check_template",
    "load_template",
    "load_variant",
    "order_steps",
    "resolve",
]
