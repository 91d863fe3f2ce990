"""What rendering tools add to a page's text, undone before the line rules run.

Each tool lays a page out its own way: trafilatura writes YAML front matter, lynx numbers links
and lists them at the end, trafilatura's fallback puts each breadcrumb item on a line, Markdown
writers draw tables with pipes. These passes work on the raw lines of a rendering (see
`parsers.rendering`); the patterns are the named rules of `parsers.boilerplate`.
"""

from __future__ import annotations

from parsers import boilerplate as rules


def table_rows(lines: list[str]) -> dict[int, list[str] | None]:
    """Line index → the cells of a Markdown table row (None for its delimiter row)."""
    rows: dict[int, list[str] | None] = {}
    for i, line in enumerate(lines):
        if i == 0 or not rules.MD_TABLE_DELIMITER.match(line) or "|" not in lines[i - 1]:
            continue
        rows[i] = None
        rows[i - 1] = _cells(lines[i - 1])
        j = i + 1
        while j < len(lines) and rules.MD_TABLE_ROW.search(lines[j]) and lines[j].strip():
            rows[j] = _cells(lines[j])
            j += 1
    return rows


def _cells(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):  # | a | b |: the outer pipes frame the row (html2text writes none,
        text = text[1:]  # and its trailing pipe then opens an empty last cell)
        if text.endswith("|"):
            text = text[:-1]
    return [" ".join(rules.strip_markup(cell)[0].split()) for cell in text.split("|")]


def front_matter(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """The lines after trafilatura's YAML front matter, and its keys (title, date, …)."""
    if not lines or lines[0].strip() != rules.FRONT_MATTER_FENCE:
        return lines, {}
    for end in range(1, min(len(lines), rules.FRONT_MATTER_MAX_LINES)):
        if lines[end].strip() == rules.FRONT_MATTER_FENCE:
            break
        if not rules.FRONT_MATTER_LINE.match(lines[end]):
            return lines, {}  # a horizontal rule, not front matter
    else:
        return lines, {}
    keys = dict(rules.FRONT_MATTER_LINE.match(line).groups() for line in lines[1:end])
    return lines[end + 1 :], keys


def breadcrumb_runs(lines: list[str]) -> list[str]:
    """A breadcrumb laid one item a line (首页 / > / 政务公开 / > / …) joined into one line."""
    if not any(rules.BREADCRUMB_SEPARATOR_LINE.match(line) for line in lines):
        return lines
    out: list[str] = []
    i = 0
    while i < len(lines):
        if (
            out
            and rules.BREADCRUMB_SEPARATOR_LINE.match(lines[i])
            and i + 1 < len(lines)
            and lines[i + 1].strip()
            and rules.is_breadcrumb_line(f"首页 > {lines[i + 1].strip()}")
            and (out[-1].strip() == "首页" or rules.is_breadcrumb_line(out[-1]))
        ):
            out[-1] = f"{out[-1].strip()} > {lines[i + 1].strip()}"
            i += 2
            continue
        out.append(lines[i])
        i += 1
    return out


def without_lynx_references(lines: list[str]) -> list[str]:
    """A lynx dump without its link list and without the [N] marks; other text as it is."""
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].strip() == rules.LYNX_REFERENCES:
            following = [line for line in lines[i + 1 :] if line.strip()]
            if following and all(rules.LYNX_REFERENCE_LINE.match(line) for line in following):
                return [rules.LYNX_LINK_MARK.sub("", line) for line in lines[:i]]
            break
    return lines
