"""Shared by the hostile-string tests of every generated Markdown document (the access document and
the check's Markdown report): the hostile strings, and what a reader sees of a document once it is
parsed as GitHub would (markdown-it-py: CommonMark plus GFM tables).
"""

from __future__ import annotations

import re

from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from offline.reporting.markdown_text import one_line

NASTY = (
    "Reads the account.\n\n<!-- reviewers see nothing below this line",
    "x\n```\nhidden",
    "\n## SOC_Administrator\n\nNo access at all.",
    "a | b |\n|---|---|",
    "`` ` ```` ",
    "<details><summary>",
    "-->\n%% comment\nA --> B; click A call alert()",
    '"];  X["',
    "***bold*** _x_ [link](http://e) ![i](x) &lt; &amp; $x$ ~~s~~ \\",
    "1. item\u2028- item\u2029> quote\x85# h\vx\fy\rz",
    "    indented code",
    "===",
)
# Hand-picked attacks, and short strings of every character Markdown, HTML or Mermaid could read.
HOSTILE = st.one_of(
    st.sampled_from(NASTY),
    st.text(
        alphabet=st.sampled_from(list("`*_[]()<>|#!&;:\"'-=~$%\\{}\n\r\u2028\x85 ab")),
        min_size=1,
        max_size=40,
    ),
)
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def parse(markdown: str) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(markdown)


def shown(value: str) -> str:
    """What a code span of `value` shows: the value on one line."""
    return one_line(value)


def shown_lines(value: str) -> str:
    """What a table cell of prose (`markdown_text.text_lines`) shows: each line trimmed, joined by
    the `<br>` the cell keeps them apart with."""
    return "<br>".join(one_line(line).strip() for line in _LINE_BREAK.split(value.strip()))


def headings(tokens: list[Token]) -> list[tuple[str, Token]]:
    """(tag, inline token) of every heading, in order."""
    return [(tokens[i].tag, tokens[i + 1]) for i, token in enumerate(tokens) if token.type == "heading_open"]


def code_spans(inline: Token) -> list[str]:
    return [child.content for child in inline.children or [] if child.type == "code_inline"]


def inline_code_everywhere(tokens: list[Token]) -> list[str]:
    return [span for token in tokens if token.type == "inline" for span in code_spans(token)]


def visible(inline: Token) -> str:
    """The text a reader sees of an inline token: its text, code spans' content and our `<br>`s;
    emphasis markers and everything else leave no text."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline") or (child.type == "html_inline" and child.content == "<br>"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")  # a line break the document did not write: the comparison fails
    return "".join(parts)


def table_rows(tokens: list[Token]) -> list[list[list[Token]]]:
    """Each table's body rows, each row the inline token of each of its cells."""
    tables: list[list[list[Token]]] = []
    in_body = False
    for token in tokens:
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tbody_open":
            in_body = True
        elif token.type == "tbody_close":
            in_body = False
        elif in_body and token.type == "tr_open":
            tables[-1].append([])
        elif in_body and token.type == "inline":
            tables[-1][-1].append(token)
    return tables


def assert_no_markup_of_its_own(
    tokens: list[Token],
    *,
    html_blocks: re.Pattern[str] | None = None,
    fences: tuple[str, ...] = (),
    html_inline: frozenset[str] = frozenset(),
) -> None:
    """No indented code block, no fence but the document's own (by info string), no HTML block but
    those `html_blocks` matches, no inline HTML but the document's own (`<br>` in a multi-line cell)."""
    for token in tokens:
        assert token.type != "code_block", f"an indented code block: {token.content!r}"
        if token.type == "fence":
            assert token.info in fences, f"a fence of its own: {token.content!r}"
        if token.type == "html_block":
            assert html_blocks and html_blocks.match(token.content), f"HTML from config: {token.content!r}"
        for child in token.children or []:
            if child.type == "html_inline":
                assert child.content in html_inline, f"inline HTML from config: {child.content!r}"
