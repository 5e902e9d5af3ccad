#pragma once

// What one attempt came to, judged without I/O: the error the caller would see, the API's
// details, and whether the retry policy allows another attempt.

#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <string_view>

#include <stytch/b2b/delete_external_id.hpp>
#include <stytch/config.hpp>
#include <stytch/error.hpp>

#include "protocol/h2_session.hpp"
#include "protocol/http_answer.hpp"

namespace stytch::detail {

/// What an attempt means for its call: one value, decided here without I/O and performed by
/// the driver (driver/client_core_settle.hpp). The transparent ones (`replace`, `requeue_*`,
/// `resend`) send the call again at once, not counted as a retry by the policy; each discards
/// a connection or was the server's refusal, and they are bounded per call (when the bound is
/// spent, they fall back to `retry`, or `final` for `resend`).
enum class verdict : unsigned char {
    final,  ///< the outcome stands: a success, or a failure the policy does not retry
    retry,  ///< a failure the retry policy retries after a backoff (attempts and deadline allowing)
    /// HTTP/1.1: a pooled connection the server had closed (or answered 408 on) before this
    /// request's answer: again on a new connection in the same pool slot
    replace,
    /// HTTP/2: a shared connection found dead or lost before any answer on this stream: back
    /// to the pool's queue, any connection will do
    requeue_stale,
    /// HTTP/2: the server did not take the request up (REFUSED_STREAM, above a GOAWAY's last
    /// stream id): back to the pool's queue
    requeue_refused,
    /// HTTP/1.1: a success answer for another organization
    /// (error::answer_for_another_organization): a stray answer put the connection one answer
    /// out of step. It is closed, and the call sent again once on a new connection.
    resend,
};

struct outcome {
    outcome() = default;
    outcome(boost::system::error_code e) : ec(e) {}

    boost::system::error_code ec;
    /// What the server (or this library) said about a failure; null when there is nothing to
    /// add to `ec`. Made on first use: a success never allocates it, an outcome moves cheaply,
    /// and the coroutine frames that hold one stay within malloc's per-thread cache (1,032
    /// bytes; a larger block takes its slow path on every call).
    std::unique_ptr<api_error> details;
    int http_status = 0;
    std::string retry_after;  ///< the answer's Retry-After, raw
    enum verdict verdict = verdict::final;
    bool reused = false;       ///< a pooled connection was used
    bool unsent = false;       ///< nothing was written (the idle check or a PING refused it)
    bool open_failed = false;  ///< the connection could not be opened
    attempt_phase phase = attempt_phase::exchanging;  ///< how far the attempt got

    /// The details to fill in, made if there were none.
    api_error& fill_details() {
        if (!details) {
            details = std::make_unique<api_error>();
        }
        return *details;
    }

    /// The pooled connection had gone stale (closed by the server while idle, or dead).
    bool stale() const noexcept {
        return verdict == verdict::replace || verdict == verdict::requeue_stale;
    }
    /// An attempt the statistics and on_attempt see: not a pooled connection refused before
    /// anything was written, nor a request the server did not take up.
    bool counts_as_attempt() const noexcept {
        return !(unsent && (stale() || verdict == verdict::requeue_refused));
    }
};

/// A connection that could not be opened. The connect timeout (`timed_out`) is retried like
/// any transient connect failure; a proxy's refusal never is. `proxy`: the proxy's
/// `host:port` when the connection went through one; a failure on the way to the API's TLS
/// handshake (or a tunnel that broke at it) names it in `details.error_message`.
outcome judge_open_failure(boost::system::error_code ec, int proxy_status, bool reached_handshake,
                           std::string_view proxy);

/// An exchange that failed. `silent`: before any byte of an answer (or the idle check found
/// the connection had spoken), so the server cannot have acted on the request: `replace` on a
/// pooled connection, `retry` on a new one (a TLS alert: `final`).
outcome judge_exchange_failure(boost::system::error_code ec, bool reused, bool silent);

/// How an HTTP/2 stream ended; an answer is judged as judge_answer() does (without the
/// HTTP/1.1 keep-alive rule for a 408, and a success for another organization is only the
/// server's answer: no stream is out of step). `lost`: why the connection failed, for a stream
/// that ended with it (`error::http2_protocol_error` when the server broke the protocol). A
/// reset or a broken protocol names the HTTP/2 error code in `details.error_type` and nghttp2's
/// reason in `details.error_message`.
outcome judge_stream(const h2_result& r, bool reused, boost::system::error_code lost,
                     b2b::delete_external_id_response& into, const client_config& cfg,
                     std::string_view requested);

/// A complete answer; a 2xx is decoded into `into` and must be for the organization the call
/// named: `requested`, as its request path carries it (see owner_of()); one for another is
/// `error::answer_for_another_organization` with verdict `resend`, `into` cleared and the
/// answer's request id in `details`. Reads `a` only during the call: decode before the
/// connection's next exchange.
outcome judge_answer(const http_answer& a, bool reused, b2b::delete_external_id_response& into,
                     const client_config& cfg, std::string_view requested);

}  // namespace stytch::detail
