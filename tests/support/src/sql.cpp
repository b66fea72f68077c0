#include "mt/testing/sql.hpp"

#include <stdexcept>

#include "mt/pg/connection.hpp"

namespace mt::testing {
namespace {

pg::Connection Open(const std::string& url) {
    auto conn = pg::Connection::Open(url);
    if (!conn) throw std::runtime_error("cannot connect to PostgreSQL: " + conn.error().message);
    return std::move(*conn);
}

}  // namespace

SqlRows QueryAt(const std::string& url, std::string_view sql, const SqlParams& params) {
    auto conn = Open(url);
    auto rows = conn.Exec(sql, params);
    if (!rows) throw std::runtime_error("SQL failed (" + rows.error().code + "): " + rows.error().message);
    SqlRows out;
    for (int r = 0; r < rows->size(); ++r) {
        SqlRow row;
        for (int c = 0; c < rows->columns(); ++c) row.push_back(rows->GetOptional(r, c));
        out.push_back(std::move(row));
    }
    return out;
}

void ExecAt(const std::string& url, std::string_view sql) {
    auto conn = Open(url);
    auto ran = conn.Run(sql);
    if (!ran) throw std::runtime_error("SQL failed (" + ran.error().code + "): " + ran.error().message);
}

std::string UrlWithDatabase(const std::string& url, std::string_view database) {
    auto out = pg::WithOverrides(url, {{"dbname", std::string(database)}});
    if (!out) throw std::runtime_error("bad PostgreSQL URL: " + out.error().message);
    return *out;
}

std::string QuoteIdent(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace mt::testing
