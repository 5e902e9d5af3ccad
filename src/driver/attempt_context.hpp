#pragma once

// What one attempt hands the protocol channel of its connection (see channel.hpp): the call's
// request and the response to fill, the client's settings, and the two gates through which the
// engine lets the attempt go on (client_core::may_interrupt and may_write, under its mutex).

#include <string_view>

#include <stytch/b2b/delete_external_id.hpp>
#include <stytch/config.hpp>

#include "codec/request_encoder.hpp"
#include "engine/outcome.hpp"

namespace stytch::detail {

/// The engine's side of an attempt. Each gate says false once the call was aborted (its
/// outcome then comes from the abort: see client_core::settle).
class attempt_gates {
  public:
    /// From now on an abort interrupts what the attempt waits for (an open, a PING).
    virtual bool may_interrupt() = 0;
    /// From now on the server may act on the request: partial cancellation no longer applies.
    virtual bool may_write() = 0;

  protected:
    ~attempt_gates() = default;
};

struct attempt_context {
    const void* who;  ///< the call: names the attempt's waits for connection::interrupt()
    bool reused;      ///< the connection served an earlier attempt
    const encoded_request& request;
    const request_encoder& encoder;  ///< HTTP/2 takes the request's fields from it
    const client_config& cfg;
    b2b::delete_external_id_response& response;  ///< a 2xx answer is decoded into it
    attempt_gates& gates;

    /// The organization the request names, which a 2xx answer must be for.
    std::string_view requested() const noexcept { return request.organization_segment(); }
};

/// The outcome of an attempt that may not write: the call was aborted (its outcome then comes
/// from the abort); `phase` says how far it got.
inline outcome not_written(bool reused) {
    outcome o;
    o.phase = reused ? attempt_phase::waiting_for_connection : attempt_phase::tls_handshake;
    return o;
}

}  // namespace stytch::detail
