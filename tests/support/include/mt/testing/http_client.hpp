#pragma once
/// A small HTTP client over libcurl for end-to-end tests.
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

namespace mt::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response {
    int status = 0;  // 0: no HTTP answer (see `transport_error`)
    std::string body;
    std::map<std::string, std::string> headers;  // names lowercased; the last value of a repeated header
    std::string transport_error;                 // curl's message when status == 0

    /// The body parsed by rapidjson (numbers as int64/double). Throws std::runtime_error when it is not JSON.
    [[nodiscard]] rapidjson::Document Json() const;
    /// The body parsed by mt::json::ParseJson: numbers keep their exact text, to be read with mt::json::KindOf and
    /// mt::json::Text (for decimals such as 89.90). Throws std::runtime_error when it is not JSON.
    [[nodiscard]] rapidjson::Document ExactJson() const;
    /// A header by (case-insensitive) name, "" when absent.
    [[nodiscard]] std::string Header(std::string_view name) const;
    /// "HTTP 404 {…body…}" (body cut to `max_body` bytes), for assertion messages.
    [[nodiscard]] std::string Describe(std::size_t max_body = 2000) const;
};

/// One file of a multipart/form-data body: given inline (`content`) or read from `path` when `path` is set.
struct MultipartFile {
    std::string field = "files";
    std::string filename;
    std::string content;
    std::filesystem::path path;
    std::string content_type;  // empty: libcurl's default (application/octet-stream)
};

struct MultipartField {
    std::string name;
    std::string value;
};

/// Requests against one base URL, reusing connections (keep-alive).
///
/// Thread-safety: none; give each thread its own client (libcurl easy handles are single-threaded). Creating
/// clients from many threads at once is safe (global libcurl initialization happens once, under a lock).
class HttpClient {
public:
    explicit HttpClient(std::string base_url, std::chrono::milliseconds timeout = std::chrono::seconds(120));
    ~HttpClient();
    HttpClient(HttpClient&& other) noexcept;
    HttpClient& operator=(HttpClient&& other) noexcept;
    HttpClient(const HttpClient&) = delete;

    /// `path_or_url`: an absolute URL, or a path appended to the base URL. A non-empty body without a
    /// Content-Type header is sent as application/json. Never throws on HTTP or transport errors.
    Response Request(std::string_view method, std::string_view path_or_url, std::string_view body = {},
                     const Headers& headers = {});

    // Conveniences; an empty token sends no Authorization header.
    Response Get(std::string_view path, std::string_view token, const Headers& headers = {});
    Response Post(std::string_view path, std::string_view token, std::string_view body = {},
                  const Headers& headers = {});
    Response Put(std::string_view path, std::string_view token, std::string_view body, const Headers& headers = {});
    Response Patch(std::string_view path, std::string_view token, std::string_view body, const Headers& headers = {});
    Response Delete(std::string_view path, std::string_view token, const Headers& headers = {});
    /// POST multipart/form-data (uploads) built with curl_mime.
    Response PostMultipart(std::string_view path, std::string_view token, const std::vector<MultipartFile>& files,
                           const std::vector<MultipartField>& fields = {}, const Headers& headers = {});

    [[nodiscard]] const std::string& base_url() const { return base_url_; }

private:
    Response Perform(std::string_view method, std::string_view path_or_url, std::string_view body,
                     const Headers& headers, void* mime);

    std::string base_url_;
    std::chrono::milliseconds timeout_;
    void* curl_;  // CURL*, kept opaque so users of this header need no curl headers
};

/// {"Authorization", "Bearer <token>"}, or nothing for an empty token; plus `extra`.
Headers WithBearer(std::string_view token, Headers extra = {});

}  // namespace mt::testing
