#pragma once

/// @file
/// Client configuration.

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <string>

#include <stytch/version.hpp>

namespace stytch {

/// Everything a @ref client needs to know, fixed at construction.
///
/// Only `project_id` and `secret` are required; every other field has a production default.
struct client_config {
    /// Stytch project id (`project-live-...` selects the live API, anything else the test API).
    std::string project_id;

    /// Project secret. Sent only inside the Basic `Authorization` header, never logged.
    std::string secret;

    /// Overrides the environment's base URL. Must be `https://host[:port][/prefix]`; the path
    /// prefix is kept and a trailing slash is ignored. Empty: derived from `project_id`.
    std::string base_url;

    /// Limit for TCP connect plus TLS handshake of one new connection.
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};

    /// Deadline for a whole call: waiting for a connection, connecting, writing, reading.
    std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};

    /// Maximum number of open connections; further callers wait in FIFO order.
    std::size_t max_connections = 16;

    /// A pooled connection unused for this long is closed.
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};

    /// Largest accepted response body; a larger answer fails with `http::error::body_limit`.
    std::size_t max_response_body = 1024 * 1024;

    /// `User-Agent` header value.
    std::string user_agent = "Stytch C++ v" STYTCH_VERSION_STRING;

    /// Optional PEM file with extra trusted CA certificates (private or test CAs). The system
    /// trust store is always used too; peer verification cannot be turned off.
    std::string ca_file;

    /// Checks the configuration without building a client.
    /// @returns an empty code, or the first problem found (`error::missing_project_id`,
    /// `error::missing_secret`, `error::invalid_base_url`, `error::insecure_base_url`,
    /// `error::invalid_header_value`, `error::invalid_config`).
    boost::system::error_code validate() const;
};

}  // namespace stytch
