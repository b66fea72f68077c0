#include "xlsx_workbook.hpp"

#include <charconv>
#include <cstring>
#include <map>
#include <pugixml.hpp>

namespace mt::ingest::detail {
namespace {

struct Relationship {
    std::string type;
    std::string target;  // resolved part name
};
using Relationships = std::map<std::string, Relationship>;  // by Id

/// Element and attribute names are compared without their namespace prefix: producers pick their own
/// prefixes, and Strict OOXML uses other namespace URIs for the same local names.
std::string_view LocalName(const char* name) {
    const char* colon = std::strchr(name, ':');
    return colon != nullptr ? std::string_view(colon + 1) : std::string_view(name);
}

pugi::xml_node Child(pugi::xml_node node, std::string_view local) {
    for (pugi::xml_node child : node.children()) {
        if (child.type() == pugi::node_element && LocalName(child.name()) == local) return child;
    }
    return {};
}

std::string_view Attr(pugi::xml_node node, std::string_view local, bool prefixed = false) {
    for (pugi::xml_attribute attr : node.attributes()) {
        const bool has_prefix = std::strchr(attr.name(), ':') != nullptr;
        if (has_prefix == prefixed && LocalName(attr.name()) == local) return attr.value();
    }
    return {};
}

bool EndsWith(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

int ToInt(std::string_view text, int fallback) {
    int value = fallback;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() ? value : fallback;
}

std::string DirOf(std::string_view part) {
    const std::size_t slash = part.rfind('/');
    return slash == std::string_view::npos ? std::string() : std::string(part.substr(0, slash + 1));
}

Result<pugi::xml_document> ParseXml(const XlsxPackage& package, std::string_view part, const std::string& xml) {
    pugi::xml_document doc;
    const pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size());
    if (!parsed) return package.Invalid(std::string(part) + ": " + parsed.description());
    return doc;
}

/// The relationships of `source_part` (from "<dir>/_rels/<name>.rels"); empty when the part has none.
Result<Relationships> ReadRelationships(const XlsxPackage& package, std::string_view source_part) {
    const std::string dir = DirOf(source_part);
    const std::string rels_part = dir + "_rels/" + std::string(source_part.substr(dir.size())) + ".rels";
    MT_ASSIGN_OR_RETURN(std::optional<std::string> xml, package.ReadSmallPart(rels_part));
    Relationships rels;
    if (!xml) return rels;
    MT_ASSIGN_OR_RETURN(pugi::xml_document doc, ParseXml(package, rels_part, *xml));
    for (pugi::xml_node rel : doc.document_element().children()) {
        if (LocalName(rel.name()) != "Relationship" || Attr(rel, "TargetMode") == "External") continue;
        rels[std::string(Attr(rel, "Id"))] = {std::string(Attr(rel, "Type")), ResolveTarget(dir, Attr(rel, "Target"))};
    }
    return rels;
}

std::optional<std::string> FindByType(const Relationships& rels, std::string_view type_suffix) {
    for (const auto& [id, rel] : rels) {
        if (EndsWith(rel.type, type_suffix)) return rel.target;
    }
    return std::nullopt;
}

/// The workbook part: the package's officeDocument relationship, else the conventional name.
Result<std::string> FindWorkbookPart(const XlsxPackage& package) {
    if (!package.Has("[Content_Types].xml")) return package.Invalid("missing [Content_Types].xml");
    MT_ASSIGN_OR_RETURN(Relationships package_rels, ReadRelationships(package, "/"));
    std::string part = FindByType(package_rels, "/officeDocument").value_or("xl/workbook.xml");
    if (EndsWith(NormalizePartName(part), ".bin")) return package.Invalid("binary (.xlsb) workbooks are not supported");
    if (!package.Has(part)) return package.Invalid("missing " + part);
    return part;
}

}  // namespace

Result<std::vector<NumberKind>> ParseCellFormats(const XlsxPackage& package, const std::string& styles_xml) {
    MT_ASSIGN_OR_RETURN(pugi::xml_document doc, ParseXml(package, "styles.xml", styles_xml));
    const pugi::xml_node style_sheet = doc.document_element();
    std::map<int, NumberKind> custom;  // custom formats override built-in ids
    for (pugi::xml_node fmt : Child(style_sheet, "numFmts").children()) {
        if (LocalName(fmt.name()) != "numFmt") continue;
        custom[ToInt(Attr(fmt, "numFmtId"), -1)] = ClassifyFormatCode(Attr(fmt, "formatCode"));
    }
    std::vector<NumberKind> formats;
    for (pugi::xml_node xf : Child(style_sheet, "cellXfs").children()) {
        if (LocalName(xf.name()) != "xf") continue;
        const int id = ToInt(Attr(xf, "numFmtId"), 0);
        const auto it = custom.find(id);
        formats.push_back(it != custom.end() ? it->second : ClassifyBuiltinFormat(id));
    }
    return formats;
}

Result<WorkbookInfo> ReadWorkbook(const XlsxPackage& package) {
    MT_ASSIGN_OR_RETURN(const std::string workbook_part, FindWorkbookPart(package));
    MT_ASSIGN_OR_RETURN(std::optional<std::string> workbook_xml, package.ReadSmallPart(workbook_part));
    MT_ASSIGN_OR_RETURN(pugi::xml_document doc, ParseXml(package, workbook_part, *workbook_xml));
    MT_ASSIGN_OR_RETURN(Relationships rels, ReadRelationships(package, workbook_part));
    if (rels.empty()) return package.Invalid("missing " + DirOf(workbook_part) + "_rels/workbook.xml.rels");

    WorkbookInfo info;
    const pugi::xml_node workbook = doc.document_element();
    const std::string_view date1904 = Attr(Child(workbook, "workbookPr"), "date1904");
    info.date1904 = date1904 == "1" || date1904 == "true";
    for (pugi::xml_node sheet : Child(workbook, "sheets").children()) {
        if (LocalName(sheet.name()) != "sheet") continue;
        const auto rel = rels.find(std::string(Attr(sheet, "id", /*prefixed=*/true)));
        if (rel == rels.end() || !EndsWith(rel->second.type, "/worksheet")) continue;  // chart, dialog sheets
        info.sheets.push_back({std::string(Attr(sheet, "name")), rel->second.target});
    }
    if (info.sheets.empty()) return package.Invalid("the workbook has no worksheet");

    info.shared_strings_part = FindByType(rels, "/sharedStrings");
    if (!info.shared_strings_part && package.Has("xl/sharedStrings.xml")) {
        info.shared_strings_part = "xl/sharedStrings.xml";
    }
    std::optional<std::string> styles_part = FindByType(rels, "/styles");
    if (!styles_part && package.Has("xl/styles.xml")) styles_part = "xl/styles.xml";
    if (styles_part) {
        MT_ASSIGN_OR_RETURN(std::optional<std::string> styles_xml, package.ReadSmallPart(*styles_part));
        if (styles_xml) {
            MT_ASSIGN_OR_RETURN(info.cell_formats, ParseCellFormats(package, *styles_xml));
        }
    }
    return info;
}

}  // namespace mt::ingest::detail
