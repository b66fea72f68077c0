#pragma once
// Helpers for the XLSX, XLS and ZIP tests: scratch directories, ZIP archives written with libarchive, raw
// XLSX packages built from XML snippets, the Python workbook generator, and reading a RowReader to the end.
#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "mt/ingest/row_reader.hpp"

namespace mt::ingest::testing {

/// A fresh directory under the temp directory; removed with its content on destruction.
class ScratchDir {
public:
    ScratchDir() {
        static int counter = 0;
        path_ = std::filesystem::temp_directory_path() /
                ("mt_xlsx_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    [[nodiscard]] std::string path() const { return path_.string(); }
    [[nodiscard]] std::string File(const std::string& name) const { return (path_ / name).string(); }
    [[nodiscard]] std::size_t Count() const {
        return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(path_), {}));
    }

private:
    std::filesystem::path path_;
};

inline void WriteFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Writes a ZIP file entry by entry with libarchive's writer (deflate), streaming data of any size.
class ZipWriter {
public:
    explicit ZipWriter(const std::string& path, const char* passphrase = nullptr) : a_(archive_write_new()) {
        archive_write_set_format_zip(a_.get());
        // Names as UTF-8 with ZIP's UTF-8 flag set, as current zip tools write them.
        Check(archive_write_set_options(a_.get(), "zip:hdrcharset=UTF-8"));
        if (passphrase != nullptr) {
            Check(archive_write_set_options(a_.get(), "zip:encryption=zipcrypt"));
            Check(archive_write_set_passphrase(a_.get(), passphrase));
        }
        Check(archive_write_open_filename(a_.get(), path.c_str()));
    }
    ~ZipWriter() {
        if (a_) archive_write_close(a_.get());  // tests call Close() to see errors; never throw here
    }

    ZipWriter& Add(const std::string& name, const std::string& content) {
        Header(name, AE_IFREG, static_cast<std::int64_t>(content.size()));
        if (!content.empty() && archive_write_data(a_.get(), content.data(), content.size()) < 0) Fail();
        return *this;
    }
    /// `prefix`, `size` bytes of `fill`, `suffix`; written 1 MiB at a time: never held in memory at once.
    ZipWriter& AddRepeated(const std::string& name, std::uint64_t size, char fill, const std::string& prefix = "",
                           const std::string& suffix = "") {
        Header(name, AE_IFREG, static_cast<std::int64_t>(prefix.size() + size + suffix.size()));
        if (!prefix.empty() && archive_write_data(a_.get(), prefix.data(), prefix.size()) < 0) Fail();
        const std::string chunk(1 << 20, fill);
        for (std::uint64_t left = size; left > 0;) {
            const std::size_t n = left < chunk.size() ? static_cast<std::size_t>(left) : chunk.size();
            if (archive_write_data(a_.get(), chunk.data(), n) < 0) Fail();
            left -= n;
        }
        if (!suffix.empty() && archive_write_data(a_.get(), suffix.data(), suffix.size()) < 0) Fail();
        return *this;
    }
    /// `size` bytes made by `next`, which appends one or more bytes to the (cleared) chunk it is given each time
    /// it is called; the last chunk is cut to fit. Never holds more than one chunk.
    ZipWriter& AddGenerated(const std::string& name, std::uint64_t size,
                            const std::function<void(std::string& chunk)>& next) {
        Header(name, AE_IFREG, static_cast<std::int64_t>(size));
        std::string chunk;
        for (std::uint64_t left = size; left > 0;) {
            chunk.clear();
            next(chunk);
            const std::size_t n = left < chunk.size() ? static_cast<std::size_t>(left) : chunk.size();
            if (archive_write_data(a_.get(), chunk.data(), n) < 0) Fail();
            left -= n;
        }
        return *this;
    }
    ZipWriter& AddDir(const std::string& name) {
        Header(name, AE_IFDIR, 0);
        return *this;
    }
    ZipWriter& AddSymlink(const std::string& name, const std::string& target) {
        std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(), &archive_entry_free);
        archive_entry_set_pathname(entry.get(), name.c_str());
        archive_entry_set_filetype(entry.get(), AE_IFLNK);
        archive_entry_set_perm(entry.get(), 0777);
        archive_entry_set_symlink(entry.get(), target.c_str());
        Check(archive_write_header(a_.get(), entry.get()));
        return *this;
    }
    void Close() {
        if (a_) Check(archive_write_close(a_.get()));
        a_.reset();
    }

private:
    struct Free {
        void operator()(archive* a) const { archive_write_free(a); }
    };
    void Header(const std::string& name, unsigned type, std::int64_t size) {
        std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(), &archive_entry_free);
        archive_entry_set_pathname(entry.get(), name.c_str());
        archive_entry_set_filetype(entry.get(), type);
        archive_entry_set_perm(entry.get(), type == AE_IFDIR ? 0755 : 0644);
        archive_entry_set_size(entry.get(), size);
        Check(archive_write_header(a_.get(), entry.get()));
    }
    void Check(int rc) {
        if (rc < ARCHIVE_WARN) Fail();
    }
    [[noreturn]] void Fail() { throw std::runtime_error(archive_error_string(a_.get())); }

    std::unique_ptr<archive, Free> a_;
};

/// Parts of a hand-made XLSX package; defaults make a valid one-sheet workbook.
struct RawXlsx {
    std::vector<std::string> sheets = {"<sheetData/>"};  // inner XML of each <worksheet>
    std::string shared_strings;                          // <si> items; no part when empty
    std::string styles;                                  // inner XML of <styleSheet>; no part when empty
    std::string workbook_pr;                             // e.g. R"(<workbookPr date1904="1"/>)"
    bool absolute_targets = false;                       // "/xl/worksheets/sheet1.xml"
    bool with_workbook = true;
    // When set, writes the part xl/sharedStrings.xml itself (given the namespace attributes for <sst>), in place
    // of `shared_strings`: for tables too large to hold in memory (ZipWriter::AddGenerated).
    std::function<void(ZipWriter& zip, const std::string& namespaces)> write_shared_strings;
};

inline void WriteRawXlsx(const std::string& path, const RawXlsx& x) {
    constexpr const char* kMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    constexpr const char* kRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const std::string ns = std::string(" xmlns=\"") + kMain + "\" xmlns:r=\"" + kRel + "\"";
    ZipWriter zip(path);
    zip.Add("[Content_Types].xml",
            R"(<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">)"
            R"(<Default Extension="xml" ContentType="application/xml"/></Types>)");
    zip.Add("_rels/.rels",
            std::string(R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)") +
                "<Relationship Id=\"rId1\" Type=\"" + kRel + "/officeDocument\" Target=\"xl/workbook.xml\"/>" +
                "</Relationships>");
    std::string sheets, rels;
    for (std::size_t i = 0; i < x.sheets.size(); ++i) {
        const std::string n = std::to_string(i + 1);
        sheets += "<sheet name=\"Sheet" + n + "\" sheetId=\"" + n + "\" r:id=\"rId" + n + "\"/>";
        rels += "<Relationship Id=\"rId" + n + "\" Type=\"" + kRel + "/worksheet\" Target=\"" +
                (x.absolute_targets ? "/xl/" : "") + "worksheets/sheet" + n + ".xml\"/>";
        zip.Add("xl/worksheets/sheet" + n + ".xml", "<worksheet" + ns + ">" + x.sheets[i] + "</worksheet>");
    }
    if (!x.shared_strings.empty() || x.write_shared_strings) {
        rels +=
            std::string("<Relationship Id=\"rIdS\" Type=\"") + kRel + "/sharedStrings\" Target=\"sharedStrings.xml\"/>";
        if (x.write_shared_strings) {
            x.write_shared_strings(zip, ns);
        } else {
            zip.Add("xl/sharedStrings.xml", "<sst" + ns + ">" + x.shared_strings + "</sst>");
        }
    }
    if (!x.styles.empty()) {
        rels += std::string("<Relationship Id=\"rIdY\" Type=\"") + kRel + "/styles\" Target=\"styles.xml\"/>";
        zip.Add("xl/styles.xml", "<styleSheet" + ns + ">" + x.styles + "</styleSheet>");
    }
    if (x.with_workbook) {
        zip.Add("xl/workbook.xml",
                "<workbook" + ns + ">" + x.workbook_pr + "<sheets>" + sheets + "</sheets></workbook>");
    }
    zip.Add("xl/_rels/workbook.xml.rels",
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" + rels +
                "</Relationships>");
}

using Rows = std::vector<std::vector<std::string>>;

/// Every row of a reader, with their line numbers, or the first error.
struct ReadOutcome {
    Rows rows;
    std::vector<std::int64_t> lines;
    bool ok = true;
    std::string error;
    std::vector<ReadWarning> warnings;  // error cells, formulas without their result
};

inline ReadOutcome ReadAll(Result<std::unique_ptr<RowReader>> opened) {
    if (!opened) return {{}, {}, false, opened.error().message, {}};
    ReadOutcome out;
    std::vector<std::string> cells;
    while (true) {
        auto more = (*opened)->Next(cells);
        if (!more) {
            out.ok = false;
            out.error = more.error().message;
            return out;
        }
        if (!*more) {
            out.warnings = (*opened)->warnings();
            return out;
        }
        out.rows.push_back(cells);
        out.lines.push_back((*opened)->line());
    }
}

inline std::string DataFile(const std::string& relative) { return std::string(MT_INGEST_TEST_DATA) + "/" + relative; }

/// Runs tests/support/make_spreadsheet.py with Debian's python (python3-openpyxl, python3-xlwt).
/// `args` is either "SPEC.json OUT" or "--large N OUT". Returns the exit status (0 on success).
inline int MakeSpreadsheet(const std::string& args) {
    const std::string script = std::string(MT_INGEST_TEST_DATA) + "/../../../../tests/support/make_spreadsheet.py";
    return std::system(("/usr/bin/python3 " + script + " " + args).c_str());
}

}  // namespace mt::ingest::testing
