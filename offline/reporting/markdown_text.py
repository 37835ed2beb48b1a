"""Strings from config and documents, made safe for each place a generated document puts them.

Every generated Markdown document (the check's markdown report, docs/access/<stack>.md) writes names,
descriptions, conditions and reasons that a stack file or pack config chose. Written raw, a newline
followed by `## X` makes a heading, `<!--` hides the rest of the page and a line of backticks opens a
code block. Each function here renders one string for one context so that it shows exactly as written
(line breaks as ⏎) and can never end that context or start markup of its own.
"""

from __future__ import annotations

import re

LINE_BREAK_SIGN = "⏎"
# Everything a reader or renderer could take for a line end: CommonMark's \n and \r, and the separators
# Python's str.splitlines knows (\v, \f, \x1c-\x1e, \x85, \u2028, \u2029).
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_BACKTICK_RUN = re.compile("`+")
# What GFM could read as markup inside a line: escapes, code, emphasis, links, HTML, tables, strikethrough,
# entities, math and a heading's closing `#`s. Any ASCII punctuation may be backslash-escaped.
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>|~&$#])")
# At the start of a line these open a block: a list item, a thematic break, a setext underline.
_BLOCK_MARKER = re.compile(r"^[-+=]")
_ORDERED_MARKER = re.compile(r"^(\d+)([.)])")
# In a quoted Mermaid label: the string's quote, entity codes' `#`, HTML, Markdown strings' backtick,
# square and curly brackets, statement and edge-text separators, comments (`%%`) and the dashes and `=`
# of arrows. Parentheses are left: inside quotes they are text, and our own labels read better.
_MERMAID_SPECIAL = re.compile(r"""[#"'`<>&\[\]{}|;\\%]|-(?=[-.>])|=(?=[=>])""")


def one_line(text: str) -> str:
    """`text` on one line: every line break shown as ⏎, NUL as the replacement character."""
    return _LINE_BREAK.sub(LINE_BREAK_SIGN, text).replace("\0", "\ufffd")


def code(text: str, *, cell: bool = False) -> str:
    """`text` as an inline code span, in running text, a heading or (`cell`) a table cell.

    The fence is one backtick longer than the longest run inside, so no run can close it; content
    starting or ending with a backtick (or with a space at both ends) is padded with one space, which
    CommonMark strips again. GFM splits table rows on `|` before it sees code spans, so in a cell `|`
    is backslash-escaped (the table parser removes the backslash).
    """
    content = one_line(text)
    if not content:
        return "` `"
    fence = "`" * (max((len(run) for run in _BACKTICK_RUN.findall(content)), default=0) + 1)
    if content[0] == "`" or content[-1] == "`" or (content[0] == content[-1] == " " and content.strip()):
        content = f" {content} "
    if cell:
        content = content.replace("|", "\\|")
    return f"{fence}{content}{fence}"


def text(value: str) -> str:
    """`value` as plain text in running text, a heading or a table cell, even at the start of a line:
    no emphasis, link, HTML, entity, list or heading can start; leading and trailing blanks are dropped
    (an indented line would be code)."""
    escaped = _INLINE_MARKUP.sub(r"\\\1", one_line(value).strip())
    return _ORDERED_MARKER.sub(r"\1\\\2", _BLOCK_MARKER.sub(r"\\\g<0>", escaped))


def text_lines(value: str) -> str:
    """Like `text`, but keeping the line breaks of a multi-line message as `<br>` (table cells)."""
    return "<br>".join(text(line) for line in _LINE_BREAK.split(value.strip()))


def comment(value: str) -> str:
    """`value` inside an HTML comment: on one line, and with no `--`, which could end the comment."""
    line = one_line(value)
    while "--" in line:
        line = line.replace("--", "-\u2010")  # a hyphen, then Unicode's hyphen: reads the same
    return line


def mermaid_label(value: str) -> str:
    """`value` as a quoted Mermaid label: every character Mermaid's parser or its HTML labels would
    read (quotes, brackets, `#`, `;`, `|`, `-->`, `<`, backticks for Markdown strings) as Mermaid's
    `#code;` entity, and line breaks as ⏎ (a line break would end the statement and the code block)."""
    escaped = _MERMAID_SPECIAL.sub(lambda match: f"#{ord(match.group())};", one_line(value))
    return f'"{escaped}"'
