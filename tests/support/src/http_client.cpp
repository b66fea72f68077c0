#include "mt/testing/http_client.hpp"

#include <curl/curl.h>

#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "mt/core/json.hpp"

namespace mt::testing {
namespace {

void GlobalInit() {
    // curl_global_init is not thread-safe and must run once before any handle exists.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return std::string(s);
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
    static_cast<Response*>(user)->body.append(data, size * n);
    return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
    auto* response = static_cast<Response*>(user);
    std::string_view line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) {
        response->headers.clear();  // a new response (after 100 Continue or a redirect) starts over
    } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
        response->headers[Lower(line.substr(0, colon))] = Trim(line.substr(colon + 1));
    }
    return size * n;
}

/// curl_slist owner.
struct HeaderList {
    curl_slist* list = nullptr;
    ~HeaderList() { curl_slist_free_all(list); }
    void Add(const std::string& line) { list = curl_slist_append(list, line.c_str()); }
};

/// curl_mime owner.
struct Mime {
    curl_mime* mime;
    explicit Mime(CURL* curl) : mime(curl_mime_init(curl)) {}
    ~Mime() { curl_mime_free(mime); }
};

}  // namespace

rapidjson::Document Response::Json() const {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseFullPrecisionFlag>(body.data(), body.size());
    if (doc.HasParseError()) throw std::runtime_error("response is not JSON: " + Describe(500));
    return doc;
}

rapidjson::Document Response::ExactJson() const {
    auto parsed = json::ParseJson(body);
    if (!parsed) throw std::runtime_error("response is not JSON (" + parsed.error().message + "): " + Describe(500));
    return std::move(*parsed);
}

std::string Response::Header(std::string_view name) const {
    auto it = headers.find(Lower(name));
    return it == headers.end() ? "" : it->second;
}

std::string Response::Describe(std::size_t max_body) const {
    if (status == 0) return "no HTTP response: " + transport_error;
    std::string shown =
        body.size() > max_body ? body.substr(0, max_body) + "…(" + std::to_string(body.size()) + " bytes)" : body;
    return "HTTP " + std::to_string(status) + " " + shown;
}

Headers WithBearer(std::string_view token, Headers extra) {
    if (!token.empty()) extra.insert(extra.begin(), {"Authorization", "Bearer " + std::string(token)});
    return extra;
}

HttpClient::HttpClient(std::string base_url, std::chrono::milliseconds timeout)
    : base_url_(std::move(base_url)), timeout_(timeout) {
    GlobalInit();
    curl_ = curl_easy_init();
    if (!curl_) throw std::runtime_error("curl_easy_init failed");
}

HttpClient::HttpClient(HttpClient&& other) noexcept
    : base_url_(std::move(other.base_url_)), timeout_(other.timeout_), curl_(other.curl_) {
    other.curl_ = nullptr;
}

HttpClient& HttpClient::operator=(HttpClient&& other) noexcept {
    std::swap(base_url_, other.base_url_);
    std::swap(timeout_, other.timeout_);
    std::swap(curl_, other.curl_);  // `other` cleans up our old handle
    return *this;
}

HttpClient::~HttpClient() {
    if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

namespace {

/// With MT_TEST_RECORD_DIR set, every exchange is appended as a JSON line to <dir>/exchanges-<pid>.jsonl, so a
/// later check can validate real responses against proto/openapi.yaml (tests/contract).
void Record(std::string_view method, const std::string& url, const Response& response) {
    static const char* dir = std::getenv("MT_TEST_RECORD_DIR");
    if (!dir || !*dir || response.status == 0 || response.body.size() > (1u << 20)) return;
    static std::mutex mu;
    std::string path = url;
    if (auto scheme = path.find("://"); scheme != std::string::npos) {
        auto slash = path.find('/', scheme + 3);
        path = slash == std::string::npos ? "/" : path.substr(slash);
    }
    path = path.substr(0, path.find('?'));
    rapidjson::StringBuffer sb;
    mt::json::Writer w(sb);
    w.StartObject();
    w.Key("method");
    mt::json::WriteString(w, method);
    w.Key("path");
    mt::json::WriteString(w, mt::json::SanitizeUtf8(path));
    w.Key("status");
    w.Int(response.status);
    w.Key("content_type");
    mt::json::WriteString(w, response.Header("content-type"));
    w.Key("body");
    mt::json::WriteString(w, mt::json::SanitizeUtf8(response.body));
    w.EndObject();
    std::lock_guard lock(mu);
    std::string file = std::string(dir) + "/exchanges-" + std::to_string(getpid()) + ".jsonl";
    if (FILE* f = std::fopen(file.c_str(), "a")) {
        std::fwrite(sb.GetString(), 1, sb.GetSize(), f);
        std::fputc('\n', f);
        std::fclose(f);
    }
}

}  // namespace

Response HttpClient::Perform(std::string_view method, std::string_view path_or_url, std::string_view body,
                             const Headers& headers, void* mime) {
    CURL* curl = static_cast<CURL*>(curl_);
    // curl_easy_reset keeps the connection cache, so consecutive requests reuse the kept-alive connection.
    curl_easy_reset(curl);
    Response response;
    bool absolute = path_or_url.rfind("http://", 0) == 0 || path_or_url.rfind("https://", 0) == 0;
    std::string url = absolute ? std::string(path_or_url) : base_url_ + std::string(path_or_url);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM from timeouts in a multi-threaded test
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);

    HeaderList list;
    bool has_content_type = false;
    for (const auto& [name, value] : headers) {
        has_content_type = has_content_type || Lower(name) == "content-type";
        list.Add(name + ": " + value);
    }
    // Without this, libcurl sends "Expect: 100-continue" for large bodies and waits for an interim response.
    list.Add("Expect:");
    if (mime) {
        curl_easy_setopt(curl, CURLOPT_MIMEPOST, static_cast<curl_mime*>(mime));
    } else if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        if (!has_content_type && !body.empty()) list.Add("Content-Type: application/json");
        // POSTFIELDS with an explicit size: binary-safe (bodies may hold NUL bytes), not copied.
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());  // NULL would mean "read stdin"
    }
    std::string method_string(method);
    if (method != "GET" || !body.empty()) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_string.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list.list);

    CURLcode code = curl_easy_perform(curl);
    if (code != CURLE_OK) {
        response.status = 0;
        response.transport_error = curl_easy_strerror(code);
        return response;
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    Record(method, url, response);
    return response;
}

Response HttpClient::Request(std::string_view method, std::string_view path_or_url, std::string_view body,
                             const Headers& headers) {
    return Perform(method, path_or_url, body, headers, nullptr);
}

Response HttpClient::Get(std::string_view path, std::string_view token, const Headers& headers) {
    return Request("GET", path, {}, WithBearer(token, headers));
}

Response HttpClient::Post(std::string_view path, std::string_view token, std::string_view body,
                          const Headers& headers) {
    return Request("POST", path, body, WithBearer(token, headers));
}

Response HttpClient::Put(std::string_view path, std::string_view token, std::string_view body, const Headers& headers) {
    return Request("PUT", path, body, WithBearer(token, headers));
}

Response HttpClient::Patch(std::string_view path, std::string_view token, std::string_view body,
                           const Headers& headers) {
    return Request("PATCH", path, body, WithBearer(token, headers));
}

Response HttpClient::Delete(std::string_view path, std::string_view token, const Headers& headers) {
    return Request("DELETE", path, {}, WithBearer(token, headers));
}

Response HttpClient::PostMultipart(std::string_view path, std::string_view token,
                                   const std::vector<MultipartFile>& files, const std::vector<MultipartField>& fields,
                                   const Headers& headers) {
    Mime mime(static_cast<CURL*>(curl_));
    for (const auto& f : fields) {
        curl_mimepart* part = curl_mime_addpart(mime.mime);
        curl_mime_name(part, f.name.c_str());
        curl_mime_data(part, f.value.data(), f.value.size());
    }
    for (const auto& f : files) {
        curl_mimepart* part = curl_mime_addpart(mime.mime);
        curl_mime_name(part, f.field.c_str());
        if (!f.path.empty()) {
            if (curl_mime_filedata(part, f.path.c_str()) != CURLE_OK) {
                throw std::runtime_error("cannot read multipart file " + f.path.string());
            }
        } else {
            curl_mime_data(part, f.content.data(), f.content.size());
        }
        // Set after filedata, which would otherwise replace the name with the path's basename.
        if (!f.filename.empty()) curl_mime_filename(part, f.filename.c_str());
        if (!f.content_type.empty()) curl_mime_type(part, f.content_type.c_str());
    }
    return Perform("POST", path, {}, WithBearer(token, headers), mime.mime);
}

}  // namespace mt::testing
