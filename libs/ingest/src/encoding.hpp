#pragma once
/// Private to mt_ingest: file access and text decoding shared by the CSV sniffer and reader.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mt/core/result.hpp"
#include "mt/ingest/csv.hpp"

namespace mt::ingest::detail {

/// Owns a read-only file descriptor; closes it on destruction. Move-only.
class InputFile final : public ByteSource {
public:
    static Result<InputFile> Open(const std::string& path, std::string_view display_name);
    InputFile(InputFile&& other) noexcept;
    InputFile& operator=(InputFile&& other) noexcept;
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;
    ~InputFile();

    /// Reads up to `size` bytes, retrying on EINTR and short reads; returns fewer only at end of file.
    Result<std::size_t> Read(char* data, std::size_t size);

private:
    InputFile(int fd, std::string display_name) : fd_(fd), display_name_(std::move(display_name)) {}
    int fd_ = -1;
    std::string display_name_;
};

/// The error for a file that vanished or cannot be read: the service stored it, so this is internal.
Error ReadError(std::string_view display_name, int errno_value);

/// What the whole-file encoding pass found.
struct EncodingGuess {
    Encoding encoding = Encoding::kUtf8;
    bool has_bom = false;
    std::uint64_t size = 0;
};

/// Reads the whole file once with a fixed buffer (ASCII fast path, several GB/s) and decides its encoding,
/// as documented at `SniffCsv`.
Result<EncodingGuess> DetectEncoding(const std::string& path, std::string_view display_name);

/// Length of the longest prefix of `data` made of complete, valid UTF-8 sequences. When it is shorter than
/// `data`, either the byte at that offset starts an invalid sequence, or (if `incomplete` is set) the
/// remaining bytes are a valid but truncated sequence that may be completed by what follows.
std::size_t ValidUtf8Prefix(std::string_view data, bool& incomplete);

/// Appends `in`, read as Windows-1252, to `out` as UTF-8.
void AppendWindows1252AsUtf8(std::string_view in, std::string& out);

/// Streams a text file as UTF-8 chunks of about `chunk_size` bytes, skipping the BOM.
/// UTF-8 chunks are views of the read buffer (no copy); other encodings are converted into a second buffer.
/// An unpaired UTF-16 surrogate becomes U+FFFD. Owns its file and buffers; one thread at a time.
class TextSource {
public:
    static constexpr std::size_t kDefaultChunk = 1 << 20;

    static Result<TextSource> Open(const std::string& path, Encoding encoding, bool has_bom,
                                   std::string_view display_name, std::size_t chunk_size = kDefaultChunk);
    /// Over any byte source, which starts where text starts (no BOM to skip).
    TextSource(std::unique_ptr<ByteSource> source, Encoding encoding, std::size_t chunk_size = kDefaultChunk);

    /// The next chunk of UTF-8 text; empty only at end of file. The view is valid until the next call.
    Result<std::string_view> Next();
    /// Source bytes consumed so far.
    [[nodiscard]] std::uint64_t bytes_read() const { return bytes_read_; }

private:
    Status SkipBom(bool has_bom);
    std::string_view DecodeUtf16(std::size_t raw_size, bool at_eof);
    /// UTF-8 as it is; each byte that does not belong to a valid sequence read as Windows-1252.
    std::string_view DecodeMixed(std::size_t raw_size, bool at_eof);

    static constexpr std::size_t kMaxCarry = 4;  // bytes of a sequence cut by a chunk's end

    std::unique_ptr<ByteSource> file_;
    Encoding encoding_;
    std::vector<char> raw_;  // bytes as read; the first `carry_` bytes are left from last time (UTF-16, mixed)
    std::size_t carry_ = 0;
    std::string decoded_;  // converted text for non-UTF-8 encodings
    std::uint64_t bytes_read_ = 0;
    char16_t pending_high_ = 0;  // a UTF-16 high surrogate waiting for its low half
};

}  // namespace mt::ingest::detail
