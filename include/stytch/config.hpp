#pragma once

/// @file
/// Client configuration.

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include <stytch/export.hpp>
#include <stytch/stats.hpp>
#include <stytch/version.hpp>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX, for client_config::tls_context_hook

namespace stytch {

/// When a failed call is tried again, and how long it waits in between.
///
/// Retried: connect failures (refused, reset, unreachable, connect timeout); a connection that
/// closed without any byte of an answer; HTTP 429, 502, 503, 504; and 500 only when
/// `retry_internal_server_error` is set (off by default: a 500 may mean the request did
/// something, and Stytch documents it as not transient). Never retried: other statuses, TLS
/// failures (certificate verification included), decode errors, cancellation, and anything
/// once the call's deadline has passed. A pooled connection found closed by the server is
/// replaced at once and does not count as an attempt.
///
/// The delay before attempt n+1 is uniformly random in [0, min(max_delay, base_delay * 2^(n-1))]
/// ("full jitter"), or what the answer's `Retry-After` asks for (seconds or HTTP-date). When
/// the delay would end past the deadline, the call ends with the last failure instead.
/// Delays saturate: no base, cap or `Retry-After` value (however large) overflows; a delay
/// longer than any clock can count simply ends the call at the deadline.
struct retry_policy {
    std::size_t max_attempts = 3;  ///< attempts in all; 1 disables retries
    /// Upper bound of the first backoff delay; doubles with each attempt.
    std::chrono::milliseconds base_delay{100};
    /// Cap of the backoff delay (a `Retry-After` above the deadline ends the call instead).
    std::chrono::milliseconds max_delay{std::chrono::seconds(5)};
    /// Also retry HTTP 500 (off: a 500 may mean the request took effect).
    bool retry_internal_server_error = false;
};

/// Which HTTP version a connection may speak, chosen by ALPN during the TLS handshake.
enum class http_version {
    /// Let the server choose among the versions the client speaks (its default).
    automatic,
    /// HTTP/1.1 only: `h2` is never offered.
    http1_1,
    /// HTTP/2 only: only `h2` is offered, and a connection whose server does not select it
    /// fails with `error::http2_not_negotiated` before anything is sent.
    http2,
};

/// How far an attempt got before it ended.
enum class attempt_phase {
    waiting_for_connection,  ///< waiting for a pooled connection or a free slot in the pool
    connecting,              ///< resolving, connecting TCP and opening a proxy's tunnel
    tls_handshake,           ///< the TLS handshake with the server (certificate checks included)
    exchanging,              ///< sending the request and waiting for the answer (or reading it)
};

/// What the optional per-attempt hook sees. Contains no credential, token or request data.
struct attempt_info {
    std::size_t attempt = 0;             ///< 1 for the first attempt
    boost::system::error_code result{};  ///< the attempt's outcome (empty on success)
    /// Status of the answer (the proxy's for `error::proxy_refused`), 0 when there was none.
    int http_status = 0;
    std::chrono::microseconds latency{};  ///< from borrowing a connection to the answer
    bool reused_connection = false;       ///< whether a pooled connection was used
    /// Where the attempt ended: `exchanging` for every attempt that got an answer.
    attempt_phase phase = attempt_phase::waiting_for_connection;
    /// The answer's `request_id` (of an API error, or of a 2xx answer), to match the attempt
    /// with Stytch's logs; empty when there was no answer or it had none.
    std::string request_id{};
    /// The delay the answer's `Retry-After` asked for (delay-seconds, or an HTTP date counted
    /// from the answer's arrival; saturates at `milliseconds::max()`), empty when it had none
    /// or an invalid one: what a caller that paces its own work (a bulk run) should wait.
    std::optional<std::chrono::milliseconds> retry_after{};
};

/// Everything a @ref client needs to know, fixed at construction.
///
/// Only `project_id` and `secret` are required; every other field has a production default.
struct STYTCH_EXPORT client_config {
    /// Stytch project id (`project-live-...` selects the live API, anything else the test API).
    std::string project_id{};

    /// Project secret. Sent only inside the Basic `Authorization` header, never logged.
    std::string secret{};

    /// Overrides the environment's base URL. Must be `https://host[:port][/prefix]`; the path
    /// prefix is kept and a trailing slash is ignored. Empty: derived from `project_id`.
    std::string base_url{};

    /// Limit for TCP connect plus TLS handshake of one new connection.
    ///
    /// Every timeout here must be positive; any positive value is valid, up to
    /// `milliseconds::max()`: a deadline past the end of `steady_clock` saturates, so a huge
    /// timeout means "no practical limit" (it never overflows into "expired at once").
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};

    /// Deadline for a whole call: waiting for a connection, connecting, writing, reading.
    /// Positive; huge values saturate (see `connect_timeout`).
    std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};

    /// Maximum number of open connections; further callers wait in FIFO order.
    std::size_t max_connections = 16;

    /// A pooled connection unused for this long is closed, when the client next takes or gives
    /// back a connection (no timer: an idle client keeps no operation pending). Positive; huge
    /// values saturate (see `connect_timeout`): idle connections are then kept until the client
    /// is closed (one the server closed meanwhile is replaced when next used).
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};

    /// Idle connections, the most recently used first, that keep their TLS buffers (about
    /// 40 KiB each) for a quick reuse; the others give them back and hold a few KiB while they
    /// idle. Any value is valid; 0 trims every idle connection.
    std::size_t warm_idle_connections = 8;

    /// Largest accepted response body; a larger answer fails with `http::error::body_limit`.
    std::size_t max_response_body = 1024 * 1024;

    /// Deepest nesting of JSON objects and arrays accepted in a value of an answer that the
    /// client does not decode field by field: a free-form member (`trusted_metadata`,
    /// `allowed_oauth_tenants`, `error_details`) or an unknown member, which is skipped. The
    /// value's own object or array counts as 1 (`"trusted_metadata": {"a": [1]}` nests 2 deep);
    /// the known records around it do not count. A deeper 2xx answer fails with
    /// `error::json_too_deep`; a deeper error answer is read like a non-JSON body (only the
    /// HTTP status is kept). From 1 to 1024: parsing recurses once per level.
    std::size_t max_json_depth = 64;

    /// `User-Agent` header value.
    std::string user_agent = "Stytch C++ v" STYTCH_VERSION_STRING;

    /// Optional PEM file with extra trusted CA certificates (private or test CAs). The system
    /// trust store is always used too; peer verification cannot be turned off.
    std::string ca_file{};

    /// Client certificate (PEM file: the certificate, optionally followed by its chain) for
    /// servers or middleboxes that require mutual TLS. Empty: no client certificate.
    std::string client_certificate_file{};

    /// Private key (PEM file, unencrypted) of `client_certificate_file`. Empty: the key is read
    /// from `client_certificate_file`.
    std::string client_key_file{};

    /// Called once at construction with the client's `SSL_CTX*`, after the library's own
    /// settings (TLS >= 1.2, trust store, client certificate), for policies the configuration
    /// does not cover: cipher lists, groups, a verify callback that pins a key. What it sets
    /// is the caller's responsibility. Peer verification stays on: a hook that clears
    /// `SSL_VERIFY_PEER` makes the construction fail with `error::invalid_config`. Host-name
    /// verification is set per connection and cannot be changed here.
    std::function<void(ssl_ctx_st*)> tls_context_hook{};

    /// The HTTP versions offered by ALPN: `automatic` offers `h2` and `http/1.1` and speaks
    /// what the server selects; `http1_1` never offers `h2`; `http2` requires it. Over HTTP/2
    /// one connection carries many calls at once (see `max_streams_per_connection`).
    stytch::http_version http_version = stytch::http_version::automatic;

    /// HTTP/2: most calls carried at once by one connection, below the server's
    /// SETTINGS_MAX_CONCURRENT_STREAMS. The pool gives a call a stream on the least-loaded
    /// connection and opens another (up to `max_connections`) only when all are full.
    /// At least 1.
    std::size_t max_streams_per_connection = 100;

    /// HTTP/2: a connection the server has sent nothing on for this long is checked with a
    /// PING before a call uses it; without an answer within `connect_timeout` it is closed
    /// and the call goes to another connection (not counted as an attempt). Positive; huge
    /// values saturate (never checked).
    std::chrono::milliseconds h2_ping_after_idle{std::chrono::seconds(10)};

    /// HTTP/2: the memory budget for answers on one connection: its flow-control window
    /// (what the server may send unacknowledged), and the most body bytes its streams hold
    /// together. Past it (answers that go on and on while none completes) the stream holding
    /// the most is reset and its call fails with `http::error::body_limit`, so the others can
    /// finish. Taken as at least `max_response_body` + 64 KiB; at most 2^31 - 1. Peak memory of
    /// one connection: about twice this budget (bodies grow by doubling), plus 256 KiB of
    /// bytes to send, plus about 64 KiB of buffers.
    std::size_t h2_connection_window = 4 * 1024 * 1024;

    /// HTTPS proxy for every connection, tunnelled with `CONNECT host:port` (TLS to the API
    /// then runs inside the tunnel, verified against the API's host name, never the proxy's).
    /// `http://[user:password@]host[:port]` (port 1080 when absent, as in curl), or
    /// `https://...` (port 443) for a TLS session with the proxy itself, verified against the
    /// proxy's host name with the same trust store and `ca_file`, with no client certificate.
    /// A URL without scheme is taken as `http://`. The user and password are percent-decoded
    /// and sent as `Proxy-Authorization: Basic`; they are secrets like `secret`: never in an
    /// error message, a hook argument or the CLI's output. Empty: no proxy (the environment
    /// is read only by proxy_from_environment()).
    std::string proxy{};

    /// Hosts reached directly even when `proxy` is set, as in curl's and Go's `NO_PROXY`: a
    /// list separated by commas or spaces of host names (`example.com` matches it and every
    /// subdomain; a leading `.` or `*.` means the same), IP addresses, CIDR blocks
    /// (`10.0.0.0/8`, `fd00::/8`), optionally with `:port` (`[::1]:8443` for IPv6) to match one
    /// port only, or `*` for every host. Case-insensitive; a trailing dot is ignored; host
    /// names are never resolved to match an IP entry. A loopback API host is proxied unless
    /// listed here (as curl does; Go never proxies loopback).
    std::string no_proxy{};

    /// Sets `proxy` and `no_proxy` from the environment, as curl does for an https URL:
    /// `proxy` from `https_proxy`, else `HTTPS_PROXY`; `no_proxy` from `no_proxy`, else
    /// `NO_PROXY` (an empty variable counts as unset). The lowercase name wins when both are
    /// set (Go reads the uppercase one first; set one of them only to be portable).
    /// `http_proxy` and `ALL_PROXY` are not read: the API is reached over https only.
    /// Variables that are unset leave the fields empty, which turns the proxy off.
    void proxy_from_environment();

    /// Retry policy (on by default: up to 3 attempts).
    stytch::retry_policy retry{};

    /// Called after every attempt, when set, on the strand of the connection the attempt used
    /// (so on a thread running the client's executor). Attempts on different connections run
    /// in parallel when several threads run that executor: the hook may then be called from
    /// several threads at once and must be thread-safe. Must not block.
    std::function<void(const attempt_info&)> on_attempt{};

    /// Called once per call, when set, as the call completes: after the figures of
    /// client::stats() include it and before its completion handler is invoked, never under
    /// the client's lock. It runs on a thread running the client's executor; calls completing
    /// at once on several threads call it from several threads at once, so it must be
    /// thread-safe. Must not block: it delays this call's handler. See @ref call_info.
    std::function<void(const call_info&)> on_call{};

    /// Checks the configuration without building a client.
    /// @returns an empty code, or the first problem found (`error::missing_project_id`,
    /// `error::missing_secret`, `error::invalid_base_url`, `error::insecure_base_url`,
    /// `error::invalid_header_value`: a control character other than HTAB in `project_id`,
    /// `secret` or `user_agent`; `error::invalid_config`: a timeout or limit that is zero or
    /// negative, `max_json_depth` outside 1..1024, `retry.max_attempts == 0`,
    /// `retry.max_delay < retry.base_delay`, a `proxy` that does not parse, has another scheme
    /// than `http` or `https`, a path, query or fragment, or control characters in its user or
    /// password, a `client_key_file` without `client_certificate_file`, or an `http_version`
    /// that is none of its enumerators). Files are read only by the client's constructor.
    boost::system::error_code validate() const;
};

}  // namespace stytch
