"""Malformed and hostile files for the survey import (tests/test_hostile_files.py).

    .venv/bin/python tests/data/bad/make_bad_files.py

writes the small files next to this script (they are committed; a test checks they are what
this script makes). The large ones (a real zip bomb, a million empty rows, 10,000 columns, a
200,000-character cell) are made by ``LARGE`` when the test runs, never committed.

Workbooks are assembled part by part with fixed zip dates, so every run gives the same bytes.
"""

import io
import random
import struct
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).parent
HEADER = ["Nom de l'organisation", "Sigle", "Zones"]
ROW = ["Association Tilé-Coura pour l'Entraide", "ATCE", "Kayes"]

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def sheet_xml(rows: list[list[str]], dimension: str = "", extra_rows: str = "") -> str:
    cells = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{_column(c)}{r}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
            for c, value in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    dimension_tag = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{SHEET_OPEN}{dimension_tag}<sheetData>{cells}{extra_rows}</sheetData></worksheet>"


def workbook(parts: dict[str, str | bytes], skip: tuple[str, ...] = ()) -> bytes:
    """An XLSX package: the standard parts, overridden or removed as asked."""
    standard = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet_xml([HEADER, ROW]),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {**standard, **parts}.items():
            if name not in skip:
                archive.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def _declare_size(content: bytes, part: str, size: int) -> bytes:
    """Rewrite the uncompressed size a zip declares for ``part`` (local and central headers)."""
    data = bytearray(content)
    name = part.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        while start != -1:
            name_offset = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_offset : name_offset + len(name)] == name:
                struct.pack_into("<I", data, start + offset, size)
            start = data.find(signature, start + 4)
    return bytes(data)


def compound_document(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (what .xls and password-protected .xlsx files are).

    Streams are padded to 4,096 bytes so they live in the regular sectors (no mini stream).
    """
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    sector = 512
    fat = [fat_sector, end]  # sector 0: the FAT itself, sector 1: the directory
    bodies, entries = b"", []
    for name, data in streams.items():
        data = data.ljust(max(4096, -(-len(data) // sector) * sector), b"\x00")
        first = len(fat)
        count = len(data) // sector
        fat += [first + i + 1 for i in range(count - 1)] + [end]
        entries.append((name, 2, first, len(data)))
        bodies += data
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, right: int, child: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBBIII", len(encoded), kind, 1, free, right, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, size)
        )

    # Siblings sorted by (length, name), chained to the right: a valid, if lopsided, tree.
    ordered = sorted(entries, key=lambda e: (len(e[0]), e[0].upper()))
    directory = entry("Root Entry", 5, end, 0, free, 1)
    for index, (name, kind, start, size) in enumerate(ordered, start=1):
        directory += entry(
            name, kind, start, size, index + 1 if index < len(ordered) else free, free
        )
    directory = directory.ljust(sector, b"\x00")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    return header + struct.pack(f"<{len(fat)}I", *fat) + directory + bodies


def csv(rows: list[list[str]], separator: str = ";", encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(separator.join(row) for row in rows) + "\r\n").encode(encoding)


def junk(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def zip_bomb() -> bytes:
    """A real one: 210 MB of spaces in the sheet, about 200 KB on disk."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": PACKAGE_RELS,
            "xl/workbook.xml": WORKBOOK,
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        }.items():
            archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_OPEN.encode())
            block = b" " * 1_048_576
            for _ in range(210):
                sheet.write(block)
            sheet.write(b"<sheetData/></worksheet>")
    return buffer.getvalue()


def million_empty_rows_xlsx() -> bytes:
    empty = "".join(f'<row r="{r}"/>' for r in range(2, 1_048_577))
    return workbook({"xl/worksheets/sheet1.xml": sheet_xml([HEADER], extra_rows=empty)})


def ten_thousand_columns_xlsx() -> bytes:
    return workbook(
        {"xl/worksheets/sheet1.xml": sheet_xml([[f"colonne {i}" for i in range(10_000)], ROW])}
    )


def _pdf() -> bytes:
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


SMALL: dict[str, Callable[[], bytes]] = {
    "empty.csv": lambda: b"",
    "empty.xlsx": lambda: b"",
    "blank_lines.csv": lambda: b"\r\n  \r\n\t\r\n",
    "separators_only.csv": lambda: b";;;\r\n" * 200,
    "header_only.csv": lambda: csv([HEADER]),
    "header_only.xlsx": lambda: workbook({"xl/worksheets/sheet1.xml": sheet_xml([HEADER])}),
    "million_empty_rows_compact.xlsx": lambda: workbook(
        {
            "xl/worksheets/sheet1.xml": sheet_xml(
                [HEADER],
                dimension="A1:XFD1048576",
                extra_rows='<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>'
                "Association perdue</t></is></c></row>",
            )
        }
    ),
    "truncated.xlsx": lambda: workbook({})[:700],
    "zip_bomb_declared.xlsx": lambda: _declare_size(
        workbook({}), "xl/worksheets/sheet1.xml", 0xF000_0000
    ),
    "zip_lying_size.xlsx": lambda: _declare_size(workbook({}), "xl/worksheets/sheet1.xml", 100),
    "xml_bomb_sheet.xlsx": lambda: workbook(
        {
            "xl/worksheets/sheet1.xml": BILLION_LAUGHS
            + sheet_xml([HEADER, ["&lol9;"]]).split("?>", 1)[1].replace("&amp;lol9;", "&lol9;")
        }
    ),
    "xml_bomb_shared_strings.xlsx": lambda: workbook(
        {
            "xl/sharedStrings.xml": BILLION_LAUGHS
            + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            "<si><t>&lol9;</t></si></sst>",
            "xl/worksheets/sheet1.xml": sheet_xml([HEADER]).replace(
                "</sheetData>", '<row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData>'
            ),
        }
    ),
    "external_entity.xlsx": lambda: workbook(
        {
            "xl/worksheets/sheet1.xml": '<?xml version="1.0"?>'
            '<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + sheet_xml([HEADER, ["&xxe;"]]).split("?>", 1)[1].replace("&amp;xxe;", "&xxe;")
        }
    ),
    "nul_in_sheet.xlsx": lambda: workbook(
        {
            "xl/worksheets/sheet1.xml": sheet_xml([HEADER, ["Association&#0;nulle"]]).replace(
                "&amp;#0;", "&#0;"
            )
        }
    ),
    "missing_sheet.xlsx": lambda: workbook({}, skip=("xl/worksheets/sheet1.xml",)),
    "not_a_workbook.xlsx": lambda: workbook({"readme.txt": "bonjour"}, skip=("xl/workbook.xml",)),
    "encrypted.xlsx": lambda: compound_document(
        {
            # Agile encryption: version 4.4, then an XML descriptor; the package is ciphertext.
            "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00"
            + b'<?xml version="1.0"?><encryption xmlns="http://schemas.microsoft.com/office/'
            b'2006/encryption"/>',
            "EncryptedPackage": struct.pack("<Q", 4096) + junk(4096, 1),
        }
    ),
    # A BIFF8 BOF record then end-of-file: the start of every Excel 97-2003 workbook.
    "old_binary.xls": lambda: compound_document(
        {"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00" + b"\x00" * 12 + b"\x0a\x00\x00\x00"}
    ),
    "pdf_renamed.xlsx": _pdf,
    "pdf_renamed.csv": _pdf,
    "binary_junk.csv": lambda: junk(4096, 2),
    "binary_junk.xlsx": lambda: junk(4096, 3),
    "utf16.csv": lambda: csv([HEADER, ROW], "\t", "utf-16"),
    "mixed_encodings.csv": lambda: (
        csv([HEADER])
        + "Société A;SA;Kayes\r\n".encode()
        + "Société B;SB;Ségou\r\n".encode("cp1252")
    ),
    "nul_bytes.csv": lambda: csv([HEADER]) + b"Association\x00A;AA;Kayes\r\n",
    "header_matches_nothing.csv": lambda: csv(
        [["Produit", "Prix", "Quantité"], ["Riz", "500", "3"]]
    ),
    "dde_formulas.csv": lambda: csv([HEADER, ["=cmd|' /C calc'!A0", "X", "Kayes"]]),
    "formulas.xlsx": lambda: workbook(
        {
            "xl/worksheets/sheet1.xml": sheet_xml([HEADER]).replace(
                "</sheetData>",
                '<row r="2"><c r="A2"><f>cmd|\' /C calc\'!A0</f><v>0</v></c>'
                '<c r="B2"><f>HYPERLINK("http://example.invalid","x")</f></c></row></sheetData>',
            )
        }
    ),
    "markup_in_names.csv": lambda: csv(
        [
            HEADER,
            ["<script>alert(1)</script>", "SA", "Kayes"],
            ["Association B", '"><img src=x onerror=alert(1)>', "Kayes"],
        ]
    ),
    "overlong_name.csv": lambda: csv([HEADER, ["Association " + "très " * 200, "AL", "Kayes"]]),
}

LARGE: dict[str, Callable[[], bytes]] = {
    "zip_bomb.xlsx": zip_bomb,
    "million_empty_rows.xlsx": million_empty_rows_xlsx,
    "million_empty_rows.csv": lambda: csv([HEADER]) + b";;\r\n" * 1_000_000,
    "ten_thousand_columns.csv": lambda: csv([[f"colonne {i}" for i in range(10_000)], ROW]),
    "ten_thousand_columns.xlsx": ten_thousand_columns_xlsx,
    "cell_of_200000_characters.csv": lambda: csv([HEADER, ["A" * 200_000, "AA", "Kayes"]]),
}


def main(directory: Path = HERE) -> None:
    for name, make in SMALL.items():
        (directory / name).write_bytes(make())


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
