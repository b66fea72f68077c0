#!/usr/bin/python3
"""Write real-world-style .xlsx / .xls test workbooks with typed cells.

Run with Debian's interpreter (/usr/bin/python3) and the packages python3-openpyxl and python3-xlwt.

Usage:
    make_spreadsheet.py SPEC.json OUT.(xlsx|xls)      workbook described by a JSON spec (below)
    make_spreadsheet.py --large N OUT.(xlsx|xls)      one sheet: a header and N generated typed rows

Spec:
    {"date1904": false,            # 1904 date system
     "shared_strings": true,       # xlsx: store strings in sharedStrings.xml as Excel does (openpyxl writes
                                   #       inline strings; they are converted after saving)
     "sheets": [{"name": "Data", "rows": [[cell, ...], null, ...]}]}   # null or [] row: no row element

Cells: null (no cell), a number, a string, true/false, or an object:
    {"date": "2024-01-15"}                  date with format "yyyy-mm-dd" (or "format": "dd/mm/yyyy" ...)
    {"datetime": "2024-01-15T10:30:00.250"}  with format "yyyy-mm-dd hh:mm:ss"
    {"time": "12:30:00"}                    with format "hh:mm:ss"
    {"number": 1.5, "format": "0.00"}       number with a number format
    {"formula": "B2*2", "cached": 3}        xlsx: formula with a cached value (openpyxl computes none, so the
                                            value is written into the saved XML); xls: xlwt formula
"""
import datetime
import json
import re
import sys
import zipfile

DEFAULT_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss", "time": "hh:mm:ss"}


def typed_value(cell):
    """Return (python value, number format or None, formula cached value or None)."""
    if not isinstance(cell, dict):
        return cell, None, None
    if "date" in cell:
        return datetime.date.fromisoformat(cell["date"]), cell.get("format", DEFAULT_FORMATS["date"]), None
    if "datetime" in cell:
        value = datetime.datetime.fromisoformat(cell["datetime"])
        return value, cell.get("format", DEFAULT_FORMATS["datetime"]), None
    if "time" in cell:
        return datetime.time.fromisoformat(cell["time"]), cell.get("format", DEFAULT_FORMATS["time"]), None
    if "number" in cell:
        return cell["number"], cell.get("format"), None
    if "formula" in cell:
        return "=" + cell["formula"], None, cell.get("cached")
    raise ValueError("unknown cell object: %r" % (cell,))


def large_spec(count):
    rows = [["id", "name", "amount", "when", "active"]]
    for i in range(count):
        rows.append([i + 1, "name-%d" % i, i * 1.25, {"date": "2024-01-%02d" % (i % 28 + 1)}, i % 2 == 0])
    return {"sheets": [{"name": "Data", "rows": rows}]}


# ---------------------------------------------------------------- xlsx (openpyxl + post-processing)

def write_xlsx(spec, out):
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if spec.get("date1904"):
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    cached = {}  # (sheet index, "B2") -> cached formula value
    for sheet_index, sheet in enumerate(spec["sheets"]):
        ws = wb.create_sheet(sheet.get("name", "Sheet%d" % (sheet_index + 1)))
        for r, row in enumerate(sheet.get("rows", []), start=1):
            for c, cell in enumerate(row or [], start=1):
                if cell is None:
                    continue
                value, number_format, cached_value = typed_value(cell)
                target = ws.cell(row=r, column=c, value=value)
                if number_format:
                    target.number_format = number_format
                if cached_value is not None:
                    cached[(sheet_index, "%s%d" % (get_column_letter(c), r))] = cached_value
    wb.save(out)
    post_process_xlsx(out, cached, spec.get("shared_strings", True))


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def post_process_xlsx(path, cached, shared_strings):
    with zipfile.ZipFile(path) as z:
        parts = {info.filename: z.read(info.filename) for info in z.infolist()}
    sst = []  # shared strings in first-use order
    sst_index = {}

    def to_shared(match):
        text = match.group(3)
        if text not in sst_index:
            sst_index[text] = len(sst)
            sst.append(text)
        return '<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2), sst_index[text])

    sheet_names = sorted((n for n in parts if re.match(r"xl/worksheets/sheet\d+\.xml$", n)),
                         key=lambda n: int(re.search(r"(\d+)\.xml$", n).group(1)))
    for sheet_index, name in enumerate(sheet_names):
        xml = parts[name].decode("utf-8")
        for (index, ref), value in cached.items():
            if index != sheet_index:
                continue
            if isinstance(value, bool):
                kind, text = ' t="b"', "1" if value else "0"
            elif isinstance(value, str):
                kind, text = ' t="str"', xml_escape(value)
            else:
                kind, text = "", repr(value)
            xml = re.sub(r'<c r="%s"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?</c>' % ref,
                         lambda m: '<c r="%s"%s%s><f>%s</f><v>%s</v></c>' % (ref, m.group(1), kind, m.group(2), text),
                         xml)
        if shared_strings:
            xml = re.sub(r'<c r="([A-Z]+\d+)"([^>]*?) t="inlineStr"><is><t(?: [^>]*)?>(.*?)</t></is></c>', to_shared,
                         xml)
        parts[name] = xml.encode("utf-8")
    if sst:
        items = "".join('<si><t xml:space="preserve">%s</t></si>' % text for text in sst)
        parts["xl/sharedStrings.xml"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
            "%s</sst>" % (len(sst), len(sst), items)).encode("utf-8")
        rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
        rels = rels.replace("</Relationships>",
                            '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                            'sharedStrings" Target="sharedStrings.xml" Id="rIdSst"/></Relationships>')
        parts["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")
        types = parts["[Content_Types].xml"].decode("utf-8")
        types = types.replace("</Types>",
                              '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                              'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        parts["[Content_Types].xml"] = types.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


# ---------------------------------------------------------------- xls (xlwt)

def write_xls(spec, out):
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    if spec.get("date1904"):
        wb.dates_1904 = True
    styles = {}

    def style_for(number_format):
        if number_format not in styles:
            styles[number_format] = xlwt.easyxf(num_format_str=number_format)
        return styles[number_format]

    for sheet_index, sheet in enumerate(spec["sheets"]):
        ws = wb.add_sheet(sheet.get("name", "Sheet%d" % (sheet_index + 1)))
        for r, row in enumerate(sheet.get("rows", [])):
            for c, cell in enumerate(row or []):
                if cell is None:
                    continue
                value, number_format, _ = typed_value(cell)
                if isinstance(value, str) and value.startswith("="):
                    value = xlwt.Formula(value[1:])
                if number_format:
                    ws.write(r, c, value, style_for(number_format))
                elif isinstance(value, (datetime.date, datetime.time)):
                    ws.write(r, c, value, style_for(DEFAULT_FORMATS["date"]))
                else:
                    ws.write(r, c, value)
    wb.save(out)


def main(argv):
    if len(argv) == 4 and argv[1] == "--large":
        spec, out = large_spec(int(argv[2])), argv[3]
    elif len(argv) == 3:
        with open(argv[1], encoding="utf-8") as f:
            spec = json.load(f)
        out = argv[2]
    else:
        sys.stderr.write(__doc__)
        return 2
    if out.endswith(".xlsx"):
        write_xlsx(spec, out)
    elif out.endswith(".xls"):
        write_xls(spec, out)
    else:
        sys.stderr.write("output must end in .xlsx or .xls\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
