#include "mt/jobs/blob_store.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
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
    if (!out) return DiskWriteError(path, errno);
    // A few chunks a round trip: far fewer statements, memory bounded by kChunksPerFetch chunks.
    constexpr int kChunksPerFetch = 8;
    std::int64_t total = 0;
    for (int first = 0;; first += kChunksPerFetch) {
        MT_ASSIGN_OR_RETURN(
            auto rows,
            control.ExecFormats("SELECT data FROM mt_blobs WHERE blob_id = $1 AND chunk "
                                "BETWEEN $2 AND $3 ORDER BY chunk",
                                {blob_id, std::to_string(first), std::to_string(first + kChunksPerFetch - 1)}, {}, 1));
        for (int r = 0; r < rows.size(); ++r) {
            auto data = rows.Get(r, 0);
            if (!data.empty() && std::fwrite(data.data(), 1, data.size(), out.get()) != data.size())
                return DiskWriteError(path, errno);
            total += static_cast<std::int64_t>(data.size());
        }
        if (rows.size() < kChunksPerFetch) break;
    }
    if (std::fflush(out.get()) != 0) return DiskWriteError(path, errno);
    return total;
}

Status DeleteJobBlobs(pg::Connection& control, const std::string& job_id) {
    MT_TRY(control.Exec(
        "DELETE FROM mt_blobs WHERE blob_id IN (SELECT substr(f->>'storage_path', 6) FROM mt_jobs j, "
        "json_array_elements(j.files) f WHERE j.id = $1 AND f->>'storage_path' LIKE 'blob:%' UNION ALL "
        "SELECT s->>'blob_id' FROM mt_jobs j, json_array_elements(j.analysis->'files') s WHERE j.id = $1 AND "
        "j.analysis IS NOT NULL AND (s->>'staged')::boolean)",
        {job_id}));
    return Ok();
}

std::string StagedBlobId(const std::string& job_id, std::size_t index) { return job_id + ".s" + std::to_string(index); }

Result<BlobWriter> BlobWriter::Create(pg::Connection& control, std::string blob_id) {
    MT_TRY(control.Exec("DELETE FROM mt_blobs WHERE blob_id = $1", {blob_id}));
    return BlobWriter(control, std::move(blob_id));
}

Status BlobWriter::Append(std::string_view data) {
    while (!data.empty()) {
        const std::size_t take = std::min(data.size(), kBlobChunkBytes - buffer_.size());
        buffer_.append(data.substr(0, take));
        data.remove_prefix(take);
        if (buffer_.size() == kBlobChunkBytes) MT_TRY(Flush());
    }
    return Ok();
}

Status BlobWriter::Flush() {
    if (buffer_.empty()) return Ok();
    MT_TRY(control_->ExecFormats("INSERT INTO mt_blobs (blob_id, chunk, data) VALUES ($1, $2, $3)",
                                 {blob_id_, std::to_string(next_chunk_), buffer_}, {0, 0, 1}, 0));
    ++next_chunk_;
    written_ += buffer_.size();
    buffer_.clear();
    return Ok();
}

Result<std::uint64_t> BlobWriter::Finish() {
    MT_TRY(Flush());
    return written_;
}

Status BlobRangeReader::Fetch() {
    // Up to 4 chunks a round trip: few statements, bounded memory.
    constexpr std::uint64_t kChunksPerFetch = 4;
    const std::uint64_t first = position_ / kBlobChunkBytes;
    const std::uint64_t last_needed = (end_ - 1) / kBlobChunkBytes;
    const std::uint64_t last = std::min(last_needed, first + kChunksPerFetch - 1);
    MT_ASSIGN_OR_RETURN(auto rows,
                        control_->ExecFormats("SELECT data FROM mt_blobs WHERE blob_id = $1 AND chunk "
                                              "BETWEEN $2 AND $3 ORDER BY chunk",
                                              {blob_id_, std::to_string(first), std::to_string(last)}, {}, 1));
    if (static_cast<std::uint64_t>(rows.size()) != last - first + 1) {
        return Internal("stored file " + blob_id_ + " is shorter than its analysis says");
    }
    window_.clear();
    for (int r = 0; r < rows.size(); ++r) {
        auto data = rows.Get(r, 0);
        if (r + 1 < rows.size() && data.size() != kBlobChunkBytes) {
            return Internal("stored file " + blob_id_ + " has a short chunk");
        }
        window_.append(data);
    }
    window_start_ = first * kBlobChunkBytes;
    return Ok();
}

Result<std::size_t> BlobRangeReader::Read(char* data, std::size_t size) {
    std::size_t total = 0;
    while (total < size && position_ < end_) {
        if (position_ < window_start_ || position_ >= window_start_ + window_.size()) {
            MT_TRY(Fetch());
            if (position_ >= window_start_ + window_.size()) {
                return Internal("stored file " + blob_id_ + " is shorter than its analysis says");
            }
        }
        const std::uint64_t available = std::min<std::uint64_t>(window_start_ + window_.size(), end_) - position_;
        const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(available, size - total));
        std::memcpy(data + total, window_.data() + (position_ - window_start_), take);
        total += take;
        position_ += take;
    }
    return total;
}

}  // namespace mt::jobs
