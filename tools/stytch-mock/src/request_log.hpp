#pragma once

// The stytch-mock executable's request log: one JSON object per line per request, with the
// credentials masked. docs/tools.md describes the fields.

#include <stytch/mock/server.hpp>

#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

namespace stytch::mock::detail {

/// The value logged for header `name`: for the credential headers (Authorization,
/// Proxy-Authorization, Cookie, the Stytch member session headers) only the scheme of an
/// Authorization value is kept (`Basic ***`), everything else is `***`; other values as sent.
std::string masked_header_value(std::string_view name, std::string_view value);

/// One log line, without the newline: {"time", "connection", "method", "path", "protocol",
/// "headers", "status", "duration_us"}.
std::string log_line(const answered_request& entry);

/// Writes `log_line`s to a stream, one whole line at a time from any thread, flushed at once
/// so that a reader sees each request as soon as the server is done with it.
class request_log {
  public:
    explicit request_log(std::ostream& out) : out_(out) {}
    void write(const answered_request& entry);

  private:
    std::mutex mutex_;
    std::ostream& out_;
};

}  // namespace stytch::mock::detail
