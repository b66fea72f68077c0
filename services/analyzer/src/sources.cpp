#include "sources.hpp"

#include <filesystem>

#include "mt/ingest/file_kind.hpp"
#include "mt/ingest/xls_isolated.hpp"
#include "mt/ingest/xlsx.hpp"
#include "mt/ingest/zip.hpp"
#include "mt/jobs/blob_store.hpp"

namespace mt::analyzer {

Result<std::vector<SourceFile>> MaterializeFiles(pg::Connection& control, const jobs::JobRecord& job,
                                                 const std::string& dir, std::uint64_t max_expanded_bytes) {
    std::vector<SourceFile> out;
    std::uint64_t expanded = 0;
    for (std::size_t i = 0; i < job.files.size(); ++i) {
        const jobs::FileRef& f = job.files[i];
        auto kind = ingest::KindFromName(f.original_name);
        if (!kind) return Validation("unsupported file type \"" + f.original_name + "\"");
        MT_ASSIGN_OR_RETURN(std::string blob_id, jobs::BlobIdFromPath(f.storage_path));
        std::string local = dir + "/file-" + std::to_string(i);
        MT_TRY(jobs::FetchBlobToFile(control, blob_id, local));
        MT_TRY(ingest::CheckContentMatchesKind(local, *kind, f.original_name));
        if (*kind != ingest::FileKind::kZip) {
            out.push_back({f.original_name, local, *kind, blob_id});
            continue;
        }
        std::string members_dir = dir + "/zip-" + std::to_string(i);
        std::error_code ec;
        std::filesystem::create_directories(members_dir, ec);
        if (ec) return Unavailable("cannot create scratch folder " + members_dir + ": " + ec.message());
        ingest::ZipLimits limits;
        limits.max_total_uncompressed = std::min(limits.max_total_uncompressed, max_expanded_bytes - expanded);
        MT_ASSIGN_OR_RETURN(auto members, ingest::ExpandZip(local, members_dir, f.original_name, limits));
        std::filesystem::remove(local, ec);  // expanded: the archive itself is not read again
        for (auto& m : members) {
            expanded += m.size;
            out.push_back({f.original_name + "/" + m.name, m.local_path, m.kind, ""});
        }
    }
    return out;
}

Result<OpenedSource> OpenSource(const SourceFile& file, const ingest::ReaderLimits& limits) {
    OpenedSource out;
    MT_TRY(ingest::CheckContentMatchesKind(file.local_path, file.kind, file.display_name));
    switch (file.kind) {
        case ingest::FileKind::kCsv: {
            MT_ASSIGN_OR_RETURN(auto dialect, ingest::SniffCsv(file.local_path, file.display_name));
            MT_ASSIGN_OR_RETURN(auto csv, ingest::OpenCsv(file.local_path, dialect, file.display_name, limits));
            out.csv = csv.get();
            out.reader = std::move(csv);
            out.dialect = dialect;
            return out;
        }
        case ingest::FileKind::kXlsx: {
            MT_ASSIGN_OR_RETURN(out.reader, ingest::OpenXlsx(file.local_path, file.display_name, limits));
            return out;
        }
        case ingest::FileKind::kXls: {
            MT_ASSIGN_OR_RETURN(out.reader, ingest::OpenXlsIsolated(file.local_path, file.display_name, limits));
            return out;
        }
        case ingest::FileKind::kZip: break;
    }
    return Internal("a ZIP cannot be read as rows: expand it first");
}

}  // namespace mt::analyzer
