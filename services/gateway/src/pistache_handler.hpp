#pragma once
/// The Pistache handler that feeds requests to `Api` (pistache_handler.cpp). Pistache clones it per reactor
/// thread; the clones share `api`, `metrics` and `traffic`, which must outlive the server.
#include <pistache/http.h>

#include <memory>
#include <string>

#include "api.hpp"
#include "server.hpp"

namespace mt::gateway {

std::shared_ptr<Pistache::Http::Handler> MakePistacheHandler(const Api* api, ops::Metrics* metrics,
                                                             std::shared_ptr<Traffic> traffic, std::string spool_dir);

}  // namespace mt::gateway
