"""Read and write XMILE, the OASIS standard file format for system-dynamics models.

XMILE is what Stella and iThink save (``.stmx``, ``.xmile``) and what PySD, Simlin
and others read. :func:`read` turns a file into a :class:`~dpmkit.Model`, so a
model from a paper or a colleague can be run, swept and calibrated in the
notebooks; :func:`write` (or :func:`dumps`) saves any kit model so it can be opened
in Stella or run with PySD.

>>> import dpmkit as dk
>>> text = dk.xmile.dumps(dk.models.load("demo"))
>>> model = dk.xmile.read(text)
>>> model["waiting_list"].label
'Waiting list'

What is read
------------
- stocks (initial value, inflows, outflows, ``<non_negative/>``), flows
  (``<non_negative/>``), auxiliaries, graphical functions (standalone ``<gf>`` and
  ``<gf>`` inside an auxiliary or flow; points as ``<xpts>``/``<ypts>`` or as
  ``<xscale>`` plus ``<ypts>``), units, documentation, the global ``<behavior>``
  defaults for non-negative stocks and flows;
- sim specs: start, stop, dt (also ``<dt reciprocal="true">``), method Euler or RK4,
  time units;
- equations in XMILE's syntax and operator precedence, with case-insensitive names,
  quoted names (``"Staff morale (%)"``), ``{comments}``, ``IF ... THEN ... ELSE``,
  ``MOD``, and the builtins the kit's equation language has (``PI()`` and the other
  zero-argument builtins may carry empty parentheses);
- arrays: each element of an arrayed variable becomes a kit variable of its own
  (``Stock A[Entry 1]`` becomes ``stock_a_entry_1``, labelled ``Stock A[Entry 1]``), with
  apply-to-all and per-element equations, subscripts (elements, dimensions, numbers
  from 1, ``*``) and ``SUM``/``MEAN``/``MIN``/``MAX``/``SIZE``/``PROD`` over arrays and
  expressions over arrays;
- modules: each module instance's variables, named ``module.variable``
  (``hares.hares`` becomes ``hares_hares``), with the inputs a ``<connect>`` feeds made equal to
  their sources;
- Stella builtins by translation into kit stocks and flows: the pipeline ``DELAY`` and
  ``PREVIOUS`` (Euler, a delay of whole steps), ``TREND``, ``SMTHN``, one-argument ``RAMP``.

Names
-----
XMILE names may contain spaces, quotes and any characters, and they ignore case
and treat spaces and underscores alike. Each becomes a snake_case identifier
(:func:`identifier`): lower case, runs of other characters replaced by ``_``,
accents dropped, ``v_`` put before a leading digit, ``_var`` after a reserved word
of the equation language (``time`` becomes ``time_var``). When two names give the
same identifier, the first keeps it and the later ones get ``_2``, ``_3``, ... in
the order of the file, never taking an identifier that another name produces
itself, so the mapping is deterministic and collision-free. The original name is
kept in each variable's ``label``, and :func:`write` writes it back.

Parameters and their bounds
---------------------------
An auxiliary whose equation is a plain number becomes a :class:`~dpmkit.Param`, so
it can be overridden, swept and calibrated like any other. XMILE has no bounds, so
they are inferred: from 0 to twice the value for a positive value, from twice the
value to 0 for a negative one, and from -1 to 1 for zero (a ``<range min max>``
that contains the value is used instead when the file has one). Each such
parameter's description says its bounds were inferred; widen them with
``model.with_params(..., allow_out_of_bounds=True)`` or ``dataclasses.replace``.

What is refused
---------------
Anything the kit cannot represent is refused with a :class:`~dpmkit.ModelError`
naming the construct and the variable, never dropped silently: dimension mappings,
arrays connected between modules, modules of other files, macros that are used,
conveyors and queues, data import, graphical functions of type ``extrapolate`` or
``discrete``, integration methods other than Euler and RK4, ``DELAY`` with a variable
delay time or RK4, and builtins outside the kit's language (for example ``FORCST``
and the random-number functions). Vendor elements in other XML
namespaces (``isee:...`` preferences and display settings) and the display-only
XMILE elements (``<views>``, ``<style>``, ``<format>``, ``<scale>``, ...) carry no
simulation meaning and are skipped, and so are Stella's ``<ai_information>`` and a
disabled ``<data><export>``, unused macros and models (listed in ``read(..., ignored=[])``).
Non-negative stocks ration their outflows as Stella does (written into each outflow's
equation; a note in ``ignored`` names a stock whose outflows cannot be: an outflow another
stock drains too, or a loop of flows through the rationing). A file that includes
other files (``<header><includes>``) is refused: the kit cannot reproduce them.

Safety
------
Files are parsed with :mod:`defusedxml`: a DOCTYPE (and so every entity
declaration, the vehicle of entity-expansion bombs and external entities) is
refused, nothing is fetched from the disk or the network, input over
:data:`MAX_BYTES` is refused before it is parsed, and a file of more than
:data:`MAX_ELEMENTS` elements as soon as the parser passes that many (it reads a
stream of events, so time and memory stay proportional to what it keeps). Text
that cannot be in an XML file (control characters, lone surrogates) is left out by
:func:`write`, so the kit always reads back what it writes. Equations are parsed by a
whitelisted parser into the kit's syntax trees; no text from a file is ever
evaluated.

Writing
-------
:func:`write` writes standard XMILE 1.0 in the plainest form that Stella and PySD
both accept: ``MIN``/``MAX`` with two arguments (nested), ``LOG10(x)`` as
``LN(x) / LN(10)``, ``ROUND(x)`` as ``INT(x + 0.5)``, ``XIDZ``/``ZIDZ`` as
``SAFEDIV``, ``LOOKUP(table, x)`` as ``table(x)``, comparisons used as numbers as
``IF ... THEN 1 ELSE 0``, and ``DT``/``STARTTIME``/``STOPTIME`` through the
auxiliaries ``TIME STEP``/``INITIAL TIME``/``FINAL TIME`` (which PySD maps to its own
time settings and :func:`read` maps back to the builtins). What XMILE cannot say
(parameter bounds, sources, uncertainty ranges, DPM roles, labels, scenarios) goes
into ``<dpmkit:...>`` elements in the kit's own namespace, which other tools ignore
and :func:`read` restores, so a kit model survives the round trip unchanged.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar
from xml.sax.saxutils import escape, quoteattr

from ._graphs import strongly_connected
from .builtins import BUILTINS, SIGNATURES, STATEFUL, XMILE_NAMES
from .errors import ModelError
from .expressions import (
    CONSTANTS,
    KEYWORDS,
    MAX_LENGTH,
    RESERVED,
    BinOp,
    Call,
    If,
    Name,
    Num,
    UnaryOp,
    _Parser,
    names_in,
    parse,
    suggest,
    unparse,
    walk,
)
from .spec import Aux, Flow, Lookup, Model, Param, Stock

__all__ = ["read", "write", "dumps", "identifier", "MAX_BYTES", "MAX_ELEMENTS", "NAMESPACE"]

#: Largest file or text accepted by :func:`read`, in bytes (checked before parsing).
MAX_BYTES = 5 * 1024 * 1024
#: XML namespace of the kit's own elements in files written by :func:`write`.
NAMESPACE = "urn:dpmkit:xmile:1"

_XMILE_NAMESPACES = frozenset({
    "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0",
    "http://www.systemdynamics.org/XMILE",
})
_STANDARD_NAMESPACE = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"
_MAX_XML_DEPTH = 64

# Top-level elements without simulation meaning.
_IGNORED_TOP = {"header", "style", "model_units", "default_format", "prefs", "options"}
# Display-only children of a variable.
_IGNORED_IN_VARIABLE = {"format", "scale", "event_poster", "mathml", "range"}
_REFUSED = {
    "conveyor": "conveyors are not supported",
    "queue": "queues are not supported",
    "leak": "conveyor leaks are not supported",
    "leak_integers": "conveyor leaks are not supported",
    "overflow": "queue overflows are not supported",
    "multiplier": "flow multipliers (for conveyors and queues) are not supported",
}

# XMILE builtins outside the kit's language, with what they are.
_UNSUPPORTED_BUILTINS = {
    "FORCST": "FORCST",
    "SELF": "SELF",
    "HISTORY": "HISTORY",
    "COUNTER": "COUNTER",
    "INF": "INF (infinity)",
    "RANDOM": "RANDOM (random numbers)",
    "NORMAL": "NORMAL (random numbers)",
    "LOGNORMAL": "LOGNORMAL (random numbers)",
    "POISSON": "POISSON (random numbers)",
    "EXPRND": "EXPRND (random numbers)",
    "UNIFORM": "UNIFORM (random numbers)",
    "BETA": "BETA (random numbers)",
    "BINOMIAL": "BINOMIAL (random numbers)",
    "GAMMA": "GAMMA (random numbers)",
    "TRIANGULAR": "TRIANGULAR (random numbers)",
    "WEIBULL": "WEIBULL (random numbers)",
    "STDDEV": "STDDEV (an array function)",
    "RANK": "RANK (an array function)",
}

# Array functions, each over all the elements its one argument names (``SUM(x[*])``).
_ARRAY_FUNCTIONS = {"SUM", "MEAN", "MIN", "MAX", "SIZE", "PROD"}


def _unsupported(builtin):
    what = _UNSUPPORTED_BUILTINS[builtin]
    return f"the builtin {what}" if "not supported" in what else f"the builtin {what} is not supported"


_ZERO_ARGUMENT = {"PI", "TIME", "DT", "STARTTIME", "STOPTIME"}
# Auxiliaries written for DT/STARTTIME/STOPTIME (PySD turns them into its own time
# settings; Vensim-made XMILE uses the same names), read back as the builtins.
_ALIASES = {"time_step": "DT", "initial_time": "STARTTIME", "final_time": "STOPTIME"}
_ALIAS_NAMES = {"DT": "TIME STEP", "STARTTIME": "INITIAL TIME", "STOPTIME": "FINAL TIME"}
_KIT_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_PLAIN_REF_RE = re.compile(r"[A-Za-z][A-Za-z0-9_ ]*\Z")
_SAFE_LABEL_RE = re.compile(r"[^\s\"\\](?:[^\"\\\n\r\t]*[^\s\"\\])?\Z")
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_LITERAL_RE = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DIGITS = frozenset("0123456789")


# ------------------------------------------------------------------ names


#: Most flows (in and out) of one non-negative stock whose outflows are rationed: every outflow's
#: equation names the inflows and the outflows before it. Real models have a handful.
_RATION_MAX_FLOWS = 64


def _sum(terms):
    """``a + b + ...`` as a balanced tree (a chain of many terms would be too deep an equation)."""
    while len(terms) > 1:
        terms = [BinOp("+", *terms[i:i + 2]) if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
    return terms[0]


def _loops(graph):
    """The groups of names in ``graph`` (name -> names it needs) that need each other in a loop
    (strongly connected parts of more than one name, or a name that needs itself)."""
    succ = {n: [m for m in needs if m in graph] for n, needs in graph.items()}
    return [g for g in strongly_connected(graph, succ) if len(g) > 1 or g[0] in graph[g[0]]]


def _unquote(name):
    """``"a \\"b\\""`` -> ``a "b"``; unquoted names are returned unchanged."""
    name = name.strip()
    if len(name) >= 2 and name[0] == '"' and name[-1] == '"':
        return _unescape(name[1:-1])
    return name


def _unescape(text):
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", '"': '"', "\\": "\\"}.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _key(name):
    """XMILE's notion of a name's identity: case-insensitive, spaces = underscores."""
    text = name.replace("\\n", " ").replace("_", " ")
    return "_".join(text.split()).casefold()


def _dotted(text):
    """``a."b.c".d`` -> ``["a", "b.c", "d"]`` as keys: a qualified name split at the dots outside quotes."""
    parts, current, quoted = [], "", False
    for ch in text.strip():
        if ch == '"':
            quoted = not quoted
        if ch == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [_key(_unquote(p)) if p.strip() else "" for p in parts]


def _display(name):
    """A name as a learner reads it: escapes and underscores shown as spaces."""
    return " ".join(name.replace("\\n", " ").replace("_", " ").split())


def identifier(name):
    """The kit identifier an XMILE name maps to (before collisions are resolved).

    Parameters
    ----------
    name : str
        An XMILE variable name, quoted or not, e.g. ``"Staff Morale"``.

    Returns
    -------
    str
        A snake_case name valid in the kit, e.g. ``"staff_morale"``.

    Examples
    --------
    >>> identifier('Aux with $peC!@| characters')
    'aux_with_pec_characters'
    >>> identifier("Time")
    'time_var'
    """
    key = _key(_unquote(name))
    folded = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode("ascii")
    ident = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_") or "var"
    if ident[0].isdigit():
        ident = "v_" + ident
    if ident.upper() in RESERVED:
        ident += "_var"
    return ident


def _valid_kit_name(name):
    return (
        isinstance(name, str) and bool(_KIT_NAME_RE.match(name)) and "__" not in name
        and name.upper() not in RESERVED
    )


class _Allocator:
    """Hands out identifiers: genuine names first, suffixes never steal one."""

    def __init__(self, bases):
        self.reserved = set(bases)
        self.used = set()
        # base -> the first suffix not yet known to be taken. Names are only ever added, so
        # it never goes down: 9,000 names that share one identifier cost linear time, not
        # quadratic (14 s before).
        self.next = {}

    def take(self, base):
        if base not in self.used:
            self.used.add(base)
            return base
        return self.derived(base)

    def derived(self, base):
        k = self.next.get(base, 2)
        while f"{base}_{k}" in self.used or f"{base}_{k}" in self.reserved:
            k += 1
        self.next[base] = k
        name = f"{base}_{k}" if base in self.used or base in self.reserved else base
        self.used.add(name)
        return name


# ------------------------------------------------------------ XML handling


@dataclass(slots=True)
class _El:
    """An XML element with namespaces resolved by hand (see :func:`_parse_xml`)."""

    tag: str
    ns: object
    attrs: dict
    text: str = ""
    children: list = field(default_factory=list)

    @property
    def is_xmile(self):
        return self.ns is None or self.ns in _XMILE_NAMESPACES

    @property
    def is_dpmkit(self):
        return self.ns == NAMESPACE

    def find(self, tag):
        return [c for c in self.children if c.is_xmile and c.tag == tag]

    def first(self, tag):
        found = self.find(tag)
        return found[0] if found else None

    def dpmkit(self, tag):
        for c in self.children:
            if c.is_dpmkit and c.tag == tag:
                return c
        return None


def _load(source):
    """Return (bytes or str of XML, description of where it came from)."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        if len(data) > MAX_BYTES:
            raise _too_big(len(data), "the XMILE text")
        return data, "the XMILE text"
    if isinstance(source, str) and source.lstrip("\ufeff \t\r\n").startswith("<"):
        if len(source) > MAX_BYTES:
            raise _too_big(len(source), "the XMILE text")
        try:
            size = len(source.encode("utf-8"))
        except UnicodeEncodeError as err:
            raise ModelError(
                f"the XMILE text is not valid Unicode: it has a lone surrogate character "
                f"(U+{ord(source[err.start]):04X}) at position {err.start}, which no XML file can contain"
            ) from None
        if size > MAX_BYTES:
            raise _too_big(size, "the XMILE text")
        # text pasted into a notebook often starts with a line break, which would put
        # the <?xml ...?> declaration out of place
        return source.lstrip("\ufeff \t\r\n"), "the XMILE text"
    if not isinstance(source, (str, os.PathLike)):
        raise ModelError(
            f"read() takes a path or XMILE text, not {type(source).__name__}"
        )
    path = Path(source)
    where = f"the file {str(path)!r}"
    try:
        size = path.stat().st_size
    except OSError as err:
        hint = "" if not isinstance(source, str) else (
            " (the text does not start with '<', so it was taken as a file name)")
        raise ModelError(f"cannot read {where}: {err.strerror or err}{hint}") from None
    except ValueError as err:  # a NUL character, or a lone surrogate the file system cannot encode
        what = "a NUL character" if "\x00" in str(path) else "characters the file system cannot encode"
        raise ModelError(f"cannot read {where}: the path contains {what} ({err})") from None
    if not path.is_file():
        raise ModelError(f"cannot read {where}: it is not a file")
    if size > MAX_BYTES:
        raise _too_big(size, where)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot read {where}: {err.strerror or err}") from None
    if len(data) > MAX_BYTES:  # the file grew after stat()
        raise _too_big(len(data), where)
    return data, where


def _too_big(size, where):
    return ModelError(
        f"{where} is {size:,} bytes; the limit for XMILE input is {MAX_BYTES:,} bytes "
        "(dk.xmile.MAX_BYTES). It was not parsed."
    )


def _parse_xml(data, where):
    """Parse with defusedxml and resolve namespaces into a tree of :class:`_El`.

    The file is read as a stream of SAX events (defusedxml's hardened expat reader), so
    time and memory grow with the file and no faster: elements in vendor namespaces are
    counted but not kept, and a file with more than :data:`MAX_ELEMENTS` elements is
    refused as soon as it passes the limit.

    Namespace processing is done here rather than by expat because files made by
    xmutil and some Stella versions use the ``isee:`` prefix without declaring it,
    which a namespace-aware parser rejects; an undeclared prefix is treated as a
    vendor namespace of its own.
    """
    import io
    import xml.sax

    from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
    from defusedxml.expatreader import DefusedExpatParser

    builder = _TreeBuilder(where)
    reader = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    reader.setContentHandler(builder)
    source = xml.sax.xmlreader.InputSource()
    if isinstance(data, str):
        source.setCharacterStream(io.StringIO(data))
    else:
        source.setByteStream(io.BytesIO(data))
    try:
        reader.parse(source)
    except DTDForbidden:
        raise ModelError(
            f"{where} was refused: it has a DOCTYPE declaration. XMILE does not use DTDs, and a "
            "DTD can declare entities that expand into huge text (an entity-expansion bomb) or "
            "that read other files or URLs (external entities)."
        ) from None
    except EntitiesForbidden as err:
        raise ModelError(
            f"{where} was refused: it declares the entity {err.name!r}; entities can expand into "
            "huge text or read other files, and XMILE does not need them"
        ) from None
    except DefusedXmlException as err:
        raise ModelError(f"{where} was refused by the hardened XML parser: {err}") from None
    except xml.sax.SAXParseException as err:
        raise ModelError(
            f"{where} is not well-formed XML: {err.getMessage()} "
            f"at line {err.getLineNumber()}, column {err.getColumnNumber() + 1}"
        ) from None
    except ModelError:  # raised by _TreeBuilder (too many elements, too deep)
        raise
    except LookupError as err:  # an unknown encoding in the <?xml ... encoding="..."?> declaration
        raise ModelError(
            f"{where} could not be parsed as XML: its XML declaration names an encoding Python does not "
            f"know ({err}); XMILE files are UTF-8"
        ) from None
    except (ValueError, TypeError) as err:
        raise ModelError(f"{where} could not be parsed as XML: {err}") from None
    if builder.root is None:
        raise ModelError(f"{where} is not well-formed XML: no element found")
    return builder.root


#: Most XML elements accepted in one file (vendor elements included). A large real
#: model with its diagrams has tens of thousands.
MAX_ELEMENTS = 200_000


class _TreeBuilder:
    """SAX content handler building the tree of :class:`_El`, namespaces resolved by hand."""

    def __init__(self, where):
        self.where = where
        self.root = None
        self.stack = []  # (element, namespace scope, list of text pieces)
        self.count = 0
        self.skipping = 0  # depth inside an element that is not kept

    # the ContentHandler interface
    def setDocumentLocator(self, locator):
        self.locator = locator

    def startDocument(self):
        pass

    def endDocument(self):
        pass

    def startPrefixMapping(self, prefix, uri):
        pass

    def endPrefixMapping(self, prefix):
        pass

    def ignorableWhitespace(self, whitespace):
        pass

    def processingInstruction(self, target, data):
        pass

    def skippedEntity(self, name):
        pass

    def startElementNS(self, name, qname, attrs):  # pragma: no cover - namespaces are off
        raise AssertionError("namespace processing is done by hand")

    def startElement(self, qname, attributes):
        self.count += 1
        if self.count > MAX_ELEMENTS:
            raise ModelError(
                f"{self.where} has more than {MAX_ELEMENTS:,} XML elements (dk.xmile.MAX_ELEMENTS); a model "
                f"file is far smaller. It was refused at line {self._line()}."
            )
        if self.skipping:
            self.skipping += 1
            return
        if len(self.stack) >= _MAX_XML_DEPTH:
            raise ModelError(f"{self.where} nests elements more than {_MAX_XML_DEPTH} deep; that is not XMILE")
        scope = self.stack[-1][1] if self.stack else {}
        items = attributes.items()
        if any(q == "xmlns" or q.startswith("xmlns:") for q, _ in items):
            scope = dict(scope)
            for q, value in items:
                if q == "xmlns":
                    scope[""] = value
                elif q.startswith("xmlns:"):
                    scope[q[6:]] = value
        attrs = {}
        for q, value in items:
            if q == "xmlns" or q.startswith("xmlns:"):
                continue
            if ":" in q:
                prefix, local = q.split(":", 1)
                attrs[f"{{{scope.get(prefix, 'undeclared:' + prefix)}}}{local}"] = value
            else:
                attrs[q] = value
        if ":" in qname:
            prefix, tag = qname.split(":", 1)
            ns = scope.get(prefix, "undeclared:" + prefix)
        else:
            tag, ns = qname, scope.get("") or None
        el = _El(tag, ns, attrs)
        if self.stack:
            if not (el.is_xmile or el.is_dpmkit):
                self.skipping = 1  # a vendor element: no simulation meaning, not kept
                return
            self.stack[-1][0].children.append(el)
        else:
            self.root = el
        self.stack.append((el, scope, []))

    def endElement(self, qname):
        if self.skipping:
            self.skipping -= 1
            return
        el, _, text = self.stack.pop()
        el.text = "".join(text)

    def characters(self, content):
        if not self.skipping and self.stack:
            self.stack[-1][2].append(content)

    def _line(self):
        locator = getattr(self, "locator", None)
        return locator.getLineNumber() if locator is not None else "?"


# ------------------------------------------------------ equations (XMILE side)

_MAX_TREE_DEPTH = 150  # CPython refuses code nested more than 200 brackets deep
_MAX_ELEMENTS_PER_DIM = 10_000
_MAX_ARRAY_ELEMENTS = 50_000  # kit variables made from the elements of all arrays together
_MAX_ARRAY_REFERENCES = 250_000  # array elements named by all equations together
_MAX_PIPELINE_STEPS = 10_000  # stages of all DELAY (pipeline) and PREVIOUS chains together
_MAX_MODULE_DEPTH = 16
_MAX_MODULE_VARIABLES = 50_000  # variables (and connections) of all module instances together (as arrays)
_MAX_MODULE_INSTANCES = 10_000


@dataclass(frozen=True, eq=False)
class _Slice:
    """Several elements of an array, as one argument of an array function (never in a kit equation)."""

    word: str
    nodes: tuple
    pos: int = 0
    dims: tuple = ()  # the dimensions it runs over
    keys: tuple = ()  # for each node, its elements of those dimensions


def _walk_nodes(n):
    stack = [n]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(_children(n))


def _balanced(op, nodes, pos):
    """a op b op c ... as a balanced tree (shallow, so long sums stay well inside the depth limit)."""
    if len(nodes) == 1:
        return nodes[0]
    half = len(nodes) // 2
    return BinOp(op, _balanced(op, nodes[:half], pos), _balanced(op, nodes[half:], pos), pos)


def _children(n):
    if isinstance(n, Call):
        return n.args
    if isinstance(n, BinOp):
        return (n.left, n.right)
    if isinstance(n, UnaryOp):
        return (n.operand,)
    if isinstance(n, If):
        return (n.cond, n.then, n.orelse)
    return ()



_KEYWORDS = frozenset(KEYWORDS)


def _is_name_start(ch):
    return ch.isalpha() or ch == "_"


def _is_name_char(ch):
    return ch.isalnum() or ch in "_$'"


class _XmileParser(_Parser):
    """The kit's own equation parser reading XMILE's spelling of equations.

    There is one grammar: operator precedence and the constructs are those of
    :class:`dpmkit.expressions._Parser` (XMILE 1.0, section 3.3.1). Only the words
    differ: XMILE has ``{comments}``, quoted names (``"Staff morale (%)"``), names with
    spaces written with underscores and compared ignoring case, zero-argument builtins
    with empty parentheses (``PI()``), and builtins the kit does not have, which are
    refused by name. Names are turned into the kit's identifiers by ``resolve``.
    """

    def __init__(self, text, owner, resolve, var=None):
        self.owner = owner
        self.resolve = resolve
        self.var = var
        super().__init__(text, owner)

    def error(self, pos, message):
        shown = self.text if len(self.text) <= 160 else self.text[:157] + "..."
        pointer = (f"\n    {shown}\n    {' ' * pos}^" if pos is not None and pos <= len(shown) and "\n" not in shown
                   else "")
        return ModelError(
            f"in the XMILE equation of {self.owner!r}, at position {pos}: {message}{pointer}",
            variable=self.owner, position=pos,
        )

    def tokenize(self, text):
        tokens, i, n = [], 0, len(text)
        while i < n:
            ch = text[i]
            if ch.isspace():
                i += 1
                continue
            if ch == "{":  # a comment; nested braces are allowed
                depth, j = 0, i
                while j < n:
                    depth += {"{": 1, "}": -1}.get(text[j], 0)
                    if depth == 0:
                        break
                    j += 1
                if j >= n:
                    raise self.error(i, "a comment opened with '{' is never closed")
                i = j + 1
                continue
            if ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
                m = _LITERAL_RE.match(text, i)
                j = m.end()
                if j < n and (_is_name_char(text[j]) or text[j] == "."):
                    raise self.error(j, f"unexpected {text[j]!r} right after the number {text[i:j]!r}")
                value = float(text[i:j])
                if not math.isfinite(value):
                    raise self.error(i, f"the number {text[i:j]!r} is too large")
                tokens.append(("num", value, i))
                i = j
                continue
            if ch == '"':
                j = i + 1
                while j < n and text[j] != '"':
                    j += 2 if text[j] == "\\" else 1
                if j >= n:
                    raise self.error(i, "a quoted name is never closed")
                tokens.append(("name", _unescape(text[i + 1:j]), i))
                i = j + 1
                self._check_after_name(i)
                continue
            if _is_name_start(ch):
                j = i
                while j < n and _is_name_char(text[j]):
                    j += 1
                word = text[i:j]
                if word.upper() in _KEYWORDS:
                    tokens.append(("op", word.upper(), i))
                else:
                    tokens.append(("name", word, i))
                i = j
                self._check_after_name(i)
                continue
            two = text[i:i + 2]
            if two in ("<=", ">=", "<>"):
                tokens.append(("op", two, i))
                i += 2
                continue
            if ch in "+-*/^(),=<>[]":
                tokens.append(("op", ch, i))
                i += 1
                continue
            raise self.error(i, f"unexpected character {ch!r}")
        tokens.append(("end", None, n))
        return tokens

    def _check_after_name(self, i):
        text = self.text
        if i < len(text) and text[i] == "." and i + 1 < len(text) and text[i + 1] not in _DIGITS:
            raise self.error(i, "module references (names with a '.') are not supported: modules are not supported")

    def subscripts(self, word):
        """The subscripts of ``word[a, b, *]``: ("name", text, pos), ("index", n, pos) or ("*", None, pos)."""
        self.expect("[", "")
        subs = []
        while True:
            kind, val, pos = self.take()
            if kind == "name":
                subs.append(("name", val, pos))
            elif kind == "num" and val == int(val) and val >= 1:
                subs.append(("index", int(val), pos))
            elif kind == "op" and val == "*":
                subs.append(("*", None, pos))
            else:
                found = "the end of the equation" if kind == "end" else repr(self._shown(kind, val))
                raise self.error(pos, f"a subscript of {word!r} must be a dimension, an element, a whole number "
                                      f"from 1 or '*', not {found} (expressions as subscripts are not supported)")
            kind, val, pos = self.take()
            if (kind, val) == ("op", ","):
                continue
            if (kind, val) == ("op", "]"):
                return subs
            raise self.error(pos, f"expected ',' or ']' in the subscripts of {word!r}")

    def name_node(self, word, pos):
        if self.peek()[:2] == ("op", "["):
            return self.resolve(self, word, pos, call=False, subs=self.subscripts(word))
        return self.resolve(self, word, pos, call=False)

    def call_node(self, word, pos, args):
        return self.resolve(self, word, pos, call=True, args=tuple(args))


# ----------------------------------------------------------------- reading


@dataclass
class _Var:
    """One XMILE variable on its way to a declaration."""

    kind: str  # "stock", "flow", "aux", "gf"
    el: object
    xml_name: str
    key: str
    label: str
    ident: str = ""
    lookup: str = ""  # identifier of its graphical function (embedded gf)
    as_flow: bool = False  # an aux named as a stock's inflow or outflow
    alias: str = ""  # "DT", "STARTTIME", "STOPTIME" for the time-setting auxiliaries
    meta: dict = field(default_factory=dict)
    eqn: str = ""  # the equation text (of this element, for an element of an array)
    gf: object = None  # its <gf> element, if any
    array: object = None  # the _Array this is an element of
    ctx: dict = field(default_factory=dict)  # dimension key -> element key, for an element
    subs: tuple = ()  # element keys, one per dimension of its array
    scope: str = ""  # "module." (the key of the module it is in, with a dot), "" in the main model
    connected: object = None  # the _Var a module input is connected from


@dataclass
class _Array:
    """An arrayed XMILE variable: one kit variable per element (see :meth:`_Reader.variables`)."""

    kind: str
    xml_name: str
    key: str
    dims: tuple  # dimension keys
    elements: dict  # tuple of element keys -> _Var
    alias: str = ""
    lookup: str = ""


def _flag(el, what):
    text = (el.text or "").strip().lower()
    if text in ("", "true"):
        return True
    if text == "false":
        return False
    raise ModelError(f"{what}: <{el.tag}> must be empty, 'true' or 'false', not {el.text.strip()!r}")


def _number(text, what, variable=None):
    text = (text or "").strip()
    if not _NUMBER_RE.match(text):
        raise ModelError(f"{what} must be a number, not {text!r}", variable=variable)
    value = float(text)
    if not math.isfinite(value):
        raise ModelError(f"{what} must be a finite number, not {text!r}", variable=variable)
    return value


def _doc(el):
    doc = el.first("doc")
    if doc is None:
        return ""
    text = doc.text.strip()
    if "\n" in text or "\t" in text:
        text = " ".join(text.split())
    return text


def _units(el):
    units = el.first("units")
    return "" if units is None else " ".join(units.text.split())


def _inferred_bounds(value):
    if value > 0:
        hi = 2 * value
        return 0.0, hi if math.isfinite(hi) else value
    if value < 0:
        lo = 2 * value
        return lo if math.isfinite(lo) else value, 0.0
    return -1.0, 1.0


class _Reader:
    def __init__(self, root, where, check_units, stem="", ignored=None):
        self.root = root
        self.where = where
        self.check_units = check_units
        self.stem = stem
        self.ignored = [] if ignored is None else ignored
        self.dims = {}  # dimension key -> (name, [element names], [element keys])
        self.macros = {}  # macro key -> name

    def refuse(self, message, variable=None):
        return ModelError(f"{self.where}: {message}", variable=variable)

    # -------------------------------------------------------------- structure
    def model(self):
        root = self.root
        if root.tag != "xmile":
            raise self.refuse(f"this is not XMILE: the root element is <{root.tag}>, not <xmile>")
        if not root.is_xmile:
            raise self.refuse(f"this is not XMILE: the root element is in the namespace {root.ns!r}")
        models, sim_specs, behaviors, meta = [], None, [], None
        for el in root.children:
            if el.is_dpmkit:
                if el.tag == "model":
                    meta = el
                continue
            if not el.is_xmile:
                continue  # vendor preferences and display settings
            if el.tag == "model":
                models.append(el)
            elif el.tag == "sim_specs":
                sim_specs = el
            elif el.tag == "behavior":
                behaviors.append(el)
            elif el.tag == "macro":
                # a macro is refused where an equation uses it; one that nothing uses is only noted
                name = _unquote(el.attrs.get("name", "?"))
                self.macros[_key(name)] = name
                self.note(f"<macro name={name!r}>: macros are not supported; no equation may use it")
            elif el.tag == "data":
                self.data(el)
            elif el.tag == "header":
                self.header(el)
            elif el.tag == "dimensions":
                self.dimensions(el)
            elif el.tag == "ai_information":
                self.note("<ai_information>: Stella's signed record of how AI tools were used on the model "
                          "(no simulation meaning)")
            elif el.tag not in _IGNORED_TOP:
                raise self.refuse(f"the element <{el.tag}> is not supported "
                                  "(it is not part of the XMILE the kit reads)")
        if not models:
            raise self.refuse("there is no <model> element")
        mains = [m for m in models if not m.attrs.get("name", "").strip()]
        if len(mains) > 1 or (not mains and len(models) > 1):
            names = ", ".join(repr(m.attrs.get("name", "(main)")) for m in models)
            raise self.refuse(f"the file has {len(models)} models ({names}) but not exactly one main model "
                              "(a <model> without a name)")
        model_el = mains[0] if mains else models[0]
        self.models = {}
        for m in models:
            if "resource" in m.attrs:
                raise self.refuse(
                    f"the <model> refers to another file ({m.attrs['resource']!r}); "
                    "the kit reads only the one file given"
                )
            if m is not model_el:
                key = _key(_unquote(m.attrs["name"]))
                if key in self.models:
                    raise self.refuse(f"two models are named {m.attrs['name']!r}")
                self.models[key] = m
        # a model may carry its own sim specs and behaviour (XMILE 1.0, 4.3)
        start, stop, dt, method, time_units = self.sim_specs(model_el.first("sim_specs") or sim_specs)
        self.method, self.dt = method, dt
        self.non_negative_stock, self.non_negative_flow = False, False
        for b in behaviors + model_el.find("behavior"):
            self.behavior(b)
        variables_el = None
        for el in model_el.children:
            if not el.is_xmile:
                continue
            if el.tag == "variables":
                if variables_el is not None:
                    raise self.refuse("the model has more than one <variables> element")
                variables_el = el
            elif el.tag in ("stock", "flow", "aux", "gf", "module"):
                raise self.refuse(f"the <{el.tag}> {el.attrs.get('name', '')!r} is directly inside <model>, without "
                                  "<variables>: that is a draft of XMILE from before the 1.0 standard, which the kit "
                                  "does not read (open and save the file in a current Stella)")
            elif el.tag not in ("behavior", "sim_specs", "views", "style", "doc"):
                raise self.refuse(f"the element <{el.tag}> inside <model> is not supported")
        if variables_el is None:
            raise self.refuse("the model has no <variables>")
        self.written_by_kit = meta is not None  # its non-negative stocks mean the kit's floor
        declarations = self.variables(variables_el)
        name, label, description, scenarios, check_units = self.model_meta(meta)
        description = description or _doc(model_el)
        try:
            return Model(
                name, declarations, start=start, stop=stop, dt=dt, time_units=time_units, method=method,
                label=label, description=description, scenarios=scenarios,
                check_units=self.check_units or check_units,
            )
        except ModelError as err:
            raise ModelError(f"{self.where}: {err}", variable=err.variable) from None

    def dimensions(self, el):
        """``<dimensions>``: each ``<dim>`` with its ``<elem>``s, or ``size="n"`` (elements 1 to n)."""
        for d in el.find("dim"):
            name = _unquote(d.attrs.get("name", ""))
            if not name.strip():
                raise self.refuse("a <dim> has no name")
            key = _key(name)
            if key in self.dims:
                raise self.refuse(f"the dimension {name!r} is defined twice")
            elems = [_unquote(e.attrs.get("name", "")) for e in d.find("elem")]
            if not elems and "size" in d.attrs:
                size = _number(d.attrs["size"], f"{self.where}: the size of dimension {name!r}")
                if size != int(size) or not 1 <= size <= _MAX_ELEMENTS_PER_DIM:
                    raise self.refuse(f"the size of dimension {name!r} must be a whole number from 1 to "
                                      f"{_MAX_ELEMENTS_PER_DIM}, not {d.attrs['size']!r}")
                elems = [str(k) for k in range(1, int(size) + 1)]
            if not elems or any(not e.strip() for e in elems):
                raise self.refuse(f"the dimension {name!r} has no elements, or an element without a name")
            keys = [_key(e) for e in elems]
            if len(set(keys)) != len(keys):
                raise self.refuse(f"the dimension {name!r} names an element twice")
            for c in d.children:
                if c.is_xmile and c.tag != "elem":
                    raise self.refuse(f"dimension {name!r}: the element <{c.tag}> is not supported")
            self.dims[key] = (_display(name), [_display(e) for e in elems], keys)

    def note(self, what):
        """Record something skipped on purpose (see ``read(..., ignored=[])``)."""
        self.ignored.append(what)

    def header(self, el):
        for child in el.children:
            if child.is_xmile and child.tag == "includes":
                names = [c.attrs.get("resource", "?") for c in child.children if c.is_xmile and c.tag == "include"]
                shown = f" ({', '.join(repr(n) for n in names)})" if names else ""
                raise self.refuse(
                    f"the file includes other files{shown} through <header><includes>; the kit reads only the "
                    "one file given and cannot reproduce what included files add. Merge the model into one "
                    "file (in Stella: save without includes) and read that."
                )

    def data(self, el):
        """``<data>``: a disabled export is ignored; imports and live exports are refused."""
        parts = [c for c in el.children if c.is_xmile]
        for c in parts:
            enabled = next((v for k, v in c.attrs.items() if k == "enabled" or k.endswith("}enabled")), "true")
            if c.tag != "export" or enabled.strip().lower() != "false":
                why = {"import": "the <import> reads other files",
                       "export": "the <export> is enabled and writes other files (a disabled one is ignored)"}
                raise self.refuse(
                    "data import and export (<data>) are not supported: "
                    + why.get(c.tag, f"<{c.tag}> is not part of the XMILE the kit reads"))
        for c in parts:
            self.note(f"<data><export> of {c.attrs.get('resource', 'an unnamed file')!r}: disabled, so it writes "
                      "nothing")

    def sim_specs(self, el):
        if el is None:
            raise self.refuse("there is no <sim_specs> element (start, stop and dt are needed)")
        method = el.attrs.get("method", "Euler").strip()
        if method.lower() not in ("euler", "rk4"):
            raise self.refuse(f"the integration method {method!r} is not supported; use Euler or RK4")
        values = {}
        for tag in ("start", "stop", "dt"):
            sub = el.first(tag)
            if sub is None:
                if tag == "dt":
                    values[tag] = 1.0
                    continue
                raise self.refuse(f"<sim_specs> has no <{tag}>")
            value = _number(sub.text, f"{self.where}: <sim_specs> <{tag}>")
            if tag == "dt" and sub.attrs.get("reciprocal", "").strip().lower() == "true":
                if value == 0:
                    raise self.refuse("<dt reciprocal=\"true\"> must not be 0")
                value = 1.0 / value
            if tag == "dt" and not value > 0:  # checked here: DELAY and PREVIOUS divide by it while reading
                raise self.refuse(f"<sim_specs> <dt> must be positive, got {value:g}")
            values[tag] = value
        time_units = " ".join(el.attrs.get("time_units", "").split())
        return values["start"], values["stop"], values["dt"], method.lower(), time_units

    def behavior(self, el):
        for child in el.children:
            if not child.is_xmile:
                continue
            if child.tag == "non_negative":
                flag = _flag(child, "<behavior>")
                self.non_negative_stock = self.non_negative_flow = flag
            elif child.tag in ("stock", "flow"):
                for sub in child.find("non_negative"):
                    flag = _flag(sub, f"<behavior><{child.tag}>")
                    if child.tag == "stock":
                        self.non_negative_stock = flag
                    else:
                        self.non_negative_flow = flag

    def model_meta(self, meta):
        name = label = description = ""
        scenarios = {}
        check_units = "warn"
        if meta is not None:
            name = meta.attrs.get("name", "")
            label = meta.attrs.get("label", "")
            if meta.attrs.get("check_units") in ("warn", "error", "off"):
                check_units = meta.attrs["check_units"]
            desc = meta.dpmkit("description")
            description = desc.text.strip() if desc is not None else ""
            for sc in meta.children:
                if sc.is_dpmkit and sc.tag == "scenario":
                    values = {}
                    for s in sc.children:
                        if s.is_dpmkit and s.tag == "set":
                            values[s.attrs.get("parameter", "")] = _number(
                                s.attrs.get("value"), f"{self.where}: scenario {sc.attrs.get('name')!r}")
                    scenarios[sc.attrs.get("name", "")] = values
        if not name:
            header = self.root.first("header")
            header_name = header.first("name") if header is not None else None
            text = " ".join(header_name.text.split()) if header_name is not None else ""
            if not text and self.stem:
                text = self.stem
            name = identifier(text) if text else "xmile_model"
            label = label or text
        return name, label, description, scenarios, check_units

    # -------------------------------------------------------------- variables
    def collect(self, variables_el, scope, path, items, connections):
        """The variable elements of a model and, recursively, of its modules, with their scope.

        A module (XMILE 1.0, section 3.7.4) is an instance of the ``<model>`` of its name:
        its variables are named ``module.variable`` (nested: ``a.b.variable``), and each
        ``<connect to="module.input" from=".variable"/>`` makes the input equal to the
        variable it is connected from (a leading ``.`` names a variable of the model that
        holds the module, ``other.variable`` one of a sibling module).
        """
        for el in variables_el.children:
            if el.is_dpmkit or not el.is_xmile:
                continue
            if el.tag in ("stock", "flow", "aux", "gf"):
                items.append((el, scope))
                if len(items) > _MAX_MODULE_VARIABLES:
                    raise self.refuse(f"the modules of the file make more than {_MAX_MODULE_VARIABLES} variables "
                                      "together (a model used by many modules, nested)")
            elif el.tag == "module":
                self.module(el, scope, path, items, connections)
            elif el.tag == "group":
                continue  # sectors and groups: a drawing aid
            else:
                raise self.refuse(f"the element <{el.tag}> inside <variables> is not supported")

    def module(self, el, scope, path, items, connections):
        name = _unquote(el.attrs.get("name", ""))
        if not name.strip():
            raise self.refuse("a <module> has no name")
        shown = scope + _display(name)
        if "resource" in el.attrs:
            raise self.refuse(f"module {shown!r} refers to another file ({el.attrs['resource']!r}); the kit reads "
                              "only the one file given")
        model_name = _key(_unquote(el.attrs.get("model", name)))
        model_el = self.models.get(model_name)
        if model_el is None:
            raise self.refuse(f"module {shown!r}: the file has no <model name={name!r}>" +
                              suggest(model_name, list(self.models)), variable=shown)
        if model_name in path or len(path) >= _MAX_MODULE_DEPTH:
            raise self.refuse(f"module {shown!r}: modules nested more than {_MAX_MODULE_DEPTH} deep, or a model "
                              "that contains itself", variable=shown)
        self.used_models.add(model_name)
        self.module_count += 1
        if self.module_count > _MAX_MODULE_INSTANCES:
            raise self.refuse(f"the file has more than {_MAX_MODULE_INSTANCES} module instances (modules inside "
                              "modules, many times over)")
        inner = scope + _display(name) + "."
        self.module_keys.add(_key(inner[:-1]))
        for c in el.children:
            if not c.is_xmile or c.tag == "connect2":
                continue  # newer Stella writes each connection twice, as <connect> and <connect2>
            if c.tag != "connect":
                raise self.refuse(f"module {shown!r}: the element <{c.tag}> is not supported", variable=shown)
            to, frm = c.attrs.get("to", "").strip(), c.attrs.get("from", "").strip()
            if not to or not frm:
                raise self.refuse(f"module {shown!r}: a <connect> needs both to= and from=", variable=shown)
            connections.append((shown, scope, inner, _unquote(to), _unquote(frm)))
            if len(connections) > _MAX_MODULE_VARIABLES:
                raise self.refuse(f"the modules of the file have more than {_MAX_MODULE_VARIABLES} connections")
        for c in model_el.children:
            if c.is_xmile and c.tag not in ("variables", "views", "style", "doc", "sim_specs", "behavior"):
                raise self.refuse(f"the element <{c.tag}> inside <model name={name!r}> is not supported")
        variables_el = model_el.first("variables")
        if variables_el is not None:
            self.collect(variables_el, inner, path | {model_name}, items, connections)

    def connect_modules(self, connections, by_key):
        """Each connected input becomes an auxiliary equal to the variable it is connected from."""
        def where(text, scope, inner):
            # ".variable": a variable of the model that holds the module; "module.variable": one of
            # that module or of a sibling module; "variable" alone (older files): one of the module
            parts = _dotted(text)
            if parts[0] == "":
                return _key(scope) + ".".join(parts[1:])
            if len(parts) > 1 and _key(scope) + parts[0] in self.module_keys:
                return _key(scope) + ".".join(parts)
            return _key(inner) + ".".join(parts)

        for shown, scope, inner, to, frm in connections:
            target_key = where(to, scope, inner)
            source_key = where(frm, scope, scope)  # a source is named from the model that holds the module
            target, source = by_key.get(target_key), by_key.get(source_key)
            for what, key, var in (("to", target_key, target), ("from", source_key, source)):
                if var is None:
                    raise self.refuse(f"module {shown!r}: <connect {what}={(to if what == 'to' else frm)!r}> names "
                                      f"no variable of the file (looked for {key!r})", variable=shown)
                if isinstance(var, _Array):
                    raise self.refuse(f"module {shown!r}: connecting arrays between modules is not supported",
                                      variable=shown)
            if target.connected is source:
                continue  # the same connection, listed on both modules it joins
            if target.connected:
                raise self.refuse(f"module {shown!r}: {target.xml_name!r} is connected twice", variable=shown)
            if target.kind == "gf" or source.kind == "gf":
                raise self.refuse(f"module {shown!r}: connecting graphical functions is not supported",
                                  variable=shown)
            target.connected = source
            if target.kind == "stock":
                if target.el.find("inflow") or target.el.find("outflow"):
                    raise self.refuse(f"module {shown!r}: the connected input {target.xml_name!r} is a stock with "
                                      "flows", variable=target.xml_name)
                target.kind = "aux"
            target.gf = None

    def variables(self, variables_el):
        items, connections = [], []
        self.used_models = set()
        self.module_keys = set()
        self.module_count = 0
        self.collect(variables_el, "", frozenset(), items, connections)
        unused = sorted(set(self.models) - self.used_models)
        for name in unused:
            self.note(f"<model name={name!r}>: no module uses it, so it is not part of the simulation")
        specs = []
        by_key = {}
        self.array_elements = 0
        for el, scope in items:
            raw = el.attrs.get("name")
            if raw is None or not raw.strip():
                raise self.refuse(f"a <{el.tag}> has no name")
            key = _key(scope) + _key(_unquote(raw))
            shown = scope + _display(_unquote(raw))
            v = _Var(el.tag, el, scope + raw if scope else raw, key, shown, scope=_key(scope))
            if key in by_key:
                raise self.refuse(
                    f"two variables have the same name: {by_key[key].xml_name!r} and {raw!r} "
                    "(XMILE names ignore case and treat spaces and underscores alike)",
                    variable=raw,
                )
            dims = self.check_structure(v)
            if dims:
                by_key[key] = self.expand(v, dims)
                specs.extend(by_key[key].elements.values())
            else:
                v.eqn = v.el.first("eqn").text if v.kind != "gf" else ""
                v.gf = v.el.first("gf")
                by_key[key] = v
                specs.append(v)
        self.by_key = by_key
        self.connect_modules(connections, by_key)
        self.find_aliases(specs)
        live = [v for v in specs if not v.alias]
        self.assign_identifiers(live)
        self.connect(live)
        out = self.declare(live)
        return self.ration(out)

    def ration(self, out):
        """Stella's outflow rationing for non-negative stocks, written into each outflow's equation.

        isee systems' help ("Flow prioritization", in its computational details) gives the rule:
        an outflow of a non-negative stock takes at most what the stock holds per DT plus its
        inflows, ``MIN(stock/DT + inflows, outflow)``, and several outflows share that in priority
        order, each getting what the ones before it left; XMILE lists a stock's outflows in that
        order. A file the kit wrote keeps the kit's meaning (a floor at zero; outflows it read as
        rationed carry the rule in their equations already). A stock whose outflow another stock
        drains too (Stella has no such flow; the SDXorg reference outputs keep its values) or whose
        rationing would close a loop of flows keeps only its floor at zero, with a note.
        """
        decls = {d.name: d for d in out}
        candidates = [d for d in out if isinstance(d, Stock) and d.non_negative
                      and self.stock_flows.get(d.name, ((), ()))[1] and not self.written_by_kit]
        if not candidates:
            return out
        shared, too_long, rewritten = [], [], {}
        for stock in candidates:
            ins, outs = self.stock_flows[stock.name]
            flows = [decls.get(t.ident) for t in outs]
            if any(sum(w == "out_of" for w, _ in self.links[t.key]) > 1 for t in outs) \
                    or any(not isinstance(f, Flow) or f.out_of != stock.name for f in flows):
                shared.append(stock)
                continue
            if len(ins) + len(outs) > _RATION_MAX_FLOWS:  # each equation names them all: quadratic
                too_long.append(stock)
                continue
            plus = [BinOp("/", Name(stock.name), Name("DT"))] + [Name(t.ident) for t in ins]
            trees = {}
            for k, f in enumerate(flows):
                room = _sum(plus)
                if k:
                    room = BinOp("-", room, _sum([Name(g.name) for g in flows[:k]]))
                tree = parse(f.equation, f.name) if isinstance(f.equation, str) else Num(float(f.equation))
                tree = Call("MIN", (tree, Call("MAX", (Num(0.0), room))))
                text = unparse(tree)
                try:
                    parse(text, f.name)  # within the kit's limits on one equation
                except ModelError:
                    too_long.append(stock)
                    break
                trees[f.name] = (stock, tree, text)
            else:
                rewritten.update(trees)
        looped = self._rationing_loops(out, rewritten)  # removing links makes no new loop: one pass
        rewritten = {n: v for n, v in rewritten.items() if v[0].name not in looped}
        result = []
        for d in out:
            if d.name in rewritten:
                stock, _, text = rewritten[d.name]
                rule = (f"Rationed as Stella does: at most what {stock.label!r} holds per step plus its inflows, "
                        "after the outflows listed before it.")
                description = d.description if rule in d.description else f"{d.description} {rule}".strip()
                d = replace(d, equation=text, description=description)
            result.append(d)
        kept = shared + too_long + [decls[name] for name in looped]
        if kept:
            shown = ", ".join(repr(s.label) for s in kept[:5]) + (f" and {len(kept) - 5} more" if len(kept) > 5
                                                                   else "")
            self.note(f"non-negative stocks whose outflows are not rationed ({shown}): an outflow that another "
                      "stock drains too, a loop of flows through the rationing, or more than "
                      f"{_RATION_MAX_FLOWS} flows at one stock keeps the values asked for, and the stock is kept "
                      "at zero; Stella would cut the outflows back in the order of the stock's outflows")
        return result

    def _rationing_loops(self, out, rewritten):
        """The stocks whose rationed outflows would depend on themselves with no stock between."""
        graph = {}
        for d in out:
            if isinstance(d, (Aux, Flow)):
                if d.name in rewritten:
                    graph[d.name] = names_in(rewritten[d.name][1], opaque=STATEFUL)
                elif isinstance(d.equation, str):
                    graph[d.name] = names_in(parse(d.equation, d.name), opaque=STATEFUL)
        looped = set()
        for group in _loops(graph):
            looped |= {rewritten[n][0].name for n in group if n in rewritten}
        return looped

    def check_structure(self, v):
        """Check a variable's elements; return the keys of its dimensions (empty for a scalar)."""
        el, name = v.el, v.xml_name
        allowed = {
            "stock": {"eqn", "inflow", "outflow", "non_negative", "units", "doc"},
            "flow": {"eqn", "gf", "non_negative", "units", "doc"},
            "aux": {"eqn", "gf", "units", "doc"},
            "gf": {"xscale", "yscale", "xpts", "ypts", "units", "doc"},
        }[v.kind]
        dims_el = el.first("dimensions")
        if dims_el is not None:
            if v.kind == "gf":
                raise self.refuse(f"graphical function {name!r}: arrayed standalone graphical functions are not "
                                  "supported (give each arrayed variable its own <gf>)", variable=name)
            return self.check_array(v, dims_el, allowed)
        eqns = 0
        for child in el.children:
            if child.is_dpmkit:
                if child.tag == "meta":
                    v.meta = dict(child.attrs)
                continue
            if not child.is_xmile:
                continue
            if child.tag in _REFUSED:
                raise self.refuse(f"{v.kind} {name!r}: {_REFUSED[child.tag]}", variable=name)
            if child.tag == "eqn":
                eqns += 1
            if child.tag in allowed or child.tag in _IGNORED_IN_VARIABLE:
                continue
            if child.tag == "element":
                raise self.refuse(f"{v.kind} {name!r} has an <element> but no <dimensions>", variable=name)
            raise self.refuse(f"{v.kind} {name!r}: the element <{child.tag}> is not supported", variable=name)
        if eqns > 1:
            raise self.refuse(f"{v.kind} {name!r} has {eqns} <eqn> elements, but no <dimensions>", variable=name)
        if v.kind in ("stock", "flow", "aux") and eqns == 0:
            raise self.refuse(f"{v.kind} {name!r} has no <eqn>", variable=name)
        if v.kind == "stock" and el.first("gf") is not None:
            raise self.refuse(f"stock {name!r} has a graphical function, which stocks cannot have", variable=name)
        return ()

    def check_array(self, v, dims_el, allowed):
        name = v.xml_name
        dims = []
        for d in dims_el.children:
            if not d.is_xmile:
                continue
            dname = _unquote(d.attrs.get("name", "")) if d.tag == "dim" else ""
            if d.tag != "dim" or _key(dname) not in self.dims:
                raise self.refuse(
                    f"{v.kind} {name!r}: the dimension {dname or d.tag!r} is not defined in the file's <dimensions>"
                    + suggest(_key(dname), list(self.dims)), variable=name)
            if _key(dname) in dims:
                raise self.refuse(f"{v.kind} {name!r} names the dimension {dname!r} twice", variable=name)
            dims.append(_key(dname))
        if not dims:
            raise self.refuse(f"{v.kind} {name!r} has an empty <dimensions>", variable=name)
        for child in v.el.children:
            if child.is_dpmkit and child.tag == "meta":
                v.meta = dict(child.attrs)
            if not child.is_xmile or child.tag in ("dimensions", "element") or child.tag in _IGNORED_IN_VARIABLE:
                continue
            if child.tag in _REFUSED:
                raise self.refuse(f"{v.kind} {name!r}: {_REFUSED[child.tag]}", variable=name)
            if child.tag not in allowed:
                raise self.refuse(f"{v.kind} {name!r}: the element <{child.tag}> is not supported", variable=name)
        if v.kind == "stock" and v.el.first("gf") is not None:
            raise self.refuse(f"stock {name!r} has a graphical function, which stocks cannot have", variable=name)
        return tuple(dims)

    def expand(self, v, dims):
        """An arrayed variable as one _Var per element (row-major: the last dimension varies fastest).

        Each element takes its equation from its own ``<element subscript="...">``, else the
        apply-to-all ``<eqn>``. Two forms that PySD's XMILE test files use are read as well:
        several ``<eqn>``s (one per element, in element order) and an ``<eqn>`` that is a list
        of numbers (``1, 2, 3``).
        """
        name = v.xml_name
        self.array_elements += math.prod(len(self.dims[d][2]) for d in dims)
        if self.array_elements > _MAX_ARRAY_ELEMENTS:
            raise self.refuse(f"{v.kind} {name!r}: the arrays of the file have more than {_MAX_ARRAY_ELEMENTS} "
                              "elements together", variable=name)
        combos = [()]
        for d in dims:
            combos = [c + (k,) for c in combos for k in range(len(self.dims[d][2]))]
        keys = [tuple(self.dims[d][2][k] for d, k in zip(dims, c)) for c in combos]
        shown = [",".join(self.dims[d][1][k] for d, k in zip(dims, c)) for c in combos]
        per_element = {}
        for child in v.el.find("element"):
            sub = child.attrs.get("subscript", "")
            parts = tuple(_key(_unquote(p)) for p in sub.split(","))
            if parts not in keys:
                raise self.refuse(f"{v.kind} {name!r}: <element subscript={sub!r}> is not an element of its "
                                  f"dimensions ({', '.join(self.dims[d][0] for d in dims)})", variable=name)
            if parts in per_element:
                raise self.refuse(f"{v.kind} {name!r}: the element [{sub}] is defined twice", variable=name)
            for c in child.children:
                if c.is_xmile and c.tag not in ("eqn", "gf") and c.tag not in _IGNORED_IN_VARIABLE:
                    raise self.refuse(f"{v.kind} {name!r}[{sub}]: the element <{c.tag}> is not supported",
                                      variable=name)
            if child.first("eqn") is None and (child.first("gf") is None or not v.el.find("eqn")):
                raise self.refuse(f"{v.kind} {name!r}[{sub}] has no <eqn>", variable=name)
            per_element[parts] = child
        eqns = [e.text for e in v.el.find("eqn")]
        texts = {}
        if per_element:
            missing = [s for k, s in zip(keys, shown) if k not in per_element]
            if missing and not eqns:
                raise self.refuse(f"{v.kind} {name!r} has no equation for the element [{missing[0]}]", variable=name)
        if len(eqns) > 1:
            if len(eqns) != len(keys):
                raise self.refuse(f"{v.kind} {name!r} has {len(eqns)} <eqn> elements for {len(keys)} array "
                                  "elements", variable=name)
            texts = dict(zip(keys, eqns))
        elif len(eqns) == 1:
            numbers = eqns[0].split(",")
            if len(numbers) > 1 and all(_NUMBER_RE.match(x.strip()) for x in numbers):
                if len(numbers) != len(keys):
                    raise self.refuse(f"{v.kind} {name!r}: the list of {len(numbers)} numbers does not match its "
                                      f"{len(keys)} elements", variable=name)
                texts = dict(zip(keys, (x.strip() for x in numbers)))
            else:
                texts = dict.fromkeys(keys, eqns[0])
        elif not per_element:
            raise self.refuse(f"{v.kind} {name!r} has no <eqn>", variable=name)
        array = _Array(v.kind, name, v.key, dims, {})
        for k, text in zip(keys, shown):
            child = per_element.get(k)
            label = f"{v.label}[{text}]"
            e = _Var(v.kind, v.el, f"{_unquote(name)}[{text}]", _key(label), label, meta=dict(v.meta), scope=v.scope)
            e.meta.pop("name", None)
            e.meta.pop("label", None)
            e.eqn = child.first("eqn").text if child is not None and child.first("eqn") is not None else texts[k]
            e.gf = (child.first("gf") if child is not None else None) or v.el.first("gf")
            e.array, e.ctx, e.subs = array, dict(zip(dims, k)), k
            array.elements[k] = e
        return array

    def find_aliases(self, specs):
        for v in specs:
            builtin = _ALIASES.get(v.key)
            if builtin and v.kind == "aux" and v.gf is None and v.array is None:
                text = re.sub(r"\s+", "", v.eqn).upper()
                if text in (builtin, builtin + "()"):
                    v.alias = builtin

    def assign_identifiers(self, specs):
        bases = []
        for v in specs:
            wanted = v.meta.get("name")
            if _valid_kit_name(wanted) and _key(wanted) == v.key:
                bases.append(wanted)  # a name written by the kit itself, case kept
            else:
                bases.append(identifier(v.xml_name))
        self.alloc = _Allocator(bases)
        for v, base in zip(specs, bases):
            v.ident = self.alloc.take(base)
        for v in specs:
            if v.kind in ("aux", "flow") and v.gf is not None:
                v.lookup = self.alloc.derived(v.ident + "_lookup")
        self.lookup_idents = {v.ident for v in specs if v.kind == "gf"} | {v.lookup for v in specs if v.lookup}
        self.element_idents = {v.ident for v in specs if v.array is not None}

    def connect(self, specs):
        """Which stocks each flow fills and drains, in the order of the file."""
        self.links = {}
        self.stock_flows = {}  # stock identifier -> ([inflows], [outflows]), in the order of the file
        for s in specs:
            if s.kind != "stock":
                continue
            for tag, word in (("inflow", "into"), ("outflow", "out_of")):
                for ref in s.el.find(tag):
                    text = _unquote(ref.text)
                    target = self.by_key.get(s.scope + _key(text))
                    if isinstance(target, _Array) or s.array is not None:
                        if not (isinstance(target, _Array) and s.array is not None and target.dims == s.array.dims):
                            raise self.refuse(
                                f"stock {s.array.xml_name if s.array else s.xml_name!r} lists the {tag} {text!r}, "
                                "but the two do not have the same dimensions (an arrayed stock needs flows with "
                                "its dimensions, in the same order)", variable=s.xml_name)
                        target = target.elements[s.subs]
                    if target is None or target.alias:
                        raise self.refuse(
                            f"stock {s.xml_name!r} lists the {tag} {text!r}, but the file has no flow of that name"
                            + suggest(_key(text), [v.key for v in specs if v.kind in ("flow", "aux")]),
                            variable=s.xml_name,
                        )
                    if target.kind not in ("flow", "aux"):
                        raise self.refuse(
                            f"stock {s.xml_name!r} lists the {tag} {text!r}, which is a "
                            f"{'graphical function' if target.kind == 'gf' else target.kind}, not a flow",
                            variable=s.xml_name,
                        )
                    if target.kind == "aux":
                        target.as_flow = True
                    links = self.links.setdefault(target.key, [])
                    if (word, s) in links:
                        raise self.refuse(
                            f"stock {s.xml_name!r} lists the {tag} {text!r} twice", variable=s.xml_name)
                    links.append((word, s))
                    self.stock_flows.setdefault(s.ident, ([], []))[word == "out_of"].append(target)

    # -------------------------------------------------------------- equations
    def resolve(self, parser, word, pos, call, args=(), subs=None):
        """The syntax-tree node for a name (``call=False``) or a call in an equation."""
        upper = word.upper()
        scope = parser.var.scope if parser.var is not None else ""
        target = self.by_key.get(scope + _key(word))
        if subs is not None or isinstance(target, _Array):
            if isinstance(target, _Array) and not call:
                return self.element_ref(parser, word, pos, target, subs)
            if target is None:
                raise parser.error(pos, f"unknown name {word!r}" + suggest(_key(word), list(self.by_key)))
            if subs is not None:
                raise parser.error(pos, f"{word!r} is not an array, so it takes no subscripts")
            raise parser.error(pos, f"{word!r} is an array, not a function or graphical function")
        if call and _key(word) in self.macros and target is None:
            raise parser.error(pos, f"macros are not supported (the macro {self.macros[_key(word)]!r} is used here)")
        if call and upper in _ARRAY_FUNCTIONS and (upper not in ("MIN", "MAX") or len(args) == 1) \
                and (upper != "MEAN" or len(args) == 1 or target is None):
            return self.array_function(parser, upper, args, pos)
        if call and upper in ("DELAY", "PREVIOUS") and (target is None or target.kind != "gf"):
            return self.pipeline(parser, upper, args, pos)
        if call and upper == "SMTHN" and target is None:
            return self.smthn(parser, args, pos)
        if call and upper == "TREND" and target is None:
            return self.trend(parser, args, pos)
        if call and upper == "RAMP" and len(args) == 1 and target is None:
            # Stella's RAMP(slope) starts at the start of the run
            return Call("RAMP", (args[0], Name("STARTTIME", pos)), pos, True)
        if not call:
            if upper in ("TIME", "DT", "STARTTIME", "STOPTIME"):
                return Name(upper, pos)
            if target is not None and (target.kind == "gf" or target.lookup) and self._lookup_table(parser):
                return Name(target.ident if target.kind == "gf" else target.lookup, pos)
            if target is None:
                if upper == "PI":
                    return Name("PI", pos)
                if upper in _UNSUPPORTED_BUILTINS:
                    raise parser.error(pos, _unsupported(upper))
                raise parser.error(
                    pos, f"unknown name {word!r}"
                    + suggest(_key(word), [v.key for v in self.by_key.values() if not v.alias]))
            if target.alias:
                return Name(target.alias, pos)
            if target.kind == "gf":
                raise parser.error(pos, f"{word!r} is a graphical function; call it with an input, e.g. {word}(x)")
            return Name(target.ident, pos)
        if upper in _ZERO_ARGUMENT and (target is None or upper != "PI"):
            if args:
                raise parser.error(pos, f"{upper} takes no arguments")
            return Name(upper, pos)
        if target is not None and (target.kind == "gf" or target.lookup):
            if len(args) != 1:
                raise parser.error(pos, f"the graphical function {word!r} takes one input, but was given {len(args)}")
            return Call(target.ident if target.kind == "gf" else target.lookup, args, pos, False)
        if upper in XMILE_NAMES:
            return self.builtin(parser, XMILE_NAMES[upper].name, args, pos)
        if upper in _UNSUPPORTED_BUILTINS:
            raise parser.error(pos, _unsupported(upper))
        if target is not None:
            raise parser.error(pos, f"{word!r} is a {target.kind}, not a function or graphical function")
        raise parser.error(
            pos, f"unknown function {word!r}: it is neither a builtin the kit supports nor a "
            "graphical function of this model" + suggest(upper, list(XMILE_NAMES)))

    def element_ref(self, parser, word, pos, array, subs):
        """``x[a, b]`` (or ``x`` alone, meaning ``x[its dimensions]``) inside ``parser.var``'s equation.

        A subscript is an element of that dimension, a number from 1, a dimension (the
        element being computed when the variable itself has that dimension, else all of
        them) or ``*`` (all of them). The result is a Name, or a _Slice of several.
        """
        ctx = parser.var.ctx if parser.var is not None else {}
        if subs is None:
            subs = [("name", self.dims[d][0], pos) for d in array.dims]
        if len(subs) != len(array.dims):
            raise parser.error(pos, f"{word!r} has {len(array.dims)} dimension{'s' if len(array.dims) > 1 else ''} "
                                    f"({', '.join(self.dims[d][0] for d in array.dims)}) but is given {len(subs)} "
                                    "subscripts")
        choices, wild = [], []
        for d, (kind, val, spos) in zip(array.dims, subs):
            keys = self.dims[d][2]
            if kind == "*":
                choices.append(keys)
                wild.append(d)
            elif kind == "index":
                if val > len(keys):
                    raise parser.error(spos, f"the subscript {val} of {word!r} is past the {len(keys)} elements of "
                                             f"{self.dims[d][0]!r}")
                choices.append([keys[val - 1]])
            else:
                k = _key(_unquote(val))
                if k in ctx and k in self.dims:
                    if ctx[k] not in keys:
                        raise parser.error(spos, f"{val!r} does not map onto {self.dims[d][0]!r}, the dimension of "
                                                 f"{word!r} at this place (dimension mappings are not supported)")
                    choices.append([ctx[k]])
                elif k in keys:
                    choices.append([k])
                elif k == d:
                    choices.append(keys)  # the whole dimension, in an equation that does not have it
                    wild.append(d)
                elif k in self.dims:
                    raise parser.error(spos, f"{val!r} is not the dimension of {word!r} at this place "
                                             f"({self.dims[d][0]!r}; dimension mappings are not supported)")
                else:
                    raise parser.error(spos, f"{val!r} is neither an element of {self.dims[d][0]!r} nor a dimension"
                                       + suggest(k, keys + list(self.dims)))
        self.slice_nodes += math.prod(len(c) for c in choices)
        if self.slice_nodes > _MAX_ARRAY_REFERENCES:
            raise parser.error(pos, f"the equations of the file refer to more than {_MAX_ARRAY_REFERENCES} array "
                                    "elements in all (whole arrays used in the equation of each element of another "
                                    "large array)")
        combos = [()]
        for c in choices:
            combos = [a + (b,) for a in combos for b in c]
        nodes = [Name(array.elements[c].ident, pos) for c in combos]
        if not wild:
            return nodes[0]
        at = [i for i, d in enumerate(array.dims) if d in wild]
        keys = tuple(tuple(c[i] for i in at) for c in combos)
        return _Slice(word, tuple(nodes), pos, tuple(array.dims[i] for i in at), keys)

    def broadcast(self, parser, tree, pos):
        """The element-by-element values of an expression over arrays (``a[*] * b[*] + 1``).

        Arrays are matched by dimension: ``sales[*, *] * price[*]`` multiplies each sale by
        the price of its product. The result lists one tree per combination of elements,
        the first dimension varying slowest.
        """
        slices = []
        stack = [tree]
        while stack:
            n = stack.pop()
            if isinstance(n, _Slice):
                slices.append(n)
            else:
                stack.extend(_children(n))
        if not slices:
            return [tree]
        dims = []
        for sl in slices:
            dims += [d for d in sl.dims if d not in dims]
        if math.prod(len(self.dims[d][2]) for d in dims) * len(slices) > _MAX_ARRAY_REFERENCES:
            raise parser.error(pos, "the expression over arrays has too many elements")
        combos = [()]
        for d in dims:
            combos = [c + (k,) for c in combos for k in self.dims[d][2]]
        lookup = {sl: dict(zip(sl.keys, sl.nodes)) for sl in slices}

        def element(n, combo):
            if isinstance(n, _Slice):
                return lookup[n][tuple(combo[dims.index(d)] for d in n.dims)]
            if isinstance(n, Call):
                return Call(n.func, tuple(element(a, combo) for a in n.args), n.pos, n.builtin)
            if isinstance(n, BinOp):
                return BinOp(n.op, element(n.left, combo), element(n.right, combo), n.pos)
            if isinstance(n, UnaryOp):
                return UnaryOp(n.op, element(n.operand, combo), n.pos)
            if isinstance(n, If):
                return If(element(n.cond, combo), element(n.then, combo), element(n.orelse, combo), n.pos)
            return n

        return [element(tree, c) for c in combos]

    def array_function(self, parser, upper, args, pos):
        if not args:
            raise parser.error(pos, f"{upper} needs an argument, an array such as x[*]")
        if upper != "MEAN" and len(args) != 1:
            raise parser.error(pos, f"{upper} of an array takes one argument, an array such as x[*] or an expression "
                                    "over arrays such as a[*] * b[*]")
        element = len(args) == 1 and isinstance(args[0], Name) and args[0].id in self.element_idents
        nodes = []
        for a in args:
            nodes += self.broadcast(parser, a, pos)
        if len(args) == 1 and len(nodes) == 1 and not element and not isinstance(args[0], _Slice) \
                and not any(isinstance(n, _Slice) for n in _walk_nodes(args[0])):
            raise parser.error(pos, f"{upper} of an array takes an array such as x[*] (or an expression over "
                                    "arrays), not a single value")
        if upper == "SIZE":
            return Num(float(len(nodes)), pos)
        count = len(nodes)
        if upper in ("MIN", "MAX"):  # the kit's MIN and MAX take up to 32 arguments
            combine = lambda group: group[0] if len(group) == 1 else Call(upper, tuple(group), pos, True)
            most = 32
        else:
            op = "*" if upper == "PROD" else "+"
            combine = lambda group: _balanced(op, group, pos)
            most = 256
        # A kit equation is at most MAX_LENGTH characters: long reductions are computed in
        # parts, each an auxiliary of its own (x_sum_1, ...), then reduced again.
        part = 0
        while True:
            groups, group, size = [], [], 0
            for n in nodes:
                length = len(unparse(n)) + 3
                if group and (len(group) >= most or size + length > MAX_LENGTH // 2):
                    groups.append(group)
                    group, size = [], 0
                group.append(n)
                size += length
            groups.append(group)
            if len(groups) == 1:
                break
            v = parser.var
            nodes = []
            for g in groups:
                part += 1
                name = self.alloc.derived(f"{v.ident}_{upper.lower()}_{part}")
                self.pending.append(Aux(name, unparse(combine(g)), label=f"{v.label} ({upper} part {part})",
                                        description=f"Part of the {upper} of {count} array elements in "
                                                    f"{v.label!r}, computed apart to keep each equation short."))
                nodes.append(Name(name, pos))
        total = combine(groups[0])
        return BinOp("/", total, Num(float(count), pos), pos) if upper == "MEAN" else total

    def smthn(self, parser, args, pos):
        """``SMTHN(input, averaging_time, n[, initial])``: n first-order smooths in a row, each
        over ``averaging_time / n``, every one starting at ``initial`` (by default the input)."""
        if not 3 <= len(args) <= 4:
            raise parser.error(pos, f"SMTHN takes 3 or 4 arguments but was given {len(args)}; write "
                                    "SMTHN(input, averaging_time, n[, initial])")
        order = args[2]
        constant = self.by_ident.get(order.id) if isinstance(order, Name) else None
        if constant is not None and constant.kind == "aux" and constant.gf is None and constant.connected is None \
                and _NUMBER_RE.match(constant.eqn.strip()):
            self.fixed[constant.ident] = f"SMTHN (its order) in {parser.var.label!r}"
            order = Num(float(constant.eqn.strip()), pos)
        if not isinstance(order, Num) or order.value != int(order.value) or not 1 <= order.value <= 100:
            raise parser.error(pos, "SMTHN: the order n must be a whole number from 1 to 100, written as a number "
                                    "or a constant")
        n = int(order.value)
        if n == 1:
            time = args[1]
        elif isinstance(args[1], Num):  # a number stays a number (so it keeps taking the time units)
            time = Num(args[1].value / n, pos)
        else:
            time = BinOp("/", args[1], Num(float(n), pos), pos)
        node = args[0]
        for _ in range(n):
            node = Call("SMTH1", (node, time, *args[3:]), pos, True)
        return node

    def trend(self, parser, args, pos):
        """``TREND(input, averaging_time[, initial_trend])``: the fractional change of the input.

        As Stella computes it: an average of the input, a stock that starts at
        ``input / (1 + initial_trend * averaging_time)`` (the input itself when the initial
        trend is 0, the default) and moves by ``(input - average) / averaging_time``; the
        trend is ``(input - average) / (average * averaging_time)``.
        """
        v = parser.var
        if not 2 <= len(args) <= 3:
            raise parser.error(pos, f"TREND takes 2 or 3 arguments but was given {len(args)}; write "
                                    "TREND(input, averaging_time[, initial_trend])")
        source, time = unparse(args[0]), unparse(args[1])
        initial = source if len(args) == 2 else f"({source}) / (1 + ({unparse(args[2])}) * ({time}))"
        stock = self.alloc.derived(f"{v.ident}_trend_average")
        flow = self.alloc.derived(f"{stock}_change")
        what = f"TREND({source}, {time}) in {v.label!r}"
        self.pending.append(Stock(stock, initial, label=f"{v.label} (trend: average input)",
                                  description=f"The average of the input that {what} compares it with."))
        self.pending.append(Flow(flow, f"(({source}) - {stock}) / ({time})", into=stock,
                                 label=f"{v.label} (trend: change in the average)",
                                 description=f"Moves the average of {what} towards the input."))
        average = Name(stock, pos)
        return BinOp("/", BinOp("-", args[0], average, pos), BinOp("*", average, args[1], pos), pos)

    def pipeline(self, parser, upper, args, pos):
        """``DELAY(input, delay_time[, initial])`` and ``PREVIOUS(input, initial)`` as a shift register.

        The output is the input ``delay_time`` ago (``initial`` before that; by default
        the input's own value at the start). With Euler steps and a delay of n whole
        steps this is exactly a chain of n stocks, each set at every step to the value
        of the one before it: stock k changes by ``(stock k-1 - stock k) / DT``. Other
        delays, a delay that is not a number, and RK4 (whose stages would turn the
        chain into smooths) are refused.
        """
        v = parser.var
        if upper == "PREVIOUS":
            if len(args) != 2:
                raise parser.error(pos, "PREVIOUS takes 2 arguments here, PREVIOUS(input, initial value): the "
                                        "initial value of its one-argument form is not reproduced")
            args = (args[0], Name("DT", pos), args[1])
        if not 2 <= len(args) <= 3:
            raise parser.error(pos, f"DELAY takes 2 or 3 arguments but was given {len(args)}; write "
                                    "DELAY(input, delay_time[, initial])")
        if self.method != "euler":
            raise parser.error(pos, f"{upper} (the fixed, pipeline delay) is reproduced with Euler steps only; "
                                    f"the file asks for {self.method.upper()}")
        delay = args[1]
        constant = self.by_ident.get(delay.id) if isinstance(delay, Name) else None
        if constant is not None and constant.kind == "aux" and constant.gf is None and constant.connected is None \
                and _NUMBER_RE.match(constant.eqn.strip()):
            # a delay time that is a constant of the file: the chain is built for its value, so
            # the constant is kept fixed (an auxiliary, not a parameter to sweep)
            self.fixed[constant.ident] = f"{upper} in {v.label!r}"
            delay = Num(float(constant.eqn.strip()), pos)
        steps = 1.0 if isinstance(delay, Name) and delay.id == "DT" else (
            delay.value / self.dt if isinstance(delay, Num) else None)
        if steps is None:
            raise parser.error(pos, f"{upper}: the delay time must be a number or a constant (a delay time that "
                                    "changes, or an expression, is not supported)")
        n = round(steps) if math.isfinite(steps) else -1  # a delay of 1e300 steps is refused below
        if abs(steps - n) > 1e-9 * max(1.0, abs(steps)) or n < 0 or n > _MAX_PIPELINE_STEPS:
            raise parser.error(pos, f"{upper}: the delay time {delay.value:g} is not a whole number of time steps "
                                    f"(dt = {self.dt:g}) from 0 to {_MAX_PIPELINE_STEPS} steps")
        if n == 0:
            return args[0]
        self.pipeline_steps += n
        if self.pipeline_steps > _MAX_PIPELINE_STEPS:
            raise parser.error(pos, f"the DELAY and PREVIOUS functions of the file need more than "
                                    f"{_MAX_PIPELINE_STEPS} steps of delay together")
        source = unparse(args[0])
        initial = unparse(args[2]) if len(args) == 3 else source
        what = f"{upper}({source}, ...) in {v.label!r}"
        previous = None
        for k in range(1, n + 1):
            stock = self.alloc.derived(f"{v.ident}_{upper.lower()}_{k}")
            flow = self.alloc.derived(f"{stock}_step")
            self.pending.append(Stock(
                stock, initial, label=f"{v.label} ({upper.lower()} stage {k} of {n})",
                description=f"Stage {k} of the {n}-step shift register that computes {what}: it holds the input "
                            f"of {k} step{'s' if k > 1 else ''} before (read from the XMILE file)."))
            self.pending.append(Flow(
                flow, f"({previous or source} - {stock}) / DT", into=stock,
                label=f"{v.label} ({upper.lower()} stage {k} of {n}, change)",
                description=f"Sets stage {k} of {what} to the value of the stage before it at every (Euler) step."))
            previous = stock
        return Name(previous, pos)

    def builtin(self, parser, upper, args, pos):
        lo, hi = BUILTINS[upper].arity
        if not lo <= len(args) <= hi:
            want = f"{lo}" if lo == hi else f"{lo} to {hi}"
            raise parser.error(
                pos, f"{upper} takes {want} argument{'s' if hi != 1 else ''} but was given {len(args)}; "
                f"write {SIGNATURES.get(upper, upper + '(x)')}")
        if upper == "DELAYN" and isinstance(args[2], Name):
            # the kit's DELAYN needs its order written as a number: a constant of the file is
            # inlined, and kept fixed (an auxiliary, not a parameter to sweep)
            constant = self.by_ident.get(args[2].id)
            if constant is not None and constant.kind == "aux" and constant.gf is None \
                    and constant.connected is None and _NUMBER_RE.match(constant.eqn.strip()):
                self.fixed[constant.ident] = f"DELAYN (its order) in {parser.var.label!r}"
                args = (*args[:2], Num(float(constant.eqn.strip()), pos), *args[3:])
        if upper == "LOOKUP":  # LOOKUP(table, x) is the same as table(x)
            if not (isinstance(args[0], Name) and args[0].id in self.lookup_idents):
                raise parser.error(pos, "the first argument of LOOKUP must be the name of a graphical function")
            return Call(args[0].id, args[1:], pos, False)
        return Call(upper, args, pos, True)

    def equation(self, v):
        """The kit syntax tree of ``v``'s equation."""
        if v.connected is not None:
            source = v.connected
            if source.alias:
                return Name(source.alias, 0)
            return Name(source.ident, 0)
        text = v.eqn
        if len(text) > MAX_LENGTH:
            raise ModelError(
                f"the XMILE equation of {v.xml_name!r} is {len(text)} characters long; the limit is "
                f"{MAX_LENGTH}", variable=v.xml_name)
        if v.el.attrs.get("access", "").strip() == "input" and not re.sub(r"\{[^}]*\}", "", text).strip():
            raise ModelError(
                f"{v.xml_name!r} is an input of its module (access=\"input\"), but no <connect> of the module feeds "
                "it and its own equation is empty", variable=v.xml_name)
        if text.strip() == "???":
            raise ModelError(
                f"the XMILE equation of {v.xml_name!r} is '???': the converter that wrote the file (xmutil, "
                "from Vensim) could not translate it, so the file does not say what it is", variable=v.xml_name)
        parser = _XmileParser(text, v.xml_name, self.resolve, v)
        node = parser.parse()
        # A long chain such as a + b + c + ... is as deep as it is long; the kit's
        # compiler walks trees recursively, so very deep ones are refused here.
        depth, stack = 0, [(node, 1)]
        while stack:
            n, d = stack.pop()
            if isinstance(n, _Slice):
                raise parser.error(n.pos, f"{n.word!r} stands for {len(n.nodes)} array elements here; use it "
                                          "inside SUM, MEAN, MIN, MAX, SIZE or PROD, or give it the subscripts of "
                                          "one element")
            depth = max(depth, d)
            stack.extend((child, d + 1) for child in _children(n))
        if depth > _MAX_TREE_DEPTH:
            raise ModelError(
                f"the XMILE equation of {v.xml_name!r} has more than {_MAX_TREE_DEPTH} operations inside "
                "one another; split it into several auxiliaries", variable=v.xml_name)
        return node

    @staticmethod
    def _lookup_table(parser):
        """True when the name just read is the first argument of LOOKUP(table, x)."""
        i, tokens = parser.i, parser.tokens
        return (i >= 3 and tokens[i][:2] == ("op", ",") and tokens[i - 2][:2] == ("op", "(")
                and tokens[i - 3][0] == "name" and tokens[i - 3][1].upper() == "LOOKUP")

    def kit_text(self, v, node):
        if isinstance(node, Num):
            return node.value
        text = unparse(node)
        parse(text, v.ident)  # the kit's own parser must accept what we produce
        return text

    # ------------------------------------------------------------ declarations
    def declare(self, specs):
        out = []
        self.pending = []  # stocks and flows made by DELAY and PREVIOUS, declared after their variable
        self.by_ident = {v.ident: v for v in specs}
        self.fixed = {}  # constants that set the length of a DELAY chain -> where
        self.pipeline_steps = 0
        self.slice_nodes = 0
        for v in specs:
            out.extend(self.pending)
            self.pending = []
            common = dict(units=_units(v.el), label=v.meta.get("label") or v.label, description=_doc(v.el))
            role = v.meta.get("role")
            if role:
                common["role"] = role
            if v.kind == "gf":
                x, y = self.points(v, v.el)
                out.append(Lookup(v.ident, x, y, x_units=v.meta.get("x_units", ""),
                                  source=v.meta.get("source") or None, **common))
                continue
            if v.kind == "stock":
                node = self.equation(v)
                non_negative = self.non_negative_stock
                for nn in v.el.find("non_negative"):
                    non_negative = _flag(nn, f"stock {v.xml_name!r}")
                out.append(Stock(v.ident, self.kit_text(v, node), non_negative=non_negative, **common))
                continue
            node = self.equation(v)
            lookup = None
            gf = v.gf
            if gf is not None:
                x, y = self.points(v, gf)
                lookup = Lookup(v.lookup, x, y, units=common["units"], x_units="",
                                label=f"{common['label']} (graphical function)",
                                description=f"Graphical function of {common['label']!r} in the XMILE file")
                node = Call(v.lookup, (node,), 0, False)
            links = self.links.get(v.key, [])
            if v.kind == "flow" or v.as_flow:
                non_negative = self.non_negative_flow if v.kind == "flow" else False
                for nn in v.el.find("non_negative"):
                    non_negative = _flag(nn, f"flow {v.xml_name!r}")
                into = next((s for w, s in links if w == "into"), None)
                out_of = next((s for w, s in links if w == "out_of"), None)
                if into is not None and into is out_of:
                    raise self.refuse(f"flow {v.xml_name!r} is both an inflow and an outflow of stock "
                                      f"{into.xml_name!r}", variable=v.xml_name)
                out.append(Flow(v.ident, self.kit_text(v, node), into=into.ident if into else None,
                                out_of=out_of.ident if out_of else None, non_negative=non_negative, **common))
                if lookup is not None:
                    out.append(lookup)
                out.extend(self.copies(v, links, (into, out_of), common))
                continue
            if isinstance(node, Num) and v.meta.get("kind") != "aux":
                out.append(self.param(v, node.value, common))
            else:
                out.append(Aux(v.ident, self.kit_text(v, node), **common))
            if lookup is not None:
                out.append(lookup)
        out.extend(self.pending)
        for k, d in enumerate(out):
            if d.name in self.fixed and isinstance(d, Param):
                note = (f"Kept fixed: it sets the structure of {self.fixed[d.name]} (read from XMILE), so it is not "
                        "a parameter to change.")
                out[k] = Aux(d.name, _fmt(d.default), units=d.units, label=d.label, role=d.role,
                             description=f"{d.description} {note}".strip())
        return out

    def copies(self, v, links, used, common):
        """Extra flows for an XMILE flow that fills or drains more than one stock.

        A kit flow joins at most one stock at each end, so each further stock gets a
        flow equal to the original (after its non-negative guard).
        """
        out = []
        for word, stock in links:
            if stock is (used[0] if word == "into" else used[1]):
                continue
            name = self.alloc.derived(f"{v.ident}_{'to' if word == 'into' else 'from'}_{stock.ident}")
            verb = "fills" if word == "into" else "drains"
            out.append(Flow(
                name, v.ident, units=common["units"], label=f"{common['label']} ({stock.label})",
                description=f"The XMILE flow {v.xml_name!r} also {verb} {stock.xml_name!r}; a kit flow joins "
                            "one stock at each end, so this copy carries the same value.",
                **{("into" if word == "into" else "out_of"): stock.ident},
            ))
        return out

    def param(self, v, value, common):
        meta = v.meta
        bounds = None
        note = ""
        if "low" in meta and "high" in meta:
            lo = _number(meta["low"], f"{v.xml_name!r}: dpmkit bounds")
            hi = _number(meta["high"], f"{v.xml_name!r}: dpmkit bounds")
            bounds = (min(lo, value), max(hi, value))
        else:
            rng = v.el.first("range")
            if rng is not None and "min" in rng.attrs and "max" in rng.attrs:
                try:
                    lo = _number(rng.attrs["min"], "range")
                    hi = _number(rng.attrs["max"], "range")
                except ModelError:
                    lo = hi = None
                if lo is not None and lo <= value <= hi and lo < hi:
                    bounds = (lo, hi)
                    note = "Bounds from the <range> in the XMILE file."
            if bounds is None:
                bounds = _inferred_bounds(value)
                rule = ("0 to twice the value" if value > 0 else
                        "twice the value to 0" if value < 0 else "the value is 0")
                note = (f"Bounds {bounds[0]:g} to {bounds[1]:g} were inferred on import ({rule}); "
                        "XMILE files do not record bounds.")
        uncertainty = None
        if "uncertainty_low" in meta and "uncertainty_high" in meta:
            uncertainty = (_number(meta["uncertainty_low"], f"{v.xml_name!r}: uncertainty"),
                           _number(meta["uncertainty_high"], f"{v.xml_name!r}: uncertainty"))
        description = common.pop("description")
        if note and "inferred on import" not in description:
            if description and description[-1] not in ".!?":
                description += "."
            description = f"{description} {note}".strip()
        return Param(v.ident, value, bounds=bounds, uncertainty=uncertainty, source=meta.get("source") or None,
                     description=description, **common)

    def points(self, v, gf):
        where = f"graphical function {v.xml_name!r}"
        kind = gf.attrs.get("type", "continuous").strip().lower()
        if kind != "continuous":
            raise self.refuse(f"{where}: the type {kind!r} is not supported; only continuous "
                              "(linear interpolation, end values held) is", variable=v.xml_name)
        if gf.attrs.get("discrete", "false").strip().lower() == "true":
            raise self.refuse(f"{where}: discrete graphical functions are not supported", variable=v.xml_name)
        for child in gf.children:
            if child.is_xmile and child.tag not in ("xscale", "yscale", "xpts", "ypts", "units", "doc") \
                    and child.tag not in _IGNORED_IN_VARIABLE:
                raise self.refuse(f"{where}: the element <{child.tag}> is not supported", variable=v.xml_name)
        ypts = gf.first("ypts")
        if ypts is None:
            raise self.refuse(f"{where} has no <ypts>", variable=v.xml_name)
        y = self.series(ypts, where, "ypts", v.xml_name)
        xpts, xscale = gf.first("xpts"), gf.first("xscale")
        if xpts is not None:
            x = self.series(xpts, where, "xpts", v.xml_name)
        elif xscale is not None:
            lo = _number(xscale.attrs.get("min"), f"{where}: <xscale min>", v.xml_name)
            hi = _number(xscale.attrs.get("max"), f"{where}: <xscale max>", v.xml_name)
            if len(y) < 2:
                raise self.refuse(f"{where} needs at least 2 points, got {len(y)}", variable=v.xml_name)
            x = [lo + (hi - lo) * k / (len(y) - 1) for k in range(len(y))]
        else:
            raise self.refuse(f"{where} has neither <xpts> nor <xscale>", variable=v.xml_name)
        if len(x) != len(y):
            raise self.refuse(f"{where} has {len(x)} x points (xpts) but {len(y)} y points (ypts)",
                              variable=v.xml_name)
        return x, y

    def series(self, el, where, tag, variable):
        sep = el.attrs.get("sep", ",")
        if not sep:
            raise self.refuse(f"{where}: <{tag} sep=''> is empty", variable=variable)
        parts = el.text.split(sep)
        if parts and not parts[-1].strip():
            parts = parts[:-1]
        return [_number(p, f"{where}: <{tag}> point {k}", variable) for k, p in enumerate(parts)]


def read(source, *, check_units=None, ignored=None):
    """Read an XMILE model (a Stella/iThink ``.stmx``/``.xmile`` file, or its text).

    Parameters
    ----------
    source : str, os.PathLike or bytes
        A path to the file, or the XMILE text itself: a ``str`` that starts with
        ``<`` (after white space) is taken as text, any other ``str`` as a path.
    check_units : {"warn", "error", "off"}, optional
        What to do with units mismatches when the model is compiled. By default
        what the file says (files written by the kit), else ``"warn"``.
    ignored : list, optional
        If given, one line is appended to it for each element with no simulation
        meaning that was skipped on purpose although a reader might look for it
        (Stella's ``<ai_information>``, a disabled ``<data><export>``), without a warning.

    Returns
    -------
    Model

    Raises
    ------
    ModelError
        For unreadable or hostile input (malformed XML, a DOCTYPE or entities, more
        than :data:`MAX_BYTES`), for anything the kit does not support, naming
        the construct and the variable, and for DPM roles that break the rules of
        :func:`dpmkit.roles.check_roles` (files written by the kit carry roles).

    Examples
    --------
    >>> import dpmkit as dk
    >>> model = dk.xmile.read('''<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
    ...   <sim_specs><start>0</start><stop>10</stop><dt>1</dt></sim_specs>
    ...   <model><variables>
    ...     <stock name="Staff Morale"><eqn>0.5</eqn><inflow>recovery</inflow></stock>
    ...     <flow name="recovery"><eqn>(1 - Staff_Morale) / "adjustment time"</eqn></flow>
    ...     <aux name="adjustment time"><eqn>4</eqn></aux>
    ...   </variables></model></xmile>''')
    >>> model["adjustment_time"].bounds
    (0.0, 8.0)
    >>> round(dk.simulate(model).final("staff_morale"), 4)
    0.9718
    """
    if check_units is not None and check_units not in ("warn", "error", "off"):
        raise ModelError("check_units must be 'warn', 'error' or 'off'")
    data, where = _load(source)
    root = _parse_xml(data, where)
    stem = Path(source).stem if isinstance(source, (str, os.PathLike)) and where.startswith("the file") else ""
    if ignored is not None and not isinstance(ignored, list):
        raise ModelError(f"ignored must be a list to append to, not {type(ignored).__name__}")
    model = _Reader(root, where, check_units, stem, ignored).model()
    # A file that carries DPM roles (the kit writes them) is held to the same rules as
    # every ready-made model: DPM roles as Bianchi defines them.
    if any(v.role for v in model.variables):
        from .roles import check_roles

        check_roles(model)
    return model


# ----------------------------------------------------------------- writing


def _fmt(value):
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


#: Characters XML 1.0 does not allow in a document (C0 controls but tab and line breaks,
#: lone surrogates, U+FFFE and U+FFFF): left out of what :func:`write` writes.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _check_texts(model):
    """Every text field that goes into the file must be text (str), or a ModelError names it."""
    fields = [(model.name, "label", model.label), (model.name, "description", model.description),
              (model.name, "time_units", model.time_units)]
    fields += [(model.name, "scenario name", name) for name, _ in model.scenarios]
    for v in model.variables:
        fields += [(v.name, "label", v.label), (v.name, "description", v.description), (v.name, "units", v.units)]
        if getattr(v, "source", None) is not None:
            fields.append((v.name, "source", v.source))
        if isinstance(v, Lookup):
            fields.append((v.name, "x_units", v.x_units))
    for owner, what, value in fields:
        if not isinstance(value, str):
            raise ModelError(
                f"the {what} of {owner!r} is {value!r} ({type(value).__name__}), not text; an XMILE file "
                "stores text only", variable=owner)


class _Writer:
    def __init__(self, model):
        self.model = model
        _check_texts(model)
        self.xml_names = {}
        keys = {}
        for v in model.variables:
            label = v.label
            use_label = (bool(_SAFE_LABEL_RE.match(label)) and " " * 2 not in label and identifier(label) == v.name
                         and not _XML_INVALID_RE.search(label) and "[" not in label and "]" not in label)
            xml_name = label if use_label else v.name
            key = _key(xml_name)
            if key in keys:
                raise ModelError(
                    f"model {model.name!r}: the names {keys[key]!r} and {v.name!r} differ only in case, "
                    "but XMILE names ignore case; rename one of them",
                    variable=v.name,
                )
            keys[key] = v.name
            self.xml_names[v.name] = xml_name
        self.keys = keys
        self.floats = 0  # > 0 while writing the arguments of a stateful builtin
        self.trees = {}
        for v in model.variables:
            if isinstance(v, (Aux, Flow)):
                self.trees[v.name] = parse(v.equation, v.name)
            elif isinstance(v, Stock):
                self.trees[v.name] = parse(v.initial, v.name)
        used = set()
        for tree in self.trees.values():
            for n in walk(tree):
                if isinstance(n, Name) and n.id in ("DT", "STARTTIME", "STOPTIME"):
                    used.add(n.id)
                elif isinstance(n, Call) and n.builtin and n.func == "PULSE" and len(n.args) == 1:
                    used.add("STARTTIME")
        # the alias auxiliaries, unless a variable of the model already has the name
        self.aliases = {b: _ALIAS_NAMES[b] for b in sorted(used) if _key(_ALIAS_NAMES[b]) not in keys}

    def ref(self, name):
        xml_name = self.xml_names[name]
        if _PLAIN_REF_RE.match(xml_name):
            return xml_name.replace(" ", "_")
        return '"' + xml_name.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def constant(self, name):
        if name == "PI":
            return "PI()"
        if name == "TIME":
            return "TIME"
        alias = self.aliases.get(name)
        return alias.replace(" ", "_") if alias else name

    # The equation writer. ``ctx`` says where a piece of text goes: "top" (a whole
    # equation), "delimited" (between commas or IF/THEN/ELSE) or "operand" (next to an
    # operator). Forms are chosen so that Stella, PySD and :func:`read` all agree on
    # the meaning: see the module docstring.
    def eq(self, node):
        return self.w(node, "top")

    def w(self, n, ctx="operand", boolean=False):
        if isinstance(n, Num):
            text = _fmt(n.value)
            if self.floats and "." not in text and "e" not in text:
                text += ".0"
            return f"({text})" if ctx == "operand" and n.value < 0 else text
        if isinstance(n, Name):
            return self.constant(n.id) if n.id in CONSTANTS else self.ref(n.id)
        if isinstance(n, If):
            text = (f"IF {self.w(n.cond, 'delimited', boolean=True)} THEN {self.w(n.then, 'delimited')} "
                    f"ELSE {self.w(n.orelse, 'delimited')}")
            return text if ctx == "top" else f"({text})"
        if isinstance(n, UnaryOp):
            if n.op == "NOT":
                return self.as_value(f"NOT {self.operand(n.operand, boolean=True)}", ctx, boolean)
            text = f"-{self.operand(n.operand)}"
            return f"({text})" if ctx == "operand" else text
        if isinstance(n, BinOp):
            return self.binop(n, ctx, boolean)
        if isinstance(n, Call):
            return self.call(n, ctx)
        raise TypeError(f"not an expression node: {n!r}")

    @staticmethod
    def as_value(text, ctx, boolean):
        """A comparison or logical result used as a number becomes IF ... THEN 1 ELSE 0."""
        if boolean:
            return text
        text = f"IF {text} THEN 1 ELSE 0"
        return text if ctx == "top" else f"({text})"

    @staticmethod
    def atomic(n):
        if isinstance(n, Call):
            return not (n.builtin and n.func in ("LOG10", "MODULO"))
        return isinstance(n, Name) or (isinstance(n, Num) and n.value >= 0)

    def operand(self, n, boolean=False):
        """An operand that must stand alone: parenthesised unless atomic."""
        text = self.w(n, "top", boolean)
        return text if self.atomic(n) else f"({text})"

    _ARITH: ClassVar[dict[str, int]] = {"+": 1, "-": 1, "*": 2, "/": 2}

    def binop(self, n, ctx, boolean):
        op = n.op
        if op in self._ARITH:
            prec = self._ARITH[op]
            return f"{self.arith_operand(n.left, prec, False)} {op} {self.arith_operand(n.right, prec, True)}"
        if op == "^":
            return f"{self.operand(n.left)} ^ {self.operand(n.right)}"
        if op == "MOD":
            # lower case: PySD's grammar knows only "mod"; XMILE keywords ignore case
            text = f"{self.operand(n.left)} mod {self.operand(n.right)}"
            return text if ctx == "top" else f"({text})"
        if op in ("AND", "OR"):
            text = f"{self.operand(n.left, boolean=True)} {op} {self.operand(n.right, boolean=True)}"
            return self.as_value(text, ctx, boolean)
        # comparisons: arithmetic binds tighter in every reader; the rest brackets itself
        return self.as_value(f"{self.w(n.left)} {op} {self.w(n.right)}", ctx, boolean)

    def arith_operand(self, n, prec, right):
        text = self.w(n)
        if isinstance(n, BinOp) and n.op in self._ARITH:
            inner = self._ARITH[n.op]
            if inner < prec or (right and inner == prec):
                return f"({text})"
        return text

    def call(self, n, ctx):
        if not n.builtin:
            return f"{self.ref(n.func)}({self.w(n.args[0], 'delimited')})"
        # each builtin's XMILE form is in the one table (dpmkit.builtins)
        return BUILTINS[n.func].xmile_write(self, n.func, n.args, ctx)

    # document
    def document(self):
        m = self.model
        from . import __version__

        lines = [
            '<?xml version="1.0" encoding="utf-8"?>',
            f'<xmile version="1.0" xmlns="{_STANDARD_NAMESPACE}" xmlns:dpmkit="{NAMESPACE}">',
            "  <header>",
            f"    <name>{escape(m.name)}</name>",
            "    <vendor>dpmkit</vendor>",
            f'    <product version="{escape(__version__)}" lang="en">dpmkit</product>',
            "  </header>",
            f'  <sim_specs method="{"RK4" if m.method == "rk4" else "Euler"}" time_units={quoteattr(m.time_units)}>',
            f"    <start>{_fmt(m.start)}</start>",
            f"    <stop>{_fmt(m.stop)}</stop>",
            f"    {self.dt_element(m.dt)}",
            "  </sim_specs>",
            f"  <dpmkit:model name={quoteattr(m.name)} label={quoteattr(m.label)} "
            f"check_units={quoteattr(m.check_units)}>",
        ]
        if m.description:
            lines.append(f"    <dpmkit:description>{escape(m.description)}</dpmkit:description>")
        for sname, values in m.scenarios:
            lines.append(f"    <dpmkit:scenario name={quoteattr(sname)}>")
            for pname, value in values:
                lines.append(f"      <dpmkit:set parameter={quoteattr(pname)} value=\"{_fmt(value)}\"/>")
            lines.append("    </dpmkit:scenario>")
        lines += ["  </dpmkit:model>", "  <model>", "    <variables>"]
        for v in m.variables:
            lines.extend("      " + line for line in self.variable(v))
        for builtin, name in self.aliases.items():
            lines.extend("      " + line for line in (
                f"<aux name={quoteattr(name)}>",
                f"  <eqn>{builtin}</eqn>",
                f"  <units>{escape(m.time_units)}</units>",
                "  <doc>The builtin of the same meaning, named as PySD and Vensim expect</doc>",
                "</aux>",
            ))
        lines += ["    </variables>", "  </model>", "</xmile>", ""]
        # characters no XML file may contain would make the file unreadable, by the kit too
        return _XML_INVALID_RE.sub("", "\n".join(lines))

    @staticmethod
    def dt_element(dt):
        text = _fmt(dt)
        if len(text) > 8 and dt < 1:
            steps = round(1 / dt)
            if steps > 0 and 1.0 / steps == dt:
                return f'<dt reciprocal="true">{steps}</dt>'
        return f"<dt>{text}</dt>"

    def variable(self, v):
        m = self.model
        tag = {Stock: "stock", Flow: "flow", Aux: "aux", Param: "aux", Lookup: "gf"}[type(v)]
        out = [f"<{tag} name={quoteattr(self.xml_names[v.name])}>"]
        if isinstance(v, Stock):
            out.append(f"  <eqn>{escape(self.eq(self.trees[v.name]))}</eqn>")
            out += [f"  <inflow>{escape(self.ref(f.name))}</inflow>" for f in m.inflows(v.name)]
            out += [f"  <outflow>{escape(self.ref(f.name))}</outflow>" for f in m.outflows(v.name)]
            if v.non_negative:
                out.append("  <non_negative/>")
        elif isinstance(v, (Flow, Aux)):
            out.append(f"  <eqn>{escape(self.eq(self.trees[v.name]))}</eqn>")
            if isinstance(v, Flow) and v.non_negative:
                out.append("  <non_negative/>")
        elif isinstance(v, Param):
            out.append(f"  <eqn>{_fmt(v.default)}</eqn>")
        else:
            out.append(f"  <xpts>{','.join(_fmt(x) for x in v.x)}</xpts>")
            out.append(f"  <ypts>{','.join(_fmt(y) for y in v.y)}</ypts>")
        if v.units:
            out.append(f"  <units>{escape(v.units)}</units>")
        if v.description:
            out.append(f"  <doc>{escape(v.description)}</doc>")
        meta = {"name": v.name, "label": v.label}
        if isinstance(v, Aux) and isinstance(self.trees[v.name], Num):
            meta["kind"] = "aux"  # a constant auxiliary, not a parameter
        if v.role:
            meta["role"] = v.role
        if isinstance(v, Param):
            if v.bounds is not None:
                meta["low"], meta["high"] = _fmt(v.bounds[0]), _fmt(v.bounds[1])
            if v.uncertainty is not None:
                meta["uncertainty_low"], meta["uncertainty_high"] = _fmt(v.uncertainty[0]), _fmt(v.uncertainty[1])
        if isinstance(v, (Param, Lookup)) and v.source:
            meta["source"] = v.source
        if isinstance(v, Lookup) and v.x_units:
            meta["x_units"] = v.x_units
        out.append("  <dpmkit:meta " + " ".join(f"{k}={quoteattr(str(val))}" for k, val in meta.items()) + "/>")
        out.append(f"</{tag}>")
        return out


def dumps(model):
    """The model as XMILE text (see :func:`write`).

    Examples
    --------
    >>> import dpmkit as dk
    >>> text = dk.xmile.dumps(dk.models.load("demo"))
    >>> text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    True
    """
    if not isinstance(model, Model):
        raise ModelError(f"dumps() needs a dpmkit Model, got {type(model).__name__}")
    return _Writer(model).document()


def write(model, path):
    """Save a model as an XMILE file that Stella and PySD can open.

    Parameters
    ----------
    model : Model
    path : str or os.PathLike
        Where to write (UTF-8); an existing file is replaced.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import dpmkit as dk, pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = dk.xmile.write(dk.models.load("demo"), pathlib.Path(folder) / "demo.xmile")
    ...     dk.xmile.read(path).name
    'demo'
    """
    text = dumps(model)
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path
