#pragma once

/// @file
/// An in-process mock of the Stytch B2B API endpoint
/// `DELETE /v1/b2b/organizations/{organization_id}/external_id`, served over HTTPS on
/// 127.0.0.1 by its own threads. Meant for tests: it records every request, and a hook can
/// replace any answer with a custom one, a dropped connection or no answer at all.

#include <stytch/mock/certificates.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stytch::mock {

struct recorded_request;
struct answered_request;

/// Construction parameters of a `server`.
struct server_options {
    /// The Basic credentials the server accepts: `project_id:secret`.
    std::string project_id = "project-test-11111111-2222-3333-4444-555555555555";
    /// The secret half of the accepted Basic credentials.
    std::string secret = "secret-test-mock";
    /// The address to bind (an IP literal).
    std::string address = "127.0.0.1";
    /// 0: an ephemeral port, see `server::port()`.
    std::uint16_t port = 0;
    /// Served at `<prefix>/v1/b2b/...`, e.g. "/stytch". A missing leading '/' is added and
    /// trailing '/' are removed.
    std::string path_prefix;
    /// The server's certificate and key; a fresh one from `make_tls_identity()` when absent.
    std::optional<tls_identity> identity;
    /// The server closes a connection that has not sent (all of) its next request within this
    /// time. Also bounds reading one request. `milliseconds::max()` (or any value past the
    /// clock's range) means no limit.
    std::chrono::milliseconds keep_alive_timeout{std::chrono::seconds(30)};
    /// Threads running the server's io_context (0 is taken as 1).
    std::size_t threads = 1;
    /// Mutual TLS: when not empty, the PEM CA certificate(s) that must have signed a client
    /// certificate; a client without one, or with another, fails the TLS handshake.
    std::string client_ca_pem;
    /// Fault: accept TCP connections but never complete the TLS handshake (bytes the client
    /// sends are read and dropped until it closes or the server stops).
    bool stall_tls_handshake = false;
    /// Latency: every answer (normal, overridden or fault) waits this long after its request
    /// was read, on a timer, so other connections are served meanwhile (at most a year).
    std::chrono::milliseconds answer_delay{0};
    /// Latency spread: when greater than `answer_delay`, each answer waits a time drawn
    /// uniformly (whole milliseconds, both ends included) from [answer_delay,
    /// answer_delay_max] instead, so a benchmark can check its percentiles against a known
    /// distribution (at most a year).
    std::chrono::milliseconds answer_delay_max{0};
    /// ALPN: the protocols the server selects from, in its order of preference, when the
    /// client offers one of them (the server selects none otherwise, and the client then
    /// speaks HTTP/1.1). When it selects `h2` the connection speaks HTTP/2 (nghttp2): each
    /// stream's request goes through the same handling (store, override hook, answer_delay);
    /// a hook's `respond` is sent as HEADERS and DATA, `stall` is never answered,
    /// `close_without_answer` closes the connection, and any other fault (they are HTTP/1.1
    /// byte-level faults) resets the stream with INTERNAL_ERROR.
    std::vector<std::string> alpn{"http/1.1"};
    /// HTTP/2: the SETTINGS_MAX_CONCURRENT_STREAMS the server announces.
    std::uint32_t h2_max_concurrent_streams = 100;
    /// HTTP/2 fault: once a connection's N-th request arrives, send GOAWAY NO_ERROR with that
    /// request's stream id as last_stream_id; later streams are not processed. 0: never.
    std::size_t h2_goaway_after = 0;
    /// HTTP/2 fault: a connection's N-th request gets RST_STREAM REFUSED_STREAM and is not
    /// processed (not counted in `requests_received()`). 0: none.
    std::size_t h2_refuse_stream = 0;
    /// HTTP/2 fault: the server never sends WINDOW_UPDATE: the request bodies of a connection,
    /// all together, get the initial 65,535-byte window and no more. Requests without a body
    /// are unaffected.
    bool h2_no_window_update = false;
    /// HTTP/2 fault: the server never acknowledges a PING; streams are answered as usual.
    bool h2_ignore_ping = false;
    /// HTTP/2 fault: a connection's N-th request is counted and recorded, and answered (after
    /// `answer_delay`) with an HPACK bomb instead: about 20 KB of header block that decodes to
    /// about 64 MB of header list (one field in the dynamic table referenced 16,000 times),
    /// END_STREAM. Other streams are answered as usual. 0: none.
    std::size_t h2_hpack_bomb = 0;
    /// HTTP/2 fault: a connection's N-th request is counted and recorded, and answered (after
    /// `answer_delay`) with a HEADERS frame without END_HEADERS followed by a CONTINUATION
    /// frame every 10 ms, until the client closes the connection or the server stops; nothing
    /// else is sent on that connection from then on. 0: none.
    std::size_t h2_endless_continuation = 0;
    /// Keep every request for `requests()`. Turn off for long runs (soak tests): memory then
    /// stays flat, and `requests_received()` still counts them.
    bool record_requests = true;
    /// Called on a server thread once the server is done with each request counted by
    /// `requests_received()`: its answer written, its fault carried out (a stall: when the
    /// client went away), or abandoned by `stop()`. For request logs; it must not throw (what it
    /// throws is ignored) nor call `stop()`. Requests refused before they are complete (malformed
    /// HTTP, oversized headers) and HTTP/2 streams refused by `h2_refuse_stream` are not counted.
    std::function<void(const answered_request&)> on_answered{};
};

/// One request as the server received it.
struct recorded_request {
    /// 1 for the first accepted connection, then 2, 3, ...
    std::uint64_t connection_id = 0;
    /// The HTTP method as sent, e.g. `DELETE`.
    std::string method;
    /// The request target as sent (path and query, not decoded).
    std::string target;
    /// In the order received, names as sent.
    std::vector<std::pair<std::string, std::string>> headers;
    /// The request body (empty for the client's DELETE).
    std::string body;

    /// The value of the first header named `name` (case-insensitive), "" if absent.
    std::string header(std::string_view name) const;
};

/// What `server_options::on_answered` reports about one request.
struct answered_request {
    /// The request as received.
    const recorded_request& request;
    /// "HTTP/1.1" or "HTTP/2".
    std::string_view protocol;
    /// The HTTP status the server sent for it (also when a fault cut the answer short after
    /// its status line); 0 when none was sent: a dropped connection, a stall, raw bytes, an
    /// HTTP/2 stream reset, a script without `normal_answer`, an abandoned request.
    int status = 0;
    /// When the request was complete (wall clock).
    std::chrono::system_clock::time_point received_at{};
    /// From `received_at` until the server was done with the request (latency included).
    std::chrono::steady_clock::duration duration{};
};

/// One step of a scripted answer (`reply::kind::script`): exact bytes, exact TLS record
/// boundaries, exact timing.
///
/// Write steps that follow each other without a delay are corked (TCP_CORK): their records
/// leave together, so a stray answer written right after the real one reaches the client in
/// the same TCP segment. Before a delay, before any other action and at the end of the script,
/// what was written is pushed out and the server waits (at most 1 s) until the client's TCP has
/// acknowledged it; only then do those steps count in `server::script_steps_completed()`.
struct script_step {
    /// What the step does.
    enum class kind {
        /// Write `bytes`, `repeat` times, in TLS records of at most `record_size` bytes each.
        write,
        /// Write what the normal handling answers to this request (the override hook is not
        /// asked again; the store is changed as usual), keep-alive, in one record per 16 KiB.
        normal_answer,
        /// Send a TLS close_notify and keep the TCP connection open; the server then only
        /// waits for the client to close (at most `server_options::keep_alive_timeout`).
        close_notify,
        /// close_notify, then close the TCP connection (FIN): a graceful close.
        shutdown,
        /// Close the TCP connection (FIN) without a close_notify.
        fin,
        /// Reset the TCP connection (RST, SO_LINGER 0) once the client acknowledged what was
        /// written.
        reset,
    };
    /// The action.
    kind action = kind::write;
    /// Waited before the step.
    std::chrono::milliseconds delay{0};
    /// For `write`: the bytes, sent as they are (nothing is added).
    std::string bytes{};
    /// For `write`: how many times `bytes` is written; floods keep the server's memory bounded.
    std::size_t repeat = 1;
    /// For `write`: the maximum plaintext size of one TLS record; 0 means 16 KiB. For
    /// `normal_answer` with an `interval`: the size of each piece of the body.
    std::size_t record_size = 0;
    /// For `normal_answer`: when not 0, a slow body: the status line and headers go out at
    /// once, then the body in pieces of `record_size` bytes (0: 16 bytes), each pushed out
    /// alone with this wait before it.
    std::chrono::milliseconds interval{0};

    /// A `write` step.
    static script_step write(std::string bytes, std::chrono::milliseconds delay = {},
                             std::size_t record_size = 0) {
        script_step s;
        s.bytes = std::move(bytes);
        s.delay = delay;
        s.record_size = record_size;
        return s;
    }
    /// A `write` step sending `bytes` `repeat` times (a flood).
    static script_step flood(std::string bytes, std::size_t repeat,
                             std::chrono::milliseconds delay = {}) {
        script_step s = write(std::move(bytes), delay);
        s.repeat = repeat;
        return s;
    }
    /// A step of another kind than `write`.
    static script_step of(kind action, std::chrono::milliseconds delay = {}) {
        script_step s;
        s.action = action;
        s.delay = delay;
        return s;
    }
    /// A `normal_answer` step.
    static script_step normal_answer(std::chrono::milliseconds delay = {}) {
        return of(kind::normal_answer, delay);
    }
    /// A `normal_answer` step whose body trickles: `piece` bytes every `interval`.
    static script_step slow_answer(std::size_t piece, std::chrono::milliseconds interval) {
        script_step s = of(kind::normal_answer);
        s.record_size = piece;
        s.interval = interval;
        return s;
    }
};

/// What an override hook answers instead of the normal handling.
struct reply {
    /// What the server does with the connection.
    enum class kind {
        respond,               ///< answer with `status`, `body`, `headers`
        close_without_answer,  ///< close the TCP connection at once, without TLS close_notify
        stall,                 ///< never answer (until the client gives up or the server stops)
        /// Send the first `partial_bytes` bytes of the answer, then reset the TCP connection
        /// (SO_LINGER 0: RST, no FIN, no TLS close_notify).
        reset_mid_answer,
        /// Send the status line and headers of the answer (Content-Length of the whole body),
        /// then nothing more, like `stall`.
        headers_then_stall,
        /// Send the headers with the Content-Length of the whole `body` but only its first
        /// `partial_bytes` bytes, then close the connection (TLS close_notify, then TCP).
        truncated_body,
        /// Send `raw` as-is (invalid HTTP, oversized headers, ...). The connection is closed
        /// afterwards only with `close_after`; otherwise the next request is read from it.
        raw,
        /// Answer `status` with `Content-Length: stream_size` and a body of `body` followed by
        /// spaces up to `stream_size` bytes, generated and written in chunks of `chunk_size`:
        /// memory stays bounded whatever the size. Stops when the client goes away.
        stream_body,
        /// Run `script`, step by step, on this connection. A failed write (the client went
        /// away) or `server::stop()` ends it. When no step closed the connection, the server
        /// then reads the next request from it.
        script,
    };
    /// The behaviour; `respond` by default.
    kind action = kind::respond;
    /// HTTP status of the answer (`respond`, `headers_then_stall`, `stream_body`, ...).
    int status = 200;
    /// Body of the answer, usually JSON.
    std::string body{};
    /// Extra headers. Content-Type (default application/json) and Content-Length (default the
    /// body's size) given here replace the server's; `Connection: close` acts as `close_after`.
    std::vector<std::pair<std::string, std::string>> headers{};
    /// Send `Connection: close` and close the connection after the answer.
    bool close_after = false;
    /// For `reset_mid_answer` and `truncated_body`: how many bytes go out before the fault.
    std::size_t partial_bytes = 0;
    /// For `raw`: the exact bytes sent.
    std::string raw{};
    /// For `stream_body`: the body size announced and sent.
    std::size_t stream_size = 0;
    /// For `stream_body`: the size of each write.
    std::size_t chunk_size = 64 * 1024;
    /// For `script`: the steps, in order.
    std::vector<script_step> script{};
};

/// The bytes of the answer a `respond` reply describes, as the server sends them on a
/// keep-alive connection: status line, headers (Content-Type and Content-Length included),
/// body. For building scripts, e.g. an answer followed by a second, unsolicited one.
std::string render(const reply& r);

/// The mock server. It binds and listens in the constructor and serves until `stop()` or
/// destruction.
///
/// Thread-safety: every public member may be called from any thread, concurrently, except
/// that `stop()` and the destructor must not be called from the override hook (they join the
/// server's threads).
///
/// Normal handling: only `DELETE <prefix>/v1/b2b/organizations/{id}/external_id` is served,
/// `{id}` percent-decoded and matched against organization_id, organization_slug and
/// organization_external_id. Answers use the Stytch error shape
/// `{status_code, request_id, error_type, error_message, error_url}`:
/// - other paths: 404 `route_not_found`; the path with another method: 405
///   `method_not_allowed`;
/// - Authorization other than `Basic base64(project_id:secret)`: 401 `unauthorized_credentials`;
/// - unknown id: 404 `organization_not_found`; undecodable id: 400 `bad_request`;
/// - success: the stored organization loses its organization_external_id member (as the
///   real API, whose organization has no external id then), and the answer, 200
///   `{request_id, status_code, organization}`, holds that stored record: without the member.
/// - malformed HTTP: 400 `bad_request`; headers over 8 KiB: 431 `request_header_too_large`;
///   body over 64 KiB: 413 `request_too_large`; each followed by closing the connection.
/// Responses are HTTP/1.1 keep-alive (unless the client asks for `Connection: close`) with
/// Content-Type: application/json and Content-Length.
class server {
  public:
    /// Binds, listens and starts the threads. Throws std::runtime_error (including
    /// boost::system::system_error) when it cannot.
    explicit server(server_options opts = {});
    /// Calls `stop()`.
    ~server();

    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Closes the listener and every connection, and joins the threads. Idempotent. Pending
    /// answers (stalls included) are abandoned; clients see the connection close.
    void stop();

    /// The bound port.
    std::uint16_t port() const;
    /// "https://<address>:<port><prefix>", e.g. "https://127.0.0.1:40123/stytch".
    std::string base_url() const;
    /// The TLS material in use; `.ca_certificate_pem` is the clients' trust anchor.
    const tls_identity& identity() const;
    /// Writes `identity().ca_certificate_pem` to `path`. Throws std::runtime_error on failure
    /// or when there is no CA certificate.
    void write_ca_file(const std::string& path) const;

    /// How much `add_organization` and `load_organizations` check of each organization.
    enum class seed_check {
        id_only,  ///< a non-empty string organization_id (tests may serve partial answers)
        /// What the client decodes: every member it requires, at every level, present, not
        /// null and of its JSON type, and every optional member it knows absent, null or of
        /// its JSON type.
        complete,
    };

    /// Adds or replaces (by organization_id) an organization. Throws std::invalid_argument
    /// when `organization_id` is missing or not a non-empty string, and, with
    /// `seed_check::complete` (the default), when the client could not decode the record: the
    /// message names the first faulty member, e.g. `custom_roles[0].role_id is missing` or
    /// `created_at is not a string`. Pass `seed_check::id_only` to serve a partial record on
    /// purpose.
    void add_organization(boost::json::object organization,
                          seed_check check = seed_check::complete);

    /// Adds every organization of a JSON file holding an array of organization objects or
    /// `{"organizations": [...]}`, all or none. Throws std::runtime_error on failure; with
    /// `seed_check::complete` its message names the first absent, null or mistyped required
    /// member, e.g. `organizations[2]: custom_roles[0].permissions[1].resource_id is missing`.
    void load_organizations(const std::string& json_file, seed_check check = seed_check::id_only);
    /// The stored organization whose organization_id, organization_slug or
    /// organization_external_id equals the argument (organization_id first).
    std::optional<boost::json::object> find_organization(
        std::string_view id_slug_or_external_id) const;

    /// Installs (or, with an empty function, removes) a hook called on a server thread for
    /// every request before normal handling; `std::nullopt` means normal handling. The hook
    /// may be called concurrently when `threads > 1`. If it throws, the answer is a 500.
    void set_override(std::function<std::optional<reply>(const recorded_request&)> hook);

    /// TCP connections accepted so far.
    std::size_t connections_accepted() const;
    /// TCP connections currently open.
    std::size_t connections_open() const;
    /// Steps of scripted answers (`reply::kind::script`) carried out so far, over all
    /// connections; a write step counts once the client's TCP has acknowledged its bytes.
    std::size_t script_steps_completed() const;
    /// Scripted answers under way: started, and neither through their last step nor ended by
    /// a failed write or `stop()` (a script ending in close_notify counts as through once the
    /// close_notify was acknowledged, while the server waits for the client to close).
    std::size_t scripts_running() const;
    /// HTTP/2 GOAWAY frames received from clients so far, over all connections.
    std::size_t goaways_received() const;
    /// Connections on which the client's TLS close_notify was received before the
    /// connection ended (a polite close, not an abrupt one); counted when the server is done
    /// with the connection.
    std::size_t close_notifies_received() const;
    /// The ALPN protocol lists offered by the clients' TLS handshakes so far, in order (none
    /// is recorded for a handshake without ALPN, nor when `record_requests` is off).
    std::vector<std::vector<std::string>> alpn_offers() const;
    /// Complete requests received so far (counted even when `record_requests` is off).
    std::size_t requests_received() const;
    /// Every complete request received, in order of arrival.
    std::vector<recorded_request> requests() const;
    /// Forgets the recorded requests; the counters (`requests_received()`, connections) stay.
    void clear_requests();

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace stytch::mock
