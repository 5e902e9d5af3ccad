#pragma once

// One call's request as request_encoder made it, once: the bytes HTTP/1.1 writes as they are,
// and where the parts lie that HTTP/2 sends as fields and that an answer is checked against,
// so that nothing parses the request back.

#include <cstddef>
#include <string>
#include <string_view>

namespace stytch::detail {

/// Where a part lies in a string: an offset and a size, not a view, so that its owner may move.
struct text_range {
    std::size_t offset = 0;
    std::size_t size = 0;
};

struct encoded_request {
    std::string http1;         ///< the complete HTTP/1.1 request
    text_range path;           ///< the request target (HTTP/2's `:path`)
    text_range organization;   ///< the organization's path segment, percent-encoded as sent
    text_range session_value;  ///< the member-session header's value (size 0: none)
    bool session_jwt = false;  ///< that header is X-Stytch-Member-SessionJWT

    std::string_view at(text_range r) const noexcept {
        return std::string_view(http1).substr(r.offset, r.size);
    }

    /// The organization the request names, as its path carries it (compare with
    /// is_path_segment_of()).
    std::string_view organization_segment() const noexcept { return at(organization); }
};

}  // namespace stytch::detail
