"""PDF files from HTML: WeasyPrint with the project's own fonts, and nothing fetched.

Every PDF the site makes is rendered here. The fonts are the ones shipped in
``common/data/fonts`` (declared by ``FONT_CSS``), and the URL fetcher refuses anything but
those files and inline ``data:`` URLs: a PDF never depends on the network nor on what a
server's disk holds, and a value that found its way into a page cannot make the server
fetch an address.

A long document is rendered in parts (``PartsWriter``): WeasyPrint keeps the layout of a
whole document in memory, about 1.8 MB a page, so a part of a few hundred entries is laid
out, written to a temporary file and dropped before the next; qpdf (pikepdf) then joins
the parts' pages into one file, with bookmarks, without laying anything out again.
"""

import io
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pikepdf
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

FONTS_DIR = Path(__file__).resolve().parent / "data" / "fonts"
# A family name no system font has: the shipped files are the only ones it can mean.
FONT_FAMILY = "Annuaire Sans"
FONT_FILES = {"normal": "DejaVuSansCondensed.ttf", "bold": "DejaVuSansCondensed-Bold.ttf"}

FONT_CSS = "\n".join(
    f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
    f'src: url("{(FONTS_DIR / name).as_uri()}"); }}'
    for weight, name in FONT_FILES.items()
)


class LocalFetcher(URLFetcher):
    """WeasyPrint's fetcher, limited to the shipped fonts and ``data:`` URLs: any other
    address (http, https, ftp, another file) is refused, and WeasyPrint goes on without it."""

    allowed = frozenset((FONTS_DIR / name).as_uri() for name in FONT_FILES.values())

    def fetch(self, url, headers=None):
        if url.startswith("data:") or url in self.allowed:
            return super().fetch(url, headers)
        raise ValueError(f"Not fetched (PDFs use local resources only): {url}")


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def render_pdf(html: str, css: str = "") -> Rendered:
    """The PDF of one document (a profile sheet, the cover of a long one) and its length."""
    document = _document(html, css, FontConfiguration())
    return Rendered(document.write_pdf(), len(document.pages))


def _document(html: str, css: str, fonts: FontConfiguration):
    stylesheets = [CSS(string=FONT_CSS + css, font_config=fonts, url_fetcher=LocalFetcher())]
    return HTML(string=html, url_fetcher=LocalFetcher()).render(
        stylesheets=stylesheets, font_config=fonts
    )


class PartsWriter:
    """Render a long document part by part, then join the parts into one PDF.

    ``add(html)`` lays out one part, its pages numbered on from the previous part's
    (``@page :first { counter-reset: page N }``), writes it to a temporary file and returns
    the number of its first page; ``join(output, front)`` writes the front matter's PDF
    (rendered last, once the page numbers it shows are known) and every part, in order.
    """

    def __init__(self, css: str, first_page: int = 1):
        self.css = css
        self.next_page = first_page
        self._stack = ExitStack()
        self._directory = Path(self._stack.enter_context(tempfile.TemporaryDirectory()))
        self._files: list[Path] = []
        self._fonts = FontConfiguration()

    def __enter__(self) -> "PartsWriter":
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def add(self, html: str) -> int:
        """Lay out and write one part; the page number of its first page."""
        first = self.next_page
        numbering = f"@page :first {{ counter-reset: page {first} }}"
        document = _document(html, self.css + numbering, self._fonts)
        path = self._directory / f"{len(self._files):05d}.pdf"
        document.write_pdf(path)
        self.next_page += len(document.pages)
        self._files.append(path)
        return first

    def join(self, output: BinaryIO, front: bytes, bookmarks: list[tuple[str, int]]) -> int:
        """Write ``front`` (a PDF) then the parts to ``output``, with ``bookmarks`` (title,
        page number as printed); the total number of pages."""
        with pikepdf.Pdf.open(io.BytesIO(front)) as joined, ExitStack() as opened:
            for path in self._files:
                joined.pages.extend(opened.enter_context(pikepdf.Pdf.open(path)).pages)
            with joined.open_outline() as outline:
                for title, page in bookmarks:
                    outline.root.append(pikepdf.OutlineItem(title, page - 1))
            joined.save(output, compress_streams=True)
            return len(joined.pages)
