"""FEEL, the expression language of DMN, as far as decision tables need it: unary tests for input
cells (comparisons, intervals, lists, `not(...)`, `-`) and simple expressions for input and output
cells (literals, names, arithmetic, comparisons, `and`/`or`, `date(...)`).

Cells are parsed once with a Lark grammar and compiled into Python closures; evaluating a table
then calls those closures and never parses again. FEEL's rules are kept where they matter to
rules as data: numbers are exact decimals, `null` spreads through arithmetic, comparing values of
different types gives `null` (which matches nothing), and `true` never equals `1`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from lark import Lark, Token, Transformer, Tree, UnexpectedInput, v_args
from lark.exceptions import VisitError

from ordoflow.governance.feel_values import (
    ADD,
    DIVIDE,
    EXPONENT,
    FEEL_NUMBERS,
    FUNCTIONS,
    MULTIPLY,
    ORDERINGS,
    SUBTRACT,
    all_true,
    any_true,
    feel_equal,
    feel_value,
    order,
    plain_value,
)

Context = Mapping[str, Any]
Expr = Callable[[Context], Any]
Test = Callable[[Any, Context], bool | None]

_GRAMMAR = r"""
unary_tests: "-"                               -> any_value
           | "not" "(" positive_tests ")"      -> negated
           | positive_tests

positive_tests: positive_test ("," positive_test)*

?positive_test: CMP expr                       -> compare_input
              | "[" expr ".." expr "]"         -> interval_cc
              | "[" expr ".." expr (")" | "[") -> interval_co
              | ("(" | "]") expr ".." expr "]" -> interval_oc
              | ("(" | "]") expr ".." expr (")" | "[") -> interval_oo
              | expr                           -> equals

?expression: expr

values: expr ("," expr)*

?expr: disjunction
?disjunction: conjunction ("or" conjunction)*  -> or_all
?conjunction: relation ("and" relation)*       -> and_all
?relation: sum
         | sum CMP sum                         -> relate
         | sum "=" sum                         -> equal
         | sum "!=" sum                        -> not_equal
?sum: product
    | sum "+" product                          -> add
    | sum "-" product                          -> subtract
?product: power
        | product "*" power                    -> multiply
        | product "/" power                    -> divide
?power: negation
      | power "**" negation                    -> exponent
?negation: primary
         | "-" negation                        -> negate
?primary: NUMBER                               -> number
        | STRING                               -> string
        | "true"                               -> true
        | "false"                              -> false
        | "null"                               -> null
        | name ("." name)*                     -> path
        | NAME "(" [expr ("," expr)*] ")"      -> call
        | "not" "(" expr ")"                   -> not_
        | "(" expr ")"

name: NAME+

CMP: "<=" | ">=" | "<" | ">"
NUMBER: /(\d+(\.\d+)?|\.\d+)/
STRING: /"(\\.|[^"\\])*"/
NAME: /(?!(and|or|not|true|false|null)\b)[A-Za-z_?][A-Za-z0-9_?]*/

%import common.WS
%ignore WS
"""

_PARSER = Lark(_GRAMMAR, start=["unary_tests", "expression", "values"], parser="lalr")


class FeelError(ValueError):
    """A cell that does not parse, or uses what this engine does not support; says where."""


def parse_expression(text: str) -> Expr:
    """Compile a FEEL expression (an input expression or an output cell)."""
    return _compile(text, "expression")  # type: ignore[no-any-return]


def parse_unary_tests(text: str) -> Test:
    """Compile the unary tests of an input cell into `test(value, context) -> True/False/None`."""
    return _compile(text, "unary_tests")  # type: ignore[no-any-return]


def parse_cell_tree(text: str) -> Tree[Token] | None:
    """The parse tree of an input cell (None if it does not parse), for analyses that read
    cells rather than run them."""
    try:
        return _PARSER.parse(text, start="unary_tests")
    except UnexpectedInput:
        return None


def compile_tree(tree: Tree[Token]) -> Any:
    """Compile a subtree of a cell's parse tree (an expression into its closure)."""
    return _Compiler().transform(tree)


def parse_values(text: str) -> list[Any]:
    """A list of constants, as in `"Approved", "Declined"` (allowed or priority values)."""
    exprs = _compile(text, "values")
    if not all(_is_constant(e) for e in exprs):
        raise FeelError(f"{text!r}: only constants may be listed here")
    return [e({}) for e in exprs]


def _compile(text: str, start: str) -> Any:
    try:
        tree = _PARSER.parse(text, start=start)
    except UnexpectedInput as exc:
        column = getattr(exc, "column", "?")
        raise FeelError(f"cannot read {text!r} at column {column}") from None
    try:
        return _Compiler().transform(tree)
    except VisitError as exc:
        raise FeelError(f"{text!r}: {exc.orig_exc}") from None


def _constant(value: Any) -> Expr:
    def expr(_: Context) -> Any:
        return value

    expr.constant = value  # type: ignore[attr-defined]
    return expr


def _is_constant(expr: Expr) -> bool:
    return hasattr(expr, "constant")


def _binary(combine: Callable[[Any, Any], Any], left: Expr, right: Expr) -> Expr:
    if _is_constant(left) and _is_constant(right):
        return _constant(combine(left({}), right({})))
    return lambda ctx: combine(left(ctx), right(ctx))


@v_args(inline=True)
class _Compiler(Transformer[Token, Any]):
    """Turns the parse tree into closures, folding constant sub-expressions at compile time."""

    # literals and names
    def number(self, token: Token) -> Expr:
        return _constant(Decimal(str(token)))

    def string(self, token: Token) -> Expr:
        raw = str(token)[1:-1]
        return _constant(raw.replace('\\"', '"').replace("\\\\", "\\"))

    def true(self) -> Expr:
        return _constant(True)

    def false(self) -> Expr:
        return _constant(False)

    def null(self) -> Expr:
        return _constant(None)

    def name(self, *words: Token) -> str:
        """FEEL names may hold spaces (`Monthly Salary`): the words, joined by one space."""
        return " ".join(str(w) for w in words)

    def path(self, *names: str) -> Expr:
        first, rest = names[0], names[1:]

        def lookup(ctx: Context) -> Any:
            value = ctx.get(first)
            for key in rest:
                value = value.get(key) if isinstance(value, Mapping) else None
            return feel_value(value)

        if not rest:
            lookup.name = first  # type: ignore[attr-defined]
        return lookup

    def call(self, name: Token, *args: Expr | None) -> Expr:
        function = FUNCTIONS.get(str(name))
        if function is None:
            raise FeelError(f"unknown function {name}()")
        params = [a for a in args if a is not None]
        if all(_is_constant(a) for a in params):
            return _constant(function(*(a({}) for a in params)))
        return lambda ctx: function(*(a(ctx) for a in params))

    def not_(self, operand: Expr) -> Expr:
        def negate(value: Any) -> bool | None:
            return (not value) if isinstance(value, bool) else None

        def expr(ctx: Context) -> Any:
            return negate(operand(ctx))

        # As a whole input cell, `not(x)` reads the same as the unary test `not(x)`: `equals`
        # turns it back into that negation.
        expr.negates = operand  # type: ignore[attr-defined]
        return expr

    # arithmetic and logic
    def add(self, a: Expr, b: Expr) -> Expr:
        return _binary(ADD, a, b)

    def subtract(self, a: Expr, b: Expr) -> Expr:
        return _binary(SUBTRACT, a, b)

    def multiply(self, a: Expr, b: Expr) -> Expr:
        return _binary(MULTIPLY, a, b)

    def divide(self, a: Expr, b: Expr) -> Expr:
        return _binary(DIVIDE, a, b)

    def exponent(self, a: Expr, b: Expr) -> Expr:
        return _binary(EXPONENT, a, b)

    def negate(self, a: Expr) -> Expr:
        return _binary(SUBTRACT, _constant(Decimal(0)), a)

    def relate(self, a: Expr, op: Token, b: Expr) -> Expr:
        return _binary(lambda x, y: order(str(op), x, y), a, b)

    def equal(self, a: Expr, b: Expr) -> Expr:
        return _binary(feel_equal, a, b)

    def not_equal(self, a: Expr, b: Expr) -> Expr:
        def differ(x: Any, y: Any) -> bool | None:
            same = feel_equal(x, y)
            return None if same is None else not same

        return _binary(differ, a, b)

    def and_all(self, *parts: Expr) -> Expr:
        if len(parts) == 1:
            return parts[0]
        return lambda ctx: all_true([p(ctx) for p in parts])

    def or_all(self, *parts: Expr) -> Expr:
        if len(parts) == 1:
            return parts[0]
        return lambda ctx: any_true([p(ctx) for p in parts])

    def values(self, *exprs: Expr) -> list[Expr]:
        return list(exprs)

    # unary tests
    def any_value(self) -> Test:
        return lambda value, ctx: True

    def unary_tests(self, tests: list[Test]) -> Test:
        return self._any_of(tests)

    def positive_tests(self, *tests: Test) -> list[Test]:
        return list(tests)

    def negated(self, tests: list[Test]) -> Test:
        inner = self._any_of(tests)

        def test(value: Any, ctx: Context) -> bool | None:
            found = inner(value, ctx)
            return None if found is None else not found

        return test

    def compare_input(self, op: Token, bound: Expr) -> Test:
        compare = ORDERINGS[str(op)]
        if _is_constant(bound):
            limit = bound({})
            if isinstance(limit, Decimal):  # the common case, kept lean
                return lambda value, ctx: (
                    compare(value, limit) if value.__class__ is Decimal else None
                )
        return lambda value, ctx: order(str(op), value, bound(ctx))

    def interval_cc(self, low: Expr, high: Expr) -> Test:
        return self._interval(low, high, low_in=True, high_in=True)

    def interval_co(self, low: Expr, high: Expr) -> Test:
        return self._interval(low, high, low_in=True, high_in=False)

    def interval_oc(self, low: Expr, high: Expr) -> Test:
        return self._interval(low, high, low_in=False, high_in=True)

    def interval_oo(self, low: Expr, high: Expr) -> Test:
        return self._interval(low, high, low_in=False, high_in=False)

    @staticmethod
    def _interval(low: Expr, high: Expr, *, low_in: bool, high_in: bool) -> Test:

        def test(value: Any, ctx: Context) -> bool | None:
            above = order(">=" if low_in else ">", value, low(ctx))
            below = order("<=" if high_in else "<", value, high(ctx))
            if above is None or below is None:
                return None
            return above and below

        return test

    def equals(self, expected: Expr) -> Test:
        if hasattr(expected, "negates"):
            return self.negated([self.equals(expected.negates)])
        if _is_constant(expected):
            constant = expected({})
            # `null = x` is false, a value of another type gives null: `not(...)` relies on it.
            if isinstance(constant, bool):
                return lambda value, ctx: (
                    value is constant if value is None or value.__class__ is bool else None
                )
            if isinstance(constant, str):
                return lambda value, ctx: (
                    value == constant
                    if value.__class__ is str
                    else (False if value is None else None)
                )
        return lambda value, ctx: feel_equal(value, expected(ctx))

    @staticmethod
    def _any_of(tests: list[Test]) -> Test:
        if len(tests) == 1:
            return tests[0]

        def test(value: Any, ctx: Context) -> bool | None:
            seen_null = False
            for single in tests:
                found = single(value, ctx)
                if found:
                    return True
                seen_null = seen_null or found is None
            return None if seen_null else False

        return test


__all__ = [
    "FEEL_NUMBERS",
    "Context",
    "Expr",
    "FeelError",
    "Test",
    "compile_tree",
    "feel_equal",
    "feel_value",
    "parse_cell_tree",
    "parse_expression",
    "parse_unary_tests",
    "parse_values",
    "plain_value",
]
