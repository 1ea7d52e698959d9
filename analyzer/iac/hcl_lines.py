"""Where each block and attribute of an HCL file starts: the lines python-hcl2 does not keep.

python-hcl2 parses values but drops positions, so the Terraform reader takes values from it
and lines from this outline. The outline is a lexical scan of the same text: it skips
comments (``#``, ``//``, ``/* */``), strings (with nested ``${ }`` and ``%{ }`` templates)
and heredocs, tracks bracket nesting, and records, at each block's own level, the header
(type and labels) of every nested block and the name of every attribute, with the start of
its value and of each element of a list value. A name inside a string, a comment, a nested
object or a sub-block is therefore never taken for the attribute of the block around it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_OPERATORS = ("==", "!=", "<=", ">=", "=>", "&&", "||", "...")


class HclLayoutError(ValueError):
    """Text whose blocks and strings do not close: python-hcl2 would refuse it too."""


@dataclass(frozen=True)
class Position:
    """A 1-based line and column."""

    line: int
    column: int


@dataclass
class HclAttribute:
    """``name = value`` at a block's own level."""

    name: str
    position: Position
    value: Position
    elements: list[Position] = field(default_factory=list)
    """The start of each element when the value is a list written ``[...]``."""
    entries: dict[str, Position] = field(default_factory=dict)
    """The start of each entry's value when the value is an object written ``{...}``."""


@dataclass
class HclBlock:
    """``type "label" ... { body }``, or the file itself (type ``""``)."""

    type: str
    labels: tuple[str, ...]
    position: Position
    attributes: dict[str, HclAttribute] = field(default_factory=dict)
    blocks: list[HclBlock] = field(default_factory=list)

    def block(self, block_type: str, *labels: str) -> HclBlock | None:
        """The first nested block of ``block_type`` whose labels start with ``labels``."""
        for block in self.blocks:
            if block.type == block_type and block.labels[: len(labels)] == labels:
                return block
        return None


@dataclass(frozen=True)
class _Token:
    kind: str
    """``ident``, ``string``, ``heredoc``, ``number``, ``newline``, ``punct`` or ``op``."""
    text: str
    offset: int


class _Scanner:
    """Splits HCL text into the tokens the outline needs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def tokens(self) -> Iterator[_Token]:
        text = self.text
        while self.position < len(text):
            start = self.position
            char = text[start]
            if char == "\n":
                self.position += 1
                yield _Token("newline", "\n", start)
            elif char in " \t\r\ufeff":
                self.position += 1
            elif char == "#" or text.startswith("//", start):
                end = text.find("\n", start)
                self.position = len(text) if end < 0 else end
            elif text.startswith("/*", start):
                end = text.find("*/", start + 2)
                if end < 0:
                    raise HclLayoutError("a /* comment is not closed")
                # The newlines inside still end an attribute.
                self.position = end + 2
                if "\n" in text[start:end]:
                    yield _Token("newline", "\n", start)
            elif char == '"':
                self.position = self._string_end(start + 1)
                yield _Token("string", text[start : self.position], start)
            elif text.startswith("<<", start) and (heredoc := _HEREDOC.match(text, start)):
                self.position = self._heredoc_end(heredoc)
                yield _Token("heredoc", text[start : self.position], start)
            elif match := _IDENT.match(text, start):
                self.position = match.end()
                yield _Token("ident", match.group(), start)
            elif match := _NUMBER.match(text, start):
                self.position = match.end()
                yield _Token("number", match.group(), start)
            else:
                operator = next((op for op in _OPERATORS if text.startswith(op, start)), None)
                self.position += len(operator) if operator else 1
                yield _Token("op" if operator else "punct", operator or char, start)

    def _string_end(self, position: int) -> int:
        """The offset after the closing quote of a string whose body starts at ``position``."""
        text = self.text
        while position < len(text):
            char = text[position]
            if char == "\\":
                position += 2
            elif char == '"':
                return position + 1
            elif char == "\n":
                raise HclLayoutError("a string is not closed on its line")
            elif char in "$%" and text.startswith("{", position + 1):
                if text[position - 1] == char:
                    # ``$${`` and ``%%{`` are literal.
                    position += 2
                    continue
                position = self._template_end(position + 2)
            else:
                position += 1
        raise HclLayoutError("a string is not closed")

    def _template_end(self, position: int) -> int:
        """The offset after the ``}`` closing a ``${`` or ``%{`` whose inside starts here."""
        text = self.text
        depth = 1
        while position < len(text):
            char = text[position]
            if char == '"':
                position = self._string_end(position + 1)
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    return position + 1
            position += 1
        raise HclLayoutError("a ${ template is not closed")

    def _heredoc_end(self, heredoc: re.Match[str]) -> int:
        marker = heredoc.group(1)
        closing = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*\r?$", re.MULTILINE)
        match = closing.search(self.text, heredoc.end())
        if match is None:
            raise HclLayoutError(f"the heredoc <<{marker} is not closed")
        return match.end()


class _Outliner:
    """Builds the block tree from tokens."""

    def __init__(self, text: str) -> None:
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.tokens = list(_Scanner(text).tokens())
        self.index = 0

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.line_starts, offset)
        return Position(line, offset - self.line_starts[line - 1] + 1)

    def peek(self, ahead: int = 0) -> _Token | None:
        index = self.index + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def body(self, block: HclBlock, closing: str | None) -> None:
        """Read items into ``block`` until ``closing`` (``}``) or the end of the text."""
        while (token := self.peek()) is not None:
            if token.kind == "newline" or token.text == ",":
                self.index += 1
                continue
            if closing is not None and token.text == closing:
                self.index += 1
                return
            if token.kind not in ("ident", "string"):
                self._skip_line()
                continue
            after = self.peek(1)
            if token.kind == "ident" and after is not None and after.text in ("=", ":"):
                self._attribute(block, token)
            else:
                self._block_or_skip(block, token)
        if closing is not None:
            raise HclLayoutError("a block is not closed")

    def _attribute(self, block: HclBlock, name: _Token) -> None:
        self.index += 2
        value = self.peek()
        value_offset = value.offset if value is not None else name.offset
        attribute = HclAttribute(
            name=name.text,
            position=self.position(name.offset),
            value=self.position(value_offset),
        )
        self._value(attribute)
        block.attributes.setdefault(attribute.name, attribute)

    def _value(self, attribute: HclAttribute) -> None:
        """Skip one expression, to the newline at nesting level 0, noting list elements."""
        depth = 0
        first = self.peek()
        collection = first.text if first is not None and first.text in "[{" else None
        expect_element = False
        entry_name: str | None = None
        while (token := self.peek()) is not None:
            if depth == 0 and (token.kind == "newline" or token.text in ",}"):
                return
            self.index += 1
            if token.text in "([{" and token.kind == "punct":
                depth += 1
                expect_element = depth == 1
                continue
            if token.text in ")]}" and token.kind == "punct":
                depth -= 1
                if depth == 0:
                    return
                continue
            if depth != 1 or collection is None:
                continue
            if token.kind == "newline":
                # Object entries may be separated by line breaks alone.
                expect_element = expect_element or collection == "{"
                continue
            if token.text == ",":
                expect_element = True
            elif collection == "[" and expect_element:
                attribute.elements.append(self.position(token.offset))
                expect_element = False
            elif collection == "{":
                if token.text in ("=", ":") and entry_name is not None:
                    following = self.peek()
                    if following is not None:
                        attribute.entries[entry_name] = self.position(following.offset)
                    entry_name = None
                elif expect_element and token.kind in ("ident", "string"):
                    entry_name = token.text.strip('"')
                    expect_element = False

    def _block_or_skip(self, block: HclBlock, first: _Token) -> None:
        start = self.index
        labels: list[str] = []
        self.index += 1
        while (token := self.peek()) is not None and token.kind in ("ident", "string"):
            labels.append(token.text.strip('"') if token.kind == "string" else token.text)
            self.index += 1
        token = self.peek()
        if token is None or token.text != "{" or first.kind != "ident":
            self.index = start
            self._skip_line()
            return
        self.index += 1
        nested = HclBlock(first.text, tuple(labels), self.position(first.offset))
        block.blocks.append(nested)
        self.body(nested, "}")

    def _skip_line(self) -> None:
        depth = 0
        while (token := self.peek()) is not None:
            if depth == 0 and token.kind == "newline":
                return
            if token.kind == "punct" and token.text in "([{":
                depth += 1
            elif token.kind == "punct" and token.text in ")]}":
                if depth == 0:
                    return
                depth -= 1
            self.index += 1


def outline(text: str) -> HclBlock:
    """The blocks and attributes of HCL ``text``, with positions, under a root block ``""``.

    Raises ``HclLayoutError`` when a string, comment, heredoc or block does not close.
    """
    outliner = _Outliner(text)
    root = HclBlock("", (), Position(1, 1))
    outliner.body(root, None)
    return root
