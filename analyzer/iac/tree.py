"""Template documents as trees of values that remember their line and column.

YAML is read with PyYAML (a ``SafeLoader`` subclass that knows CloudFormation's short-form
intrinsic tags) and JSON with the standard library plus a small tokenizer that only
locates what ``json`` has already accepted. Both give the same ``Node`` tree, in which an
intrinsic function (``!Ref X``, ``{"Ref": "X"}``, ``Fn::Sub``...) is an ``Intrinsic``.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

MAX_TEMPLATE_BYTES = 8 * 1024 * 1024
"""Templates larger than this are not read: no real template comes near it."""
MAX_DEPTH = 200
"""Nesting deeper than this is refused instead of exhausting the stack."""

Scalar = str | int | float | bool | None


class TemplateSyntaxError(ValueError):
    """A template that is not valid YAML or JSON; the message names the line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Intrinsic:
    """An intrinsic function call: ``name`` is ``Ref``, ``Condition`` or ``Fn::<Name>``."""

    name: str
    argument: Node


@dataclass(frozen=True, eq=False)
class Node:
    """A value of a template with its 1-based line and column."""

    value: Scalar | list[Node] | dict[str, Node] | Intrinsic
    line: int
    column: int
    key_positions: dict[str, tuple[int, int]] | None = None
    """For a mapping, the line and column of each key."""

    def key_position(self, key: str) -> tuple[int, int]:
        """Where ``key`` of this mapping is written; this node's own start when unknown."""
        if self.key_positions is not None and key in self.key_positions:
            return self.key_positions[key]
        return self.line, self.column

    def get(self, key: str) -> Node | None:
        """The value under ``key`` when this is a mapping that has it."""
        if isinstance(self.value, dict):
            return self.value.get(key)
        return None

    def find(self, *keys: str) -> Node | None:
        """The value at the path ``keys`` through nested mappings."""
        node: Node | None = self
        for key in keys:
            node = node.get(key) if node is not None else None
        return node

    @property
    def mapping(self) -> dict[str, Node]:
        """The entries when this is a mapping, else an empty dict."""
        return self.value if isinstance(self.value, dict) else {}

    @property
    def items(self) -> list[Node]:
        """The items when this is a sequence, else an empty list."""
        return self.value if isinstance(self.value, list) else []

    @property
    def text(self) -> str | None:
        """The value as text when it is a string or a number (what YAML wrote unquoted)."""
        if isinstance(self.value, bool) or self.value is None:
            return None
        if isinstance(self.value, str | int | float):
            return str(self.value)
        return None

    @property
    def intrinsic(self) -> Intrinsic | None:
        """The intrinsic function call this value is, if it is one."""
        return self.value if isinstance(self.value, Intrinsic) else None


def _intrinsic_name(key: str) -> str | None:
    if key in ("Ref", "Condition") or key.startswith("Fn::"):
        return key
    return None


def _mapping_node(
    entries: dict[str, Node], line: int, column: int, keys: dict[str, tuple[int, int]]
) -> Node:
    """A mapping, or the intrinsic call it spells in long form (``{"Fn::Sub": ...}``)."""
    if len(entries) == 1:
        ((key, argument),) = entries.items()
        name = _intrinsic_name(key)
        if name is not None:
            return Node(Intrinsic(name, argument), line, column)
    return Node(entries, line, column, keys)


# --------------------------------------------------------------------------------------- YAML

_YamlBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _short_form_name(tag: str) -> str:
    """``!Ref`` as ``Ref``, ``!GetAtt`` as ``Fn::GetAtt``: the long form of a short-form tag."""
    name = tag[1:]
    return name if name in ("Ref", "Condition") else f"Fn::{name}"


def _construct_short_form(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    argument: Any
    if isinstance(node, yaml.ScalarNode):
        argument = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        argument = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        argument = loader.construct_mapping(node, deep=True)
    return {_short_form_name("!" + tag_suffix): argument}


class TemplateLoader(_YamlBase):  # type: ignore[valid-type,misc]
    """A safe YAML loader that also accepts CloudFormation's short-form intrinsic tags.

    ``yaml.load(text, TemplateLoader)`` gives plain data in which ``!Ref X`` reads as
    ``{"Ref": "X"}``, the long form; ``yaml_tree`` keeps the lines as well. Any other
    application tag (``!Anything``) is read the same way, as ``Fn::Anything``; nothing is
    ever instantiated from a tag.
    """


TemplateLoader.add_multi_constructor("!", _construct_short_form)


class _YamlTreeBuilder:
    """Turns a composed YAML node graph into ``Node`` values, each node converted once."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.built: dict[int, Node] = {}

    def build(self, node: yaml.Node, depth: int = 0) -> Node:
        # Aliases make the graph share nodes; converting each once keeps a "billion laughs"
        # document linear instead of exponential.
        known = self.built.get(id(node))
        if known is not None:
            return known
        if depth > MAX_DEPTH:
            raise TemplateSyntaxError(
                f"nesting deeper than {MAX_DEPTH} levels", node.start_mark.line + 1
            )
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        tag = node.tag or ""
        if tag.startswith("!") and not tag.startswith("!!"):
            argument = self._untagged(node, depth, application_tag=True)
            built = Node(Intrinsic(_short_form_name(tag), argument), line, column)
        else:
            built = self._untagged(node, depth, application_tag=False)
        self.built[id(node)] = built
        return built

    def _untagged(self, node: yaml.Node, depth: int, *, application_tag: bool) -> Node:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if isinstance(node, yaml.MappingNode):
            # Merge keys (``<<: *defaults``) are flattened the way the safe constructor does.
            self.loader.flatten_mapping(node)
            entries: dict[str, Node] = {}
            keys: dict[str, tuple[int, int]] = {}
            for key_node, value_node in node.value:
                key = self._key(key_node)
                entries[key] = self.build(value_node, depth + 1)
                keys[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            return _mapping_node(entries, line, column, keys)
        if isinstance(node, yaml.SequenceNode):
            return Node([self.build(item, depth + 1) for item in node.value], line, column)
        assert isinstance(node, yaml.ScalarNode)
        if application_tag:
            return Node(str(node.value), line, column)
        return Node(self._scalar(node), line, column)

    def _key(self, key_node: yaml.Node) -> str:
        if isinstance(key_node, yaml.ScalarNode):
            value = self._scalar(key_node)
            return "" if value is None else str(value)
        line = key_node.start_mark.line + 1
        raise TemplateSyntaxError("a mapping key is not a plain value", line)

    def _scalar(self, node: yaml.ScalarNode) -> Scalar:
        if not (node.tag or "").startswith("tag:yaml.org,2002:"):
            return str(node.value)
        if node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"):
            return str(node.value)
        try:
            value = self.loader.construct_object(node)
        except yaml.YAMLError:
            return str(node.value)
        if value is None or isinstance(value, str | int | float | bool):
            return value
        return str(node.value)


def yaml_tree(text: str) -> Node:
    """The located tree of the first YAML document in ``text``.

    Raises ``TemplateSyntaxError`` when ``text`` is not YAML.
    """
    loader = TemplateLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return Node(None, 1, 1)
        return _YamlTreeBuilder(loader).build(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "not valid YAML"
        raise TemplateSyntaxError(f"not valid YAML: {problem}", line) from None
    except yaml.YAMLError as error:
        # Some messages span lines (the reader's own); a report line is one line.
        raise TemplateSyntaxError(f"not valid YAML: {' '.join(str(error).split())}") from None
    except RecursionError:
        raise TemplateSyntaxError("not valid YAML: nesting too deep") from None
    finally:
        loader.dispose()


# --------------------------------------------------------------------------------------- JSON

_JSON_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n]+)
    |(?P<string>"(?:[^"\\]|\\.)*")
    |(?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)
    |(?P<word>true|false|null)
    |(?P<punct>[{}\[\]:,])
    """,
    re.VERBOSE | re.DOTALL,
)
_WORDS: dict[str, Scalar] = {"true": True, "false": False, "null": None}


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_tree(text: str) -> Node:
    """The located tree of the JSON document ``text``.

    The standard ``json`` module decides whether the text is JSON (and decodes every
    string and number); the tokenizer here only runs on text it accepted, to learn where
    each value starts. Raises ``TemplateSyntaxError`` when ``text`` is not JSON.
    """
    text = text.removeprefix("\ufeff")
    try:
        json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise TemplateSyntaxError(f"not valid JSON: {error.msg}", error.lineno) from None
    except (ValueError, RecursionError) as error:
        raise TemplateSyntaxError(f"not valid JSON: {error}") from None
    return _JsonLocator(text).document()


class _JsonLocator:
    """A recursive-descent reader over tokens of text that ``json`` has already accepted."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.tokens = self._tokens()
        self.current = next(self.tokens)

    def _tokens(self) -> Iterator[tuple[str, str, int]]:
        position = 0
        while position < len(self.text):
            match = _JSON_TOKEN.match(self.text, position)
            if match is None:  # pragma: no cover - json.loads accepted the text
                raise TemplateSyntaxError("not valid JSON", self._line(position))
            position = match.end()
            kind = match.lastgroup
            assert kind is not None
            if kind != "space":
                yield kind, match.group(), match.start()
        yield "end", "", len(self.text)

    def _line(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset)

    def _position(self, offset: int) -> tuple[int, int]:
        line = self._line(offset)
        return line, offset - self.line_starts[line - 1] + 1

    def _advance(self) -> tuple[str, str, int]:
        token = self.current
        self.current = next(self.tokens)
        return token

    def document(self) -> Node:
        return self._value(0)

    def _value(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise TemplateSyntaxError(f"nesting deeper than {MAX_DEPTH} levels")
        kind, token, offset = self._advance()
        line, column = self._position(offset)
        if kind == "string" or kind == "number":
            value: Scalar = json.loads(token)
            return Node(value, line, column)
        if kind == "word":
            return Node(_WORDS[token], line, column)
        if token == "[":
            items: list[Node] = []
            while self.current[1] != "]":
                items.append(self._value(depth + 1))
                if self.current[1] == ",":
                    self._advance()
            self._advance()
            return Node(items, line, column)
        assert token == "{"
        entries: dict[str, Node] = {}
        keys: dict[str, tuple[int, int]] = {}
        while self.current[1] != "}":
            _, key_token, key_offset = self._advance()
            self._advance()  # the colon
            key = json.loads(key_token)
            entries[key] = self._value(depth + 1)
            keys[key] = self._position(key_offset)
            if self.current[1] == ",":
                self._advance()
        self._advance()
        return _mapping_node(entries, line, column, keys)
