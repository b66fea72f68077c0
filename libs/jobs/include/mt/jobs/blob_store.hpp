#pragma once
/// Uploaded bytes, stored where every pod can read them: 1 MiB chunks in the control database (mt_blobs).
/// Functions take a connection so the caller decides the transaction (uploads store blobs and the job together).
#include <cstdint>
#include <string>
#include <string_view>

#include "mt/core/result.hpp"
#include "mt/pg/connection.hpp"

namespace mt::jobs {

inline constexpr std::size_t kBlobChunkBytes = 1 << 20;

Status StoreBlob(pg::Connection& control, const std::string& blob_id, std::string_view data);
/// Streams the blob to a local file chunk by chunk (memory stays at one chunk). Returns the byte count.
Result<std::int64_t> FetchBlobToFile(pg::Connection& control, const std::string& blob_id, const std::string& path);
/// Every blob of the job: its uploaded files and the copies its analysis staged (a finished or failed job never
/// reads them again).
Status DeleteJobBlobs(pg::Connection& control, const std::string& job_id);

/// The id of the copy the analysis stages for the job's `index`-th source file.
std::string StagedBlobId(const std::string& job_id, std::size_t index);

/// Writes one blob as a stream, chunk by chunk (each chunk its own statement, so memory stays at one chunk).
/// A blob of that id written before (an interrupted attempt) is replaced. Not transactional: a job that fails
/// deletes its staged blobs (DeleteJobBlobs).
class BlobWriter {
public:
    static Result<BlobWriter> Create(pg::Connection& control, std::string blob_id);
    Status Append(std::string_view data);
    /// Writes what is buffered; returns the blob's size.
    Result<std::uint64_t> Finish();
    [[nodiscard]] std::uint64_t size() const { return written_ + buffer_.size(); }

private:
    BlobWriter(pg::Connection& control, std::string blob_id) : control_(&control), blob_id_(std::move(blob_id)) {}
    Status Flush();
    pg::Connection* control_;
    std::string blob_id_;
    std::string buffer_;
    std::uint64_t written_ = 0;
    int next_chunk_ = 0;
};

/// Reads bytes [begin, end) of a blob, fetching only the chunks that hold them, a few at a time.
class BlobRangeReader {
public:
    BlobRangeReader(pg::Connection& control, std::string blob_id, std::uint64_t begin, std::uint64_t end)
        : control_(&control), blob_id_(std::move(blob_id)), position_(begin), end_(end) {}
    /// Up to `size` bytes; fewer only at the end of the range. A blob shorter than the range is kInternal.
    Result<std::size_t> Read(char* data, std::size_t size);

private:
    Status Fetch();
    pg::Connection* control_;
    std::string blob_id_;
    std::uint64_t position_;  // blob offset of the next byte to hand out
    std::uint64_t end_;
    std::string window_;  // fetched chunks, starting at blob offset window_start_
    std::uint64_t window_start_ = 0;
};

/// "blob:<id>" ⇄ id.
std::string BlobPath(const std::string& blob_id);
Result<std::string> BlobIdFromPath(std::string_view storage_path);

}  // namespace mt::jobs
