"""DMN XML in and out: the exchange format of Camunda Modeler, Flowable, Drools and dmn-js.

Import reads any DMN 1.1 to 1.5 model (namespaces are matched by local name) into a
`DecisionModel`: its decision tables and literal-expression decisions, and which decisions each
one requires. Export writes a decision table as DMN 1.3. XML is parsed with defusedxml, so a
model cannot expand entities or reach outside itself.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree as SafeET

from ordoflow.domain.errors import DomainError, ErrorCode
from ordoflow.governance.feel import Expr, FeelError, feel_value, parse_expression
from ordoflow.governance.tables import (
    Aggregation,
    CompiledTable,
    DecisionTable,
    HitPolicy,
    InputClause,
    OutputClause,
    Rule,
    compile_table,
)

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
_HIT_POLICIES = {p.value: p for p in HitPolicy}


@dataclass(frozen=True, slots=True)
class LiteralDecision:
    name: str
    expression: str
    id: str = ""


@dataclass
class DecisionModel:
    """The decisions of one DMN file, by name and by id, and what each requires."""

    name: str
    tables: dict[str, DecisionTable] = field(default_factory=dict)
    literals: dict[str, LiteralDecision] = field(default_factory=dict)
    requires: dict[str, list[str]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    _compiled: dict[str, CompiledTable | Expr] = field(default_factory=dict)

    def decision_name(self, name_or_id: str) -> str:
        if name_or_id in self.tables or name_or_id in self.literals:
            return name_or_id
        if name_or_id in self.ids:
            return self.ids[name_or_id]
        known = ", ".join(sorted([*self.tables, *self.literals]))
        message = f"no decision {name_or_id!r} in {self.name}; it has: {known}"
        raise DomainError(ErrorCode.UNKNOWN_DECISION, message)

    def evaluate(self, name_or_id: str, inputs: Mapping[str, Any]) -> Any:
        """The decision's result, after the decisions it requires, with `inputs` as input data."""
        context = {k: _feel_data(v) for k, v in inputs.items()}
        return self._evaluate(self.decision_name(name_or_id), context, set())

    def _evaluate(self, name: str, context: dict[str, Any], busy: set[str]) -> Any:
        if name in busy:
            raise DomainError(ErrorCode.DMN_MALFORMED, f"decision {name!r} requires itself")
        busy.add(name)
        for required in self.requires.get(name, []):
            if required not in context:
                context[required] = self._evaluate(required, context, busy)
        busy.discard(name)
        compiled = self._compiled.get(name)
        if compiled is None:
            compiled = self._compiled[name] = self._compile(name)
        if isinstance(compiled, CompiledTable):
            return compiled.evaluate(context).result
        return compiled(context)

    def _compile(self, name: str) -> CompiledTable | Expr:
        if name in self.tables:
            return compile_table(self.tables[name])
        try:
            return parse_expression(self.literals[name].expression)
        except FeelError as exc:
            raise DomainError(ErrorCode.DECISION_CELL_INVALID, f"{name}: {exc}") from None


def _feel_data(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _feel_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_feel_data(v) for v in value]
    return feel_value(value)


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def children(element: Any, name: str) -> list[Any]:
    return [child for child in element if local_name(child.tag) == name]


def child(element: Any, name: str) -> Any | None:
    found = children(element, name)
    return found[0] if found else None


def _text(element: Any | None, name: str = "text") -> str:
    if element is None:
        return ""
    node = child(element, name)
    return (node.text or "").strip() if node is not None and node.text else ""


def read_dmn(xml: str | bytes) -> DecisionModel:
    """Parse a DMN file; a file that is not DMN, or a table that cannot be read, is refused
    with `dmn_malformed` naming the decision."""
    try:
        root = SafeET.fromstring(xml)
    except Exception as exc:  # defusedxml raises several unrelated types for hostile input
        raise DomainError(ErrorCode.DMN_MALFORMED, f"not readable XML: {exc}") from None
    if local_name(root.tag) != "definitions":
        raise DomainError(ErrorCode.DMN_MALFORMED, "a DMN file starts with <definitions>")
    model = DecisionModel(name=root.get("name", ""))
    for decision in children(root, "decision"):
        _read_decision(model, decision)
    return model


def _read_decision(model: DecisionModel, element: Any) -> None:
    name = element.get("name") or element.get("id") or ""
    model.ids[element.get("id", name)] = name
    model.requires[name] = [
        _local_ref(req) for info in children(element, "informationRequirement")
        for req in children(info, "requiredDecision")
    ]  # fmt: skip
    table, literal = child(element, "decisionTable"), child(element, "literalExpression")
    if table is not None:
        model.tables[name] = _read_table(name, element.get("id", ""), table)
    elif literal is not None:
        model.literals[name] = LiteralDecision(name, _text(literal), element.get("id", ""))


def _local_ref(element: Any) -> str:
    return str(element.get("href", "")).lstrip("#")


def _read_table(name: str, decision_id: str, element: Any) -> DecisionTable:
    policy = element.get("hitPolicy", "UNIQUE")
    if policy not in _HIT_POLICIES:
        raise DomainError(ErrorCode.DMN_MALFORMED, f"{name}: unknown hit policy {policy!r}")
    aggregation = element.get("aggregation")
    outputs = children(element, "output")
    return DecisionTable(
        name=name,
        id=decision_id,
        hit_policy=_HIT_POLICIES[policy],
        aggregation=Aggregation(aggregation) if aggregation else None,
        inputs=tuple(
            InputClause(
                label=i.get("label") or _text(child(i, "inputExpression")),
                expression=_text(child(i, "inputExpression")),
                type_ref=(child(i, "inputExpression") or i).get("typeRef"),
                allowed_values=_text(child(i, "inputValues")) or None,
            )
            for i in children(element, "input")
        ),
        outputs=tuple(
            OutputClause(
                name=o.get("name") or element.get("outputLabel") or name,
                type_ref=o.get("typeRef"),
                allowed_values=_text(child(o, "outputValues")) or None,
            )
            for o in outputs
        ),
        rules=tuple(
            Rule(
                inputs=tuple(_text(e, "text") for e in children(r, "inputEntry")),
                outputs=tuple(_text(e, "text") for e in children(r, "outputEntry")),
                annotation=_text(child(r, "annotationEntry")) or _text(r, "description"),
                id=r.get("id", ""),
            )
            for r in children(element, "rule")
        ),
    )


def write_dmn(tables: list[DecisionTable], name: str = "ordoflow") -> str:
    """Decision tables as one DMN 1.3 file that DMN editors open."""
    ET.register_namespace("", DMN13)
    root = ET.Element(_q("definitions"), {"name": name, "id": _xml_id(name),
                                          "namespace": "https://ordoflow.org/dmn"})  # fmt: skip
    for table in tables:
        ids = {"name": table.name, "id": table.id or _xml_id(table.name)}
        decision = ET.SubElement(root, _q("decision"), ids)
        attrs = {"hitPolicy": table.hit_policy.value, "id": f"{decision.get('id')}_table"}
        if table.aggregation is not None:
            attrs["aggregation"] = table.aggregation.value
        element = ET.SubElement(decision, _q("decisionTable"), attrs)
        _write_clauses(element, table)
        for n, rule in enumerate(table.rules, start=1):
            _write_rule(element, rule, f"{decision.get('id')}_r{n}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _write_clauses(element: ET.Element, table: DecisionTable) -> None:
    for clause in table.inputs:
        node = ET.SubElement(element, _q("input"), {"label": clause.label})
        typed = {"typeRef": clause.type_ref} if clause.type_ref else {}
        expression = ET.SubElement(node, _q("inputExpression"), typed)
        ET.SubElement(expression, _q("text")).text = clause.expression
        if clause.allowed_values:
            values = ET.SubElement(node, _q("inputValues"))
            ET.SubElement(values, _q("text")).text = clause.allowed_values
    for out in table.outputs:
        attrs = {"name": out.name, **({"typeRef": out.type_ref} if out.type_ref else {})}
        node = ET.SubElement(element, _q("output"), attrs)
        if out.allowed_values:
            values = ET.SubElement(node, _q("outputValues"))
            ET.SubElement(values, _q("text")).text = out.allowed_values


def _write_rule(element: ET.Element, rule: Rule, rule_id: str) -> None:
    node = ET.SubElement(element, _q("rule"), {"id": rule.id or rule_id})
    if rule.annotation:
        ET.SubElement(node, _q("description")).text = rule.annotation
    for cell in rule.inputs:
        ET.SubElement(ET.SubElement(node, _q("inputEntry")), _q("text")).text = cell
    for cell in rule.outputs:
        ET.SubElement(ET.SubElement(node, _q("outputEntry")), _q("text")).text = cell


def _q(tag: str) -> str:
    return f"{{{DMN13}}}{tag}"


def _xml_id(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "_-." else "_" for ch in name)
    return cleaned if cleaned[:1].isalpha() or cleaned[:1] == "_" else f"_{cleaned}"


__all__ = [
    "DMN13",
    "DecisionModel",
    "LiteralDecision",
    "child",
    "children",
    "local_name",
    "read_dmn",
    "write_dmn",
]
