#pragma once
/// Direct SQL for tests that inspect what the services did in PostgreSQL.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mt::testing {

/// A result as text: rows of columns, std::nullopt for NULL.
using SqlRow = std::vector<std::optional<std::string>>;
using SqlRows = std::vector<SqlRow>;
using SqlParams = std::vector<std::optional<std::string>>;

/// Connects to `url`, runs one statement with text parameters ($1 …), disconnects. Throws std::runtime_error
/// with PostgreSQL's message on failure.
SqlRows QueryAt(const std::string& url, std::string_view sql, const SqlParams& params = {});

/// Runs one or more parameterless statements (DDL, CREATE DATABASE …); throws on failure.
void ExecAt(const std::string& url, std::string_view sql);

/// `url` with its database replaced by `database` (URL or key=value conninfo).
std::string UrlWithDatabase(const std::string& url, std::string_view database);

/// "text" double-quoted as a PostgreSQL identifier.
std::string QuoteIdent(std::string_view name);

}  // namespace mt::testing
