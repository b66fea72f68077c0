#include "inputs.hpp"

#include <fstream>
#include <stdexcept>

#include "mt/testing/env.hpp"
#include "mt/testing/wait.hpp"

namespace pipeline {
namespace {

std::string ReadAll(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Runs Debian's python3 (it has python3-openpyxl and python3-xlwt) on `script` with `args`; throws with the
/// script's output when it fails.
void RunPython(mt::testing::Stack& stack, const std::string& script, std::vector<std::string> args) {
    args.insert(args.begin(), script);
    auto log = stack.scratch_dir() / ("python-" + mt::testing::RandomSuffix() + ".log");
    mt::testing::Process p({"python3", "/usr/bin/python3", std::move(args), {}, log});
    auto status = p.Wait(std::chrono::seconds(120));
    if (!status || *status != 0) throw std::runtime_error(script + " failed:\n" + p.LogTail());
}

}  // namespace

std::string Csv(const std::vector<std::vector<std::string>>& rows, char delimiter, std::string_view eol) {
    std::string out;
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i) out.push_back(delimiter);
            out += row[i];
        }
        out += eol;
    }
    return out;
}

std::filesystem::path ScratchFile(mt::testing::Stack& stack, std::string_view name, std::string_view bytes) {
    auto dir = stack.scratch_dir() / ("inputs-" + mt::testing::RandomSuffix());
    std::filesystem::create_directories(dir);
    auto path = dir / name;
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
}

std::string Spreadsheet(mt::testing::Stack& stack, std::string_view spec_json, std::string_view ext) {
    auto spec = ScratchFile(stack, "spec.json", spec_json);
    auto out = spec.parent_path() / ("book." + std::string(ext));
    RunPython(stack, MT_SOURCE_DIR "/tests/support/make_spreadsheet.py", {spec.string(), out.string()});
    return ReadAll(out);
}

std::string Zip(mt::testing::Stack& stack, std::string_view spec_json) {
    auto spec = ScratchFile(stack, "zip.json", spec_json);
    auto out = spec.parent_path() / "archive.zip";
    RunPython(stack, MT_SOURCE_DIR "/tests/pipeline/make_zip.py", {spec.string(), out.string()});
    return ReadAll(out);
}

std::string PngBytes() {
    std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0", 29);
    for (int i = 0; i < 4096; ++i) png.push_back(static_cast<char>((i * 37) & 0xFF));
    return png;
}

std::string NumberedCsv(std::int64_t first, std::int64_t count) {
    std::string out = "n,name,amount,flag\n";
    out.reserve(static_cast<std::size_t>(count) * 40);
    char cents[4];
    for (std::int64_t n = first; n < first + count; ++n) {
        std::snprintf(cents, sizeof cents, "%02d", static_cast<int>(n % 100));
        out += std::to_string(n) + ",name-" + std::to_string(n) + "," + std::to_string(n / 100) + "." + cents + "," +
               (n % 3 == 0 ? "true" : "false") + "\n";
    }
    return out;
}

std::string ExpectedChecksumSql(std::int64_t first, std::int64_t count) {
    return "SELECT count(*) || ' ' || md5(string_agg(g || '|name-' || g || '|' || round(g::numeric / 100, 2) || '|' "
           "|| (g % 3 = 0), ',' ORDER BY g)) FROM generate_series(" +
           std::to_string(first) + "::bigint, " + std::to_string(first + count - 1) + ") g";
}

std::string TableChecksumSql(std::string_view table) {
    return "SELECT count(*) || ' ' || md5(string_agg(n || '|' || name || '|' || amount || '|' || flag, ',' ORDER BY n))"
           " FROM " +
           std::string(table);
}

}  // namespace pipeline
