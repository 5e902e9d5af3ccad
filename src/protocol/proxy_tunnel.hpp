#pragma once

// The CONNECT tunnel through an HTTPS proxy, sans-io: the request, and a bounded reader of the
// proxy's answer. transport/proxy_connect.hpp runs them on a socket.

#include <cstddef>
#include <string>
#include <string_view>

#include "codec/base_url.hpp"
#include "codec/proxy_url.hpp"

namespace stytch::detail {

/// `CONNECT host:port HTTP/1.1` with `Host` and, when the proxy URL has a user,
/// `Proxy-Authorization`. The result carries the proxy's credentials: never log it.
std::string encode_connect(const endpoint& target, const proxy_endpoint& proxy);

/// Reads the proxy's answer to CONNECT. Interim 1xx answers are skipped; the header section
/// (all answers together) must fit in `header_limit` bytes. A 2xx must end exactly where the
/// bytes end: a body, an announced body (Content-Length other than 0, Transfer-Encoding) or
/// anything after the header is a broken tunnel, since TLS must start on a clean stream.
class connect_answer_reader {
  public:
    enum class state {
        reading,      ///< the answer is incomplete: read at most room() more bytes
        established,  ///< a 2xx: the tunnel is open
        refused,      ///< another final status, see status()
        broken,       ///< malformed, over the limit, or bytes after a 2xx
    };

    explicit connect_answer_reader(std::size_t header_limit = 8 * 1024) : limit_(header_limit) {}

    /// Takes the next bytes received from the proxy and returns the new state. Once the state
    /// is not `reading`, it no longer changes (further bytes after a 2xx make it `broken`).
    /// Bytes beyond the limit make it `broken`, unless a refusal was complete before them.
    state feed(std::string_view bytes);

    state current() const noexcept { return state_; }
    /// The final status, once `established` or `refused`.
    int status() const noexcept { return status_; }
    /// How many bytes may still arrive before the header limit is reached.
    std::size_t room() const noexcept { return total_ < limit_ ? limit_ - total_ : 0; }

  private:
    state parse_buffered();

    std::size_t limit_;
    std::size_t total_ = 0;  // bytes fed so far
    std::string buffer_;     // the answer not yet parsed
    state state_ = state::reading;
    int status_ = 0;
};

}  // namespace stytch::detail
