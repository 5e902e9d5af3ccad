#pragma once

// `delete-external-id --ids FILE`: many calls through one pooled client, N at a time, one
// JSON line per id on stdout, a progress line and a summary on stderr.

#include <chrono>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <stytch/config.hpp>

#include "id_list.hpp"

namespace stytch::cli {

struct bulk_options {
    std::vector<id_entry> ids;  ///< to call, in order (skipped ones already removed)
    std::size_t skipped = 0;    ///< ids left out because a resumed run completed them
    std::size_t concurrency = 16;
    std::chrono::milliseconds first_pause{1000};  ///< the shared pause after a 429
    std::optional<std::string> session_token;
    std::optional<std::string> session_jwt;
    bool progress = false;  ///< draw the progress line (stderr is a terminal)
};

/// Runs every call and returns the exit status: 0 when each id succeeded, 1 otherwise (a
/// failure, or ids not done after SIGINT or SIGTERM). Throws boost::system::system_error when
/// the client cannot be built from `cfg` (its TLS files).
int run_bulk(client_config cfg, const bulk_options& options, std::ostream& out, std::ostream& err);

}  // namespace stytch::cli
