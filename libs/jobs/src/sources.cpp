#include "mt/jobs/sources.hpp"

#include <filesystem>

#include "mt/core/ids.hpp"
#include "mt/ingest/file_kind.hpp"
#include "mt/ingest/xls_isolated.hpp"
#include "mt/ingest/xlsx.hpp"
#include "mt/ingest/zip.hpp"
#include "mt/jobs/blob_store.hpp"

namespace mt::jobs {

Result<ScratchDir> ScratchDir::Create(const std::string& root, const std::string& prefix) {
    std::string path = root + "/" + prefix + "-" + RandomHex(6);
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Internal("cannot create scratch folder " + path + ": " + ec.message());
    return ScratchDir(path);
}

ScratchDir::~ScratchDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);  // best effort: a leftover folder is only disk space
}

Result<std::vector<SourceFile>> MaterializeFiles(pg::Connection& control, const JobRecord& job,
                                                 const std::string& dir) {
    std::vector<SourceFile> out;
    for (std::size_t i = 0; i < job.files.size(); ++i) {
        const FileRef& f = job.files[i];
        auto kind = ingest::KindFromName(f.original_name);
        if (!kind) return Validation("unsupported file type \"" + f.original_name + "\"");
        MT_ASSIGN_OR_RETURN(std::string blob_id, BlobIdFromPath(f.storage_path));
        std::string local = dir + "/file-" + std::to_string(i);
        MT_TRY(FetchBlobToFile(control, blob_id, local));
        MT_TRY(ingest::CheckContentMatchesKind(local, *kind, f.original_name));
        if (*kind != ingest::FileKind::kZip) {
            out.push_back({f.original_name, local, *kind});
            continue;
        }
        std::string members_dir = dir + "/zip-" + std::to_string(i);
        std::filesystem::create_directories(members_dir);
        MT_ASSIGN_OR_RETURN(auto members, ingest::ExpandZip(local, members_dir, f.original_name));
        for (auto& m : members) out.push_back({f.original_name + "/" + m.name, m.local_path, m.kind});
    }
    return out;
}

Result<OpenedSource> OpenSource(const SourceFile& file) {
    OpenedSource out;
    switch (file.kind) {
        case ingest::FileKind::kCsv: {
            MT_TRY(ingest::CheckContentMatchesKind(file.local_path, file.kind, file.display_name));
            MT_ASSIGN_OR_RETURN(auto dialect, ingest::SniffCsv(file.local_path, file.display_name));
            MT_ASSIGN_OR_RETURN(out.reader, ingest::OpenCsv(file.local_path, dialect, file.display_name));
            out.dialect = dialect;
            return out;
        }
        case ingest::FileKind::kXlsx: {
            MT_TRY(ingest::CheckContentMatchesKind(file.local_path, file.kind, file.display_name));
            MT_ASSIGN_OR_RETURN(out.reader, ingest::OpenXlsx(file.local_path, file.display_name));
            return out;
        }
        case ingest::FileKind::kXls: {
            MT_TRY(ingest::CheckContentMatchesKind(file.local_path, file.kind, file.display_name));
            MT_ASSIGN_OR_RETURN(out.reader, ingest::OpenXlsIsolated(file.local_path, file.display_name));
            return out;
        }
        case ingest::FileKind::kZip: break;
    }
    return Internal("a ZIP cannot be read as rows: expand it first");
}

}  // namespace mt::jobs
