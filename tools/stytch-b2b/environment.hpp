#pragma once

// The client configuration of stytch-b2b, read from STYTCH_* and proxy variables. Every
// reason it gives names the variable to fix and never prints a value that may hold a secret.

#include <optional>
#include <string>

#include <stytch/config.hpp>

namespace stytch::cli {

/// Fills `cfg` from the environment and validates it; returns the reason when it is unusable.
std::optional<std::string> config_from_environment(client_config& cfg);

/// The reason a client could not be built from a valid `cfg` (its TLS files): `what` is the
/// exception's code.
std::string tls_files_reason(const client_config& cfg, const boost::system::error_code& what);

/// "host:port" of the API the configuration calls.
std::string api_host_port(const client_config& cfg);

}  // namespace stytch::cli
