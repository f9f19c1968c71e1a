"""Reading the page: an HTML page (stdlib ``html.parser``; ``&nbsp;`` becomes a space) or its text
→ numbered lines, links and the first ``<h1>``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from regiold.errors import RegioldError


class ImportError_(RegioldError):  # noqa: N801 - ImportError is a builtin
    title = "Import failed"


@dataclass(frozen=True)
class Line:
    no: int  # 1-based line in the page file where the text starts
    text: str
    starts: tuple[tuple[int, int], ...] = ()  # (offset in text, page line) where a page line begins

    def line_at(self, offset: int) -> int:
        """The page line of the character at ``offset`` (HTML paragraphs span several lines)."""
        return max((no for start, no in self.starts if start <= offset), default=self.no)


@dataclass(frozen=True)
class Link:
    href: str | None
    text: str
    line: int


@dataclass
class Page:
    path: Path
    lines: list[Line]
    links: list[Link]
    heading: str | None  # the first <h1>, if the page is HTML
    html: bool
    content: bytes


_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
          "th", "section", "article", "header", "footer", "main", "address", "table", "dd", "dt",
          "hr", "blockquote", "aside", "figure", "figcaption", "form"}
_SKIP = {"script", "style", "noscript", "template", "svg", "head", "title"}


class _HtmlText(HTMLParser):
    """Text lines with the page line each starts on, the links, and the first <h1>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.links: list[Link] = []
        self.h1: str | None = None
        self._buffer: list[tuple[str, int]] = []  # (text, page line)
        self._skip = 0
        self._href: tuple[str, int] | None = None
        self._anchor: list[str] = []
        self._in_h1 = False
        self._h1_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCK:
            self._flush()
        if tag == "a":
            self._href = (dict(attrs).get("href") or "", self.getpos()[0])
            self._anchor = []
        if tag == "h1" and self.h1 is None:
            self._in_h1, self._h1_text = True, []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self._flush()
        if tag == "a" and self._href is not None:
            href, line = self._href
            self.links.append(Link(href.strip() or None, _clean(" ".join(self._anchor)), line))
            self._href = None
        if tag == "h1" and self._in_h1:
            self._in_h1 = False
            self.h1 = _clean(" ".join(self._h1_text)) or None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._href is not None:
            self._anchor.append(data)
        if self._in_h1:
            self._h1_text.append(data)
        line = self.getpos()[0]
        for offset, part in enumerate(data.split("\n")):
            if part.strip():
                self._buffer.append((part, line + offset))

    def _flush(self) -> None:
        """One block of text (a paragraph) becomes one Line; inline markup does not break it."""
        text, starts = "", []
        for part, line in self._buffer:
            part = _clean(part)
            if part:
                if text and not text.endswith(" "):
                    text += " "
                starts.append((len(text), line))
                text += part
        text = _clean(text)
        if text:
            self.lines.append(Line(starts[0][1], text, tuple(starts)))
        self._buffer = []

    def close(self) -> None:
        super().close()
        self._flush()


def _clean(text: str) -> str:
    return re.sub(r"[ \t\u00a0\u2007\u202f]+", " ", text.replace("\u200b", "")).strip()


def read_page(path: Path) -> Page:
    """Read an HTML page or a text page into numbered lines and links.

    :raises ImportError_: the file cannot be read or is not UTF-8/Latin-1 text.
    """
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ImportError_(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    if _looks_like_html(path, text):
        parser = _HtmlText()
        parser.feed(text)
        parser.close()
        return Page(path, parser.lines, parser.links, parser.h1, True, content)
    lines = [Line(i, _clean(t)) for i, t in enumerate(text.splitlines(), start=1) if _clean(t)]
    links = [Link(url.rstrip(".,;)"), url, line.no) for line in lines
             for url in re.findall(r"https?://\S+", line.text)]
    return Page(path, lines, links, None, False, content)


def _looks_like_html(path: Path, text: str) -> bool:
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        return True
    return bool(re.search(r"<(html|body|p|div|h1|br)\b[^>]*>", text[:20000], re.IGNORECASE))
