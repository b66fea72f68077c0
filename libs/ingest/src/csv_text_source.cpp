// File access and chunked decoding to UTF-8 for the CSV sniffer and reader (see encoding.hpp).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "encoding.hpp"

namespace mt::ingest::detail {

Error ReadError(std::string_view display_name, int errno_value) {
    return Internal("cannot read uploaded file \"" + std::string(display_name) + "\": " + std::strerror(errno_value));
}

Result<InputFile> InputFile::Open(const std::string& path, std::string_view display_name) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ReadError(display_name, errno);
    // Files are read front to back once: let the kernel read ahead aggressively. Advisory; failure is harmless.
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return InputFile(fd, std::string(display_name));
}

InputFile::InputFile(InputFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), display_name_(std::move(other.display_name_)) {}

InputFile& InputFile::operator=(InputFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        display_name_ = std::move(other.display_name_);
    }
    return *this;
}

InputFile::~InputFile() {
    if (fd_ >= 0) ::close(fd_);
}

Result<std::size_t> InputFile::Read(char* data, std::size_t size) {
    std::size_t total = 0;
    while (total < size) {
        const ssize_t n = ::read(fd_, data + total, size - total);
        if (n < 0) {
            if (errno == EINTR) continue;
            return ReadError(display_name_, errno);
        }
        if (n == 0) break;
        total += static_cast<std::size_t>(n);
    }
    return total;
}

TextSource::TextSource(std::unique_ptr<ByteSource> source, Encoding encoding, std::size_t chunk_size)
    : file_(std::move(source)), encoding_(encoding), raw_(chunk_size + kMaxCarry) {
    if (encoding_ != Encoding::kUtf8) decoded_.reserve(chunk_size * 3 / 2 + 8);
}

Result<TextSource> TextSource::Open(const std::string& path, Encoding encoding, bool has_bom,
                                    std::string_view display_name, std::size_t chunk_size) {
    MT_ASSIGN_OR_RETURN(InputFile file, InputFile::Open(path, display_name));
    TextSource source(std::make_unique<InputFile>(std::move(file)), encoding, chunk_size);
    MT_TRY(source.SkipBom(has_bom));
    return source;
}

Status TextSource::SkipBom(bool has_bom) {
    if (!has_bom || encoding_ == Encoding::kWindows1252) return Ok();  // Windows-1252 has no BOM
    const std::size_t size = encoding_ == Encoding::kUtf16Le || encoding_ == Encoding::kUtf16Be ? 2 : 3;
    char bom[3];
    MT_ASSIGN_OR_RETURN(std::size_t n, file_->Read(bom, size));
    bytes_read_ += n;
    return Ok();
}

Result<std::string_view> TextSource::Next() {
    // Bytes read may decode to no text yet (an incomplete UTF-8 sequence, one byte of a UTF-16 unit, a high
    // surrogate: all carried to the next read). An empty chunk means the end of the file to every caller, so
    // read on until there is text or the source is done.
    while (true) {
        const std::size_t chunk = raw_.size() - kMaxCarry;
        MT_ASSIGN_OR_RETURN(std::size_t n, file_->Read(raw_.data() + carry_, chunk));
        bytes_read_ += n;
        std::string_view text;
        switch (encoding_) {
            case Encoding::kUtf8: text = std::string_view(raw_.data(), n); break;
            case Encoding::kWindows1252:
                decoded_.clear();
                AppendWindows1252AsUtf8(std::string_view(raw_.data(), n), decoded_);
                text = decoded_;
                break;
            case Encoding::kUtf8WithWindows1252: text = DecodeMixed(carry_ + n, n == 0); break;
            case Encoding::kUtf16Le:
            case Encoding::kUtf16Be: text = DecodeUtf16(carry_ + n, n == 0); break;
        }
        if (!text.empty() || n == 0) return text;
    }
}

std::string_view TextSource::DecodeMixed(std::size_t raw_size, bool at_eof) {
    decoded_.clear();
    const std::string_view raw(raw_.data(), raw_size);
    std::size_t i = 0;
    while (i < raw.size()) {
        bool incomplete = false;
        const std::size_t valid = ValidUtf8Prefix(raw.substr(i), incomplete);
        decoded_.append(raw.data() + i, valid);
        i += valid;
        if (i == raw.size()) break;
        if (incomplete && !at_eof) break;  // the rest of this sequence comes with the next chunk
        AppendWindows1252AsUtf8(raw.substr(i, 1), decoded_);
        ++i;
    }
    carry_ = raw.size() - i;  // at most 3 bytes
    std::memmove(raw_.data(), raw_.data() + i, carry_);
    return decoded_;
}

namespace {

void AppendCodePoint(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

constexpr char32_t kReplacement = 0xFFFD;

}  // namespace

std::string_view TextSource::DecodeUtf16(std::size_t raw_size, bool at_eof) {
    decoded_.clear();
    const auto* b = reinterpret_cast<const unsigned char*>(raw_.data());
    const bool le = encoding_ == Encoding::kUtf16Le;
    std::size_t i = 0;
    for (; i + 2 <= raw_size; i += 2) {
        const char16_t u =
            le ? static_cast<char16_t>(b[i] | (b[i + 1] << 8)) : static_cast<char16_t>((b[i] << 8) | b[i + 1]);
        const bool high = u >= 0xD800 && u <= 0xDBFF;
        const bool low = u >= 0xDC00 && u <= 0xDFFF;
        if (pending_high_ != 0) {
            if (low) {
                AppendCodePoint(0x10000 + ((pending_high_ - 0xD800) << 10) + (u - 0xDC00), decoded_);
                pending_high_ = 0;
                continue;
            }
            AppendCodePoint(kReplacement, decoded_);
            pending_high_ = 0;
        }
        if (high) {
            pending_high_ = u;
        } else {
            AppendCodePoint(low ? kReplacement : u, decoded_);
        }
    }
    // An odd byte waits for its other half in the next chunk.
    carry_ = raw_size - i;
    if (carry_ != 0) raw_[0] = raw_[i];
    if (at_eof && (carry_ != 0 || pending_high_ != 0)) {
        AppendCodePoint(kReplacement, decoded_);
        carry_ = 0;
        pending_high_ = 0;
    }
    return decoded_;
}

}  // namespace mt::ingest::detail
