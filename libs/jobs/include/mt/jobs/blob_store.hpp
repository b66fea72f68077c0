#pragma once
/// Uploaded bytes, stored where every pod can read them: 1 MiB chunks in the control database (mt_blobs).
/// Functions take a connection so the caller decides the transaction (uploads store blobs and the job together).
#include <string>
#include <string_view>

#include "mt/core/result.hpp"
#include "mt/pg/connection.hpp"

namespace mt::jobs {

inline constexpr std::size_t kBlobChunkBytes = 1 << 20;

Status StoreBlob(pg::Connection& control, const std::string& blob_id, std::string_view data);
/// Streams the blob to a local file chunk by chunk (memory stays at one chunk). Returns the byte count.
Result<std::int64_t> FetchBlobToFile(pg::Connection& control, const std::string& blob_id, const std::string& path);
/// Every blob of the job's files (a finished or failed job never reads them again).
Status DeleteJobBlobs(pg::Connection& control, const std::string& job_id);

/// "blob:<id>" ⇄ id.
std::string BlobPath(const std::string& blob_id);
Result<std::string> BlobIdFromPath(std::string_view storage_path);

}  // namespace mt::jobs
