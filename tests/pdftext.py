"""Text and structure of a PDF as a reader sees them, for assertions on generated documents."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data), strict=True)


def pdf_pages(data: bytes) -> list[str]:
    """The extracted text of each page."""
    return [page.extract_text() or "" for page in pdf_reader(data).pages]


def pdf_text(data: bytes) -> str:
    """All the document's text, page after page."""
    return "\n".join(pdf_pages(data))


def embedded_fonts(data: bytes) -> set[str]:
    """Base names of the fonts whose program is inside the file (subsets are ABCDEF+Name)."""
    found: set[str] = set()
    for page in pdf_reader(data).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descriptors = [font.get("/FontDescriptor")] + [
                child.get_object().get("/FontDescriptor")
                for child in font.get("/DescendantFonts", [])
            ]
            for descriptor in descriptors:
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    found.add(str(font["/BaseFont"]).lstrip("/"))
    return found
