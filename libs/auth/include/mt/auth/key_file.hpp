#pragma once
/// Loading a JWT key (HS256 secret or PEM) from a file, the same way in the service and in `mt-token`.
#include <string>

#include "mt/core/result.hpp"

namespace mt::auth {

/// The key bytes in the file at `path`, trailing CR/LF removed, so a secret written with `echo` verifies
/// tokens signed with the same secret given without a newline. Fails (kValidation) on an unreadable or
/// empty file.
Result<std::string> ReadKeyFile(const std::string& path);

}  // namespace mt::auth
