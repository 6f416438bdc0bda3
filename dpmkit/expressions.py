"""A whitelisted parser for the kit's XMILE-compatible equation language.

Equations are text written by learners and read from files. They are turned into a
small syntax tree by a hand-written tokenizer and recursive-descent parser that knows
only the constructs listed below. User text never reaches ``eval``, ``exec`` or
``compile``; anything outside the language is a :class:`~dpmkit.ModelError` that
names the variable and the character position.

The language
------------
- numbers: ``3``, ``0.25``, ``.5``, ``1e-3``
- names of variables (letters, digits and ``_``), ``TIME``, ``DT``, ``STARTTIME``,
  ``STOPTIME``, ``PI``
- arithmetic ``+ - * /``, power ``^``, remainder ``MOD``
- comparisons ``= <> < <= > >=`` (``==`` and ``!=`` are accepted too)
- logic ``AND OR NOT`` and ``IF condition THEN value ELSE value``
- operator precedence as in XMILE 1.0 (section 3.3.1): ``^``, then the unary ``+ - NOT``,
  then ``* / MOD``, ``+ -``, ``< <= > >=``, ``= <>``, ``AND``, ``OR``. ``NOT`` binds
  tighter than a comparison: write ``NOT (a = b)``, since ``NOT a = b`` is ``(NOT a) = b``
- the functions in :data:`FUNCTIONS` (from the one table :data:`dpmkit.builtins.BUILTINS`),
  and lookups (graphical functions) called by name
"""

from __future__ import annotations

from dataclasses import dataclass

from .builtins import BUILTINS as _BUILTINS
from .builtins import FUNCTIONS as _FUNCTIONS
from .builtins import SIGNATURES as _SIGNATURES
from .errors import ModelError, shown

__all__ = [
    "FUNCTIONS",
    "RESERVED",
    "Num",
    "Name",
    "Call",
    "BinOp",
    "UnaryOp",
    "If",
    "parse",
    "names_in",
    "unparse",
]

#: Longest equation accepted, in characters.
MAX_LENGTH = 4000
#: Deepest nesting of parentheses, operators and function calls accepted.
MAX_DEPTH = 48
#: Deepest syntax tree accepted. A long chain such as ``a + b + c + ...`` is a deep tree
#: even without parentheses; the limit keeps compiled code within Python's own nesting limit.
MAX_TREE_DEPTH = 60

#: Built-in functions: name -> (fewest arguments, most arguments); from the one table
#: of builtins, :data:`dpmkit.builtins.BUILTINS`.
FUNCTIONS = _FUNCTIONS

#: What each function's arguments are, for error messages.
SIGNATURES = _SIGNATURES


def _usage(name):
    """How to call a builtin, and what it does (from the table), for error messages."""
    b = _BUILTINS.get(name)
    return f"{b.signature}: {b.description[0].lower()}{b.description[1:]}" if b else f"{name}(x)"


#: Names with a fixed meaning in equations.
CONSTANTS = ("TIME", "DT", "STARTTIME", "STOPTIME", "PI")
KEYWORDS = ("IF", "THEN", "ELSE", "AND", "OR", "NOT", "MOD")
#: Words that cannot be used as variable names (compared case-insensitively).
RESERVED = frozenset(FUNCTIONS) | frozenset(CONSTANTS) | frozenset(KEYWORDS)


@dataclass(frozen=True)
class Num:
    value: float
    pos: int = 0


@dataclass(frozen=True)
class Name:
    id: str
    pos: int = 0


@dataclass(frozen=True)
class Call:
    func: str  # upper-case builtin name, or a lookup's name as written
    args: tuple
    pos: int = 0
    builtin: bool = True


@dataclass(frozen=True)
class BinOp:
    op: str  # one of + - * / ^ MOD = <> < <= > >= AND OR
    left: object
    right: object
    pos: int = 0


@dataclass(frozen=True)
class UnaryOp:
    op: str  # "-" or "NOT"
    operand: object
    pos: int = 0


@dataclass(frozen=True)
class If:
    cond: object
    then: object
    orelse: object
    pos: int = 0


# ---------------------------------------------------------------- tokenizer

_OPERATOR_CHARS = {
    "+": "+", "-": "-", "*": "*", "/": "/", "^": "^", "(": "(", ")": ")", ",": ",",
}
_TWO_CHAR = {"<=": "<=", ">=": ">=", "<>": "<>", "==": "=", "!=": "<>"}
_ONE_CHAR_CMP = {"<": "<", ">": ">", "=": "="}

_EXPLAIN_CHAR = {
    ".": "attribute access ('.') is not part of the equation language",
    "[": "square brackets (arrays or subscripts) are not supported",
    "]": "square brackets (arrays or subscripts) are not supported",
    "{": "curly brackets are not part of the equation language",
    "}": "curly brackets are not part of the equation language",
    '"': "text in quotes is not allowed: names use letters, digits and underscores, e.g. staff_morale",
    "'": "text in quotes is not allowed: names use letters, digits and underscores, e.g. staff_morale",
    ":": "':' is not part of the equation language (lambdas and slices are not allowed)",
    ";": "';' is not allowed: one equation per variable",
    "=": "'=' compares values; an equation is only the right-hand side",
    "@": "'@' is not part of the equation language",
    "\\": "'\\' is not part of the equation language",
    "!": "'!' is not part of the equation language; use NOT",
    "&": "'&' is not part of the equation language; use AND",
    "|": "'|' is not part of the equation language; use OR",
    "%": "'%' is not part of the equation language; write 0.25 rather than 25%, or use MOD",
    "#": "'#' is not part of the equation language",
    "$": "'$' is not part of the equation language",
    "`": "'`' is not part of the equation language",
    "~": "'~' is not part of the equation language",
}


def _is_name_start(ch):
    return ch.isascii() and (ch.isalpha() or ch == "_")


def _is_name_char(ch):
    return ch.isascii() and (ch.isalnum() or ch == "_")


def _tokenize(text, where):
    """Split ``text`` into (kind, value, pos) tokens; kinds: num, name, op, end."""
    tokens = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        # ASCII digits only: '.' before another script's digit ('.\u0661') is not a number
        after = text[i + 1:i + 2]
        if (ch.isascii() and ch.isdigit()) or (ch == "." and after.isascii() and after.isdigit()):
            j = i
            while j < n and text[j].isascii() and text[j].isdigit():
                j += 1
            if j < n and text[j] == ".":
                j += 1
                while j < n and text[j].isascii() and text[j].isdigit():
                    j += 1
            if j < n and text[j] in "eE":
                k = j + 1
                if k < n and text[k] in "+-":
                    k += 1
                if k < n and text[k].isascii() and text[k].isdigit():
                    while k < n and text[k].isascii() and text[k].isdigit():
                        k += 1
                    j = k
            literal = text[i:j]
            if j < n and (_is_name_char(text[j]) or text[j] == "."):
                raise _error(where, text, j, f"unexpected {text[j]!r} right after the number {literal!r}")
            value = float(literal)
            if value == float("inf"):
                raise _error(where, text, i, f"the number {literal!r} is too large")
            tokens.append(("num", value, i))
            i = j
            continue
        if _is_name_start(ch):
            j = i
            while j < n and _is_name_char(text[j]):
                j += 1
            word = text[i:j]
            if j < n and text[j] == ".":
                raise _error(where, text, j, _EXPLAIN_CHAR["."])
            upper = word.upper()
            if upper in KEYWORDS:
                tokens.append(("op", upper, i))
            else:
                tokens.append(("name", word, i))
            i = j
            continue
        two = text[i:i + 2]
        if two in _TWO_CHAR:
            tokens.append(("op", _TWO_CHAR[two], i))
            i += 2
            continue
        if ch in _ONE_CHAR_CMP:
            tokens.append(("op", _ONE_CHAR_CMP[ch], i))
            i += 1
            continue
        if ch in _OPERATOR_CHARS:
            if ch == "*" and text[i + 1:i + 2] == "*":
                raise _error(where, text, i, "use '^' for powers, not '**'")
            tokens.append(("op", ch, i))
            i += 1
            continue
        if ch in _EXPLAIN_CHAR:
            raise _error(where, text, i, _EXPLAIN_CHAR[ch])
        raise _error(where, text, i, f"unexpected character {ch!r}")
    tokens.append(("end", None, n))
    return tokens


def _error(where, text, pos, message):
    """A ModelError naming the variable and pointing at ``pos`` in the equation."""
    shown = text if len(text) <= 120 else text[:117] + "..."
    pointer = ""
    if pos is not None and pos <= len(shown):
        pointer = "\n    " + shown + "\n    " + " " * pos + "^"
    prefix = f"in the equation of {where!r}" if where else "in the equation"
    return ModelError(
        f"{prefix}, at position {pos}: {message}{pointer}", variable=where, position=pos
    )


# ------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text, where):
        self.text = text
        self.where = where
        self.tokens = self.tokenize(text)
        self.i = 0
        self.depth = 0

    def tokenize(self, text):
        return _tokenize(text, self.where)

    def peek(self):
        return self.tokens[self.i]

    def take(self):
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def error(self, pos, message):
        return _error(self.where, self.text, pos, message)

    def expect(self, value, context):
        kind, val, pos = self.take()
        if kind != "op" or val != value:
            found = "the end of the equation" if kind == "end" else repr(self._shown(kind, val))
            raise self.error(pos, f"expected {value!r} {context}, found {found}")

    def _shown(self, kind, val):
        if kind == "num":
            return _format_number(val)
        return val

    def enter(self, pos):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(pos, f"the equation is nested too deeply (more than {MAX_DEPTH} levels)")

    def parse(self):
        if self.peek()[0] == "end":
            raise self.error(0, "the equation is empty")
        node = self.expression()
        kind, val, pos = self.peek()
        if kind != "end":
            shown = self._shown(kind, val)
            hint = ""
            if kind in ("name", "num", "op") and val == "(":
                hint = " (a missing operator?)"
            elif kind in ("name", "num"):
                hint = " (a missing operator between two values?)"
            elif val == ")":
                hint = " (an unmatched closing parenthesis)"
            raise self.error(pos, f"unexpected {shown!r}{hint}")
        return node

    # Operator precedence is XMILE 1.0's (OASIS XMILE v1.0, section 3.3.1, "Operator
    # precedence"), from the loosest: OR; AND; = <>; < <= > >=; + -; * / MOD; the unary
    # operators + - NOT; ^ (right-associative); parentheses. So NOT binds tighter than
    # any comparison: "NOT a = b" is "(NOT a) = b", as in Stella and in XMILE files;
    # write "NOT (a = b)" for the other. IF ... THEN ... ELSE extends as far right as it
    # can. dk.xmile.read parses with this same parser (see dpmkit.xmile._XmileParser).
    # One restriction on XMILE: a comparison cannot be chained with one of its own level
    # ("0 < x < 1" is almost always a mistake); "a < b = c" is "(a < b) = c".

    def expression(self):
        return self.or_expr()

    def or_expr(self):
        node = self.and_expr()
        while self.peek()[:2] == ("op", "OR"):
            pos = self.take()[2]
            node = BinOp("OR", node, self.and_expr(), pos)
        return node

    def and_expr(self):
        node = self.equality()
        while self.peek()[:2] == ("op", "AND"):
            pos = self.take()[2]
            node = BinOp("AND", node, self.equality(), pos)
        return node

    def equality(self):
        return self.comparison(self.relational, ("=", "<>"))

    def relational(self):
        return self.comparison(self.additive, ("<", "<=", ">", ">="))

    def comparison(self, operand, ops):
        node = operand()
        kind, val, pos = self.peek()
        if kind == "op" and val in ops:
            self.take()
            node = BinOp(val, node, operand(), pos)
            kind2, val2, pos2 = self.peek()
            if kind2 == "op" and val2 in ops:
                raise self.error(pos2, "comparisons cannot be chained; combine them with AND")
        return node

    def additive(self):
        node = self.multiplicative()
        while True:
            kind, val, pos = self.peek()
            if kind == "op" and val in ("+", "-"):
                self.take()
                node = BinOp(val, node, self.multiplicative(), pos)
            else:
                return node

    def multiplicative(self):
        node = self.unary()
        while True:
            kind, val, pos = self.peek()
            if kind == "op" and val in ("*", "/", "MOD"):
                self.take()
                node = BinOp(val, node, self.unary(), pos)
            else:
                return node

    def unary(self):
        kind, val, pos = self.peek()
        if kind == "op" and val in ("-", "+", "NOT"):
            self.take()
            self.enter(pos)
            operand = self.unary()
            self.depth -= 1
            if val == "+":
                return operand
            if val == "NOT":
                return UnaryOp("NOT", operand, pos)
            if isinstance(operand, Num):
                return Num(-operand.value, pos)
            return UnaryOp("-", operand, pos)
        return self.power()

    def power(self):
        base = self.atom()
        kind, val, pos = self.peek()
        if kind == "op" and val == "^":
            self.take()
            self.enter(pos)
            exponent = self.unary()  # right-associative; allows 2^-1
            self.depth -= 1
            if isinstance(exponent, Num) and abs(exponent.value) > 1000:
                raise self.error(pos, f"the exponent {_format_number(exponent.value)} is too large")
            return BinOp("^", base, exponent, pos)
        return base

    def atom(self):
        kind, val, pos = self.take()
        if kind == "num":
            return Num(val, pos)
        if kind == "name":
            if self.peek()[:2] == ("op", "("):
                return self.call(val, pos)
            return self.name_node(val, pos)
        if kind == "op" and val == "(":
            self.enter(pos)
            node = self.expression()
            self.depth -= 1
            self.expect(")", f"to close the parenthesis opened at position {pos}")
            return node
        if kind == "op" and val == "IF":
            self.enter(pos)
            cond = self.expression()
            self.expect("THEN", "after the IF condition")
            then = self.expression()
            self.expect("ELSE", "after IF ... THEN ... (every IF needs an ELSE)")
            orelse = self.expression()
            self.depth -= 1
            return If(cond, then, orelse, pos)
        if kind == "end":
            raise self.error(pos, "the equation ends too early (a value is missing)")
        if kind == "op" and val in ("THEN", "ELSE"):
            raise self.error(pos, f"{val} without a matching IF")
        raise self.error(pos, f"expected a number, a name or '(' but found {self._shown(kind, val)!r}")

    def name_node(self, word, pos):
        """The node for a name that is not called (overridden by the XMILE reader)."""
        upper = word.upper()
        if upper in FUNCTIONS:
            raise self.error(pos, f"{upper} is a function: write {_usage(upper)}")
        if upper in CONSTANTS:
            return Name(upper, pos)
        if "__" in word or word.startswith("_"):
            raise self.error(pos, f"names may not start with '_' or contain '__' ({word!r})")
        return Name(word, pos)

    def call(self, word, pos):
        self.expect("(", "")
        self.enter(pos)
        args = []
        if self.peek()[:2] != ("op", ")"):
            while True:
                args.append(self.expression())
                if self.peek()[:2] == ("op", ","):
                    self.take()
                    continue
                break
        self.expect(")", f"to close the call of {word}")
        self.depth -= 1
        return self.call_node(word, pos, args)

    def call_node(self, word, pos, args):
        """The node for a call (overridden by the XMILE reader)."""
        upper = word.upper()
        if upper in FUNCTIONS:
            lo, hi = FUNCTIONS[upper]
            if not lo <= len(args) <= hi:
                want = f"{lo}" if lo == hi else f"{lo} to {hi}"
                raise self.error(
                    pos,
                    f"{upper} takes {want} argument{'s' if hi != 1 else ''} but was given {len(args)}"
                    f"; write {_usage(upper)}",
                )
            if upper == "LOOKUP" and not isinstance(args[0], Name):
                raise self.error(pos, "the first argument of LOOKUP must be the name of a lookup")
            return Call(upper, tuple(args), pos, True)
        if upper in CONSTANTS or upper in KEYWORDS:
            raise self.error(pos, f"{upper} is not a function")
        if "__" in word or word.startswith("_"):
            raise self.error(pos, f"names may not start with '_' or contain '__' ({word!r})")
        if len(args) != 1:
            raise self.error(pos, f"{word}(...) is read as a lookup, which takes exactly one input, "
                                  f"but was given {len(args)}")
        return Call(word, tuple(args), pos, False)


def parse(text, where=None):
    """Parse one equation into a syntax tree.

    Parameters
    ----------
    text : str or float
        The equation, e.g. ``"referrals * (1 - success_rate)"``. A number is accepted.
    where : str, optional
        Name of the variable the equation belongs to, used in error messages.

    Returns
    -------
    Num, Name, Call, BinOp, UnaryOp or If

    Raises
    ------
    ModelError
        If the text is not a valid equation; the message names ``where`` and the
        character position.
    """
    if isinstance(text, bool):
        raise ModelError(f"the equation of {where!r} is True/False; write 1 or 0", variable=where)
    if isinstance(text, (int, float)):
        try:
            value = float(text)
        except OverflowError:  # a whole number too large for a float
            value = float("inf")
        if value != value or value in (float("inf"), float("-inf")):
            raise ModelError(f"the equation of {where!r} is {shown(text)}; it must be a finite number", variable=where)
        return Num(value, 0)
    if not isinstance(text, str):
        raise ModelError(
            f"the equation of {where!r} must be text or a number, not {type(text).__name__}", variable=where
        )
    if len(text) > MAX_LENGTH:
        raise ModelError(
            f"the equation of {where!r} is {len(text)} characters long; the limit is {MAX_LENGTH}. "
            "Split it into several auxiliaries.",
            variable=where,
        )
    tree = _Parser(text, where).parse()
    depth = _tree_depth(tree)
    if depth > MAX_TREE_DEPTH:
        raise ModelError(
            f"the equation of {where!r} is a chain of {depth} operations, more than the {MAX_TREE_DEPTH} "
            "allowed; split it into several auxiliaries (for example sum the terms in groups)",
            variable=where,
        )
    return tree


def _tree_depth(node):
    """Depth of a syntax tree, computed without recursion."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        n, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(n, Call):
            stack.extend((a, d + 1) for a in n.args)
        elif isinstance(n, BinOp):
            stack.append((n.left, d + 1))
            stack.append((n.right, d + 1))
        elif isinstance(n, UnaryOp):
            stack.append((n.operand, d + 1))
        elif isinstance(n, If):
            stack.extend(((n.cond, d + 1), (n.then, d + 1), (n.orelse, d + 1)))
    return deepest


def names_in(node, opaque=()):
    """The set of variable names an expression refers to (lookups included).

    ``opaque``: builtins whose arguments are not looked into (for example the stateful ones,
    whose value in a step comes from their own stock, not from their arguments in that step).
    """
    found = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Name):
            if n.id not in CONSTANTS:
                found.add(n.id)
        elif isinstance(n, Call):
            if not n.builtin:
                found.add(n.func)
            elif n.func in opaque:
                continue
            stack.extend(n.args)
        elif isinstance(n, BinOp):
            stack.append(n.left)
            stack.append(n.right)
        elif isinstance(n, UnaryOp):
            stack.append(n.operand)
        elif isinstance(n, If):
            stack.extend((n.cond, n.then, n.orelse))
    return found


def walk(node):
    """Yield every node of an expression tree, parents before children."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, Call):
            stack.extend(reversed(n.args))
        elif isinstance(n, BinOp):
            stack.extend((n.right, n.left))
        elif isinstance(n, UnaryOp):
            stack.append(n.operand)
        elif isinstance(n, If):
            stack.extend((n.orelse, n.then, n.cond))


# Writing back: XMILE's precedence (see _Parser). A comparison inside a comparison is
# always put in parentheses, since the parser refuses chained comparisons.
_PRECEDENCE = {"OR": 1, "AND": 2, "=": 4, "<>": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
               "+": 5, "-": 5, "*": 6, "/": 6, "MOD": 6, "neg": 7, "NOT": 7, "^": 8}


def _format_number(value):
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def unparse(node, rename=None):
    """Write a syntax tree back as equation text.

    Parameters
    ----------
    node : syntax tree from :func:`parse`
    rename : callable, optional
        Maps each variable name to the text to write for it (used by the XMILE writer).
    """
    rename = rename or (lambda s: s)

    def go(n, parent):
        if isinstance(n, Num):
            text = _format_number(n.value)
            return f"({text})" if n.value < 0 and parent >= _PRECEDENCE["neg"] else text
        if isinstance(n, Name):
            return n.id if n.id in CONSTANTS else rename(n.id)
        if isinstance(n, Call):
            args = ", ".join(go(a, 0) for a in n.args)
            name = n.func if n.builtin else rename(n.func)
            if n.func == "LOOKUP" and n.builtin:
                args = ", ".join([rename(n.args[0].id)] + [go(a, 0) for a in n.args[1:]])
            return f"{name}({args})"
        if isinstance(n, UnaryOp):
            if n.op == "NOT":
                text = "NOT " + go(n.operand, _PRECEDENCE["NOT"])
                prec = _PRECEDENCE["NOT"]
            else:
                text = "-" + go(n.operand, _PRECEDENCE["neg"])
                prec = _PRECEDENCE["neg"]
            return f"({text})" if prec < parent else text
        if isinstance(n, BinOp):
            prec = _PRECEDENCE[n.op]
            if n.op == "^":  # right-associative
                left, right = go(n.left, prec + 1), go(n.right, prec)
            elif n.op in ("=", "<>", "<", "<=", ">", ">="):
                left, right = go(n.left, prec + 1), go(n.right, prec + 1)
            else:
                left, right = go(n.left, prec), go(n.right, prec + 1)
            text = f"{left} {n.op} {right}"
            return f"({text})" if prec < parent else text
        if isinstance(n, If):
            text = f"IF {go(n.cond, 0)} THEN {go(n.then, 0)} ELSE {go(n.orelse, 0)}"
            return f"({text})" if parent > 0 else text
        raise TypeError(f"not an expression node: {n!r}")

    return go(node, 0)


def suggest(name, candidates):
    """A 'did you mean ...?' hint for a misspelt name, or an empty string."""
    from difflib import get_close_matches

    lowered = {c.lower(): c for c in candidates}
    if name.lower() in lowered:
        return f"; did you mean {lowered[name.lower()]!r}? (names are case-sensitive)"
    close = get_close_matches(name, list(candidates), n=3, cutoff=0.7)
    if close:
        return "; did you mean " + " or ".join(repr(c) for c in close) + "?"
    return ""
