#include "mt/jobs/blob_store.hpp"

#include <cstdio>
#include <memory>

namespace mt::jobs {

std::string BlobPath(const std::string& blob_id) { return "blob:" + blob_id; }

Result<std::string> BlobIdFromPath(std::string_view path) {
    if (path.substr(0, 5) != "blob:" || path.size() == 5) return Internal("unknown storage path " + std::string(path));
    return std::string(path.substr(5));
}

Status StoreBlob(pg::Connection& control, const std::string& blob_id, std::string_view data) {
    std::size_t chunk = 0;
    for (std::size_t off = 0; off < data.size() || (off == 0 && chunk == 0); off += kBlobChunkBytes, ++chunk) {
        std::string bytes(data.substr(off, kBlobChunkBytes));
        // Binary parameter: the chunk travels as raw bytes, no escaping and no doubling in size.
        MT_TRY(control.ExecFormats("INSERT INTO mt_blobs (blob_id, chunk, data) VALUES ($1, $2, $3)",
                                   {blob_id, std::to_string(chunk), std::move(bytes)}, {0, 0, 1}, 0));
        if (data.empty()) break;
    }
    return Ok();
}

Result<std::int64_t> FetchBlobToFile(pg::Connection& control, const std::string& blob_id, const std::string& path) {
    std::unique_ptr<FILE, decltype(&std::fclose)> out(std::fopen(path.c_str(), "wb"), &std::fclose);
    if (!out) return Internal("cannot create scratch file " + path);
    std::int64_t total = 0;
    for (int chunk = 0;; ++chunk) {
        MT_ASSIGN_OR_RETURN(auto rows,
                            control.ExecFormats("SELECT data FROM mt_blobs WHERE blob_id = $1 AND chunk = $2",
                                                {blob_id, std::to_string(chunk)}, {}, 1));
        if (rows.empty()) break;
        auto data = rows.Get(0, 0);
        if (!data.empty() && std::fwrite(data.data(), 1, data.size(), out.get()) != data.size())
            return Internal("cannot write scratch file " + path);
        total += static_cast<std::int64_t>(data.size());
    }
    if (std::fflush(out.get()) != 0) return Internal("cannot write scratch file " + path);
    return total;
}

Status DeleteJobBlobs(pg::Connection& control, const std::string& job_id) {
    MT_TRY(
        control.Exec("DELETE FROM mt_blobs WHERE blob_id IN (SELECT substr(f->>'storage_path', 6) FROM mt_jobs j, "
                     "json_array_elements(j.files) f WHERE j.id = $1 AND f->>'storage_path' LIKE 'blob:%')",
                     {job_id}));
    return Ok();
}

}  // namespace mt::jobs
