#pragma once

// A request's header fields as the encoder yields them: name/value views that HTTP/2 hands to
// nghttp2 as they are (pseudo-headers first), without a protocol type in the codec.

#include <string_view>

namespace stytch::detail {

/// One header field to send; names lower-case (RFC 9113 §8.2.1). It only views its bytes,
/// which must outlive the submit() that sends it (nghttp2 copies them there).
struct header_field {
    std::string_view name;
    std::string_view value;
};

}  // namespace stytch::detail
