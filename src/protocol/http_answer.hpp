#pragma once

#include <string_view>

namespace stytch::detail {

/// What came back for one request. The views point into the connection's buffers and stay
/// valid until its next exchange.
struct http_answer {
    int status = 0;
    std::string_view body;
    std::string_view retry_after;  ///< raw `Retry-After` header, empty when absent
};

}  // namespace stytch::detail
