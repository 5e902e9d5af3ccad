#pragma once

// The client side of one HTTP/2 connection, sans-io: nghttp2 does the framing, HPACK, flow
// control and stream states; the owner moves bytes between it and the TLS stream. No Asio, no
// coroutine: tested against an nghttp2 server session in memory and fuzzed alone.
//
//   receive(bytes from the server) -> take_output() (bytes to send) -> take_finished() (answers)
//
// Memory is bounded whatever the server sends: all streams together keep at most the
// connection window of body (the server cannot have more unacknowledged; past it, as the
// window refills while nothing ends, the stream holding the most is reset with
// `body_too_large`), each stream at most `body_limit` bytes of body and
// `header_list_limit` bytes of header fields (a larger answer resets that stream), a
// header block may span at most `max_continuations` CONTINUATION frames, and nghttp2 ends the
// connection when the server provokes more acknowledgements (SETTINGS, PING) than it sends.

#include <cstddef>
#include <cstdint>
#include <map>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/header_field.hpp"
#include "protocol/h2_memory.hpp"

struct nghttp2_session;

namespace stytch::detail {

/// The limits of a session.
struct h2_limits {
    std::size_t body_limit = 1024 * 1024;       ///< largest body kept per stream
    std::size_t header_list_limit = 16 * 1024;  ///< per stream, counted as in RFC 9113 §6.5.2
    std::size_t max_continuations = 8;          ///< CONTINUATION frames after one HEADERS
    /// The connection flow-control window, and the most body bytes held at once across
    /// streams. Taken as at least `body_limit` + 64 KiB.
    std::size_t connection_window = 4u << 20;
};

/// How a stream ended.
enum class h2_outcome {
    answered,               ///< a complete answer: status, body, Retry-After
    refused,                ///< RST_STREAM REFUSED_STREAM: not processed, may be retried
    not_processed,          ///< above the last_stream_id of a GOAWAY: may be retried
    reset,                  ///< RST_STREAM with another code (`error_code`), from the server
    protocol_error,         ///< nghttp2 reset the stream: a malformed answer (`error_code`)
    header_list_too_large,  ///< over `header_list_limit`; the stream was reset
    body_too_large,         ///< over `body_limit`; the stream was reset
    cancelled,              ///< cancel() was called
    connection_error,       ///< the connection failed or closed before the answer was complete
};

/// A finished stream. Only `answered` fills `status`, `body` and `retry_after`.
struct h2_result {
    std::int32_t stream_id = 0;
    h2_outcome outcome = h2_outcome::connection_error;
    std::uint32_t error_code = 0;  ///< the HTTP/2 error code of a reset
    int status = 0;
    std::string body;
    std::string retry_after;  ///< the raw `retry-after` field of the final answer
    /// A header field of an answer (interim or final) arrived: the server took the request up.
    bool answer_started = false;
    /// For `protocol_error` and `connection_error` after the server broke HTTP/2: what nghttp2
    /// found wrong (its message, at most a few hundred bytes), empty otherwise.
    std::string reason;
};

/// The life of the connection.
enum class h2_state {
    open,      ///< accepts new streams
    draining,  ///< a GOAWAY was received: open streams may finish, no new ones
    closed,    ///< failed or ended: every stream has finished
};

/// What changes the state.
enum class h2_event {
    goaway_received,    ///< the server sent GOAWAY
    connection_failed,  ///< nghttp2 failed, or the server closed the connection
    ended,              ///< nghttp2 reads no more: a GOAWAY sent or received, no stream open
};

/// The name of an HTTP/2 error code (RFC 9113 §7), e.g. `PROTOCOL_ERROR`.
std::string_view h2_error_name(std::uint32_t code) noexcept;

/// The state after `event`; `closed` stays closed.
h2_state next_state(h2_state state, h2_event event) noexcept;

class h2_session {
  public:
    /// Queues the client preface: SETTINGS (no push, stream window of `body_limit`, header list
    /// limit) and the connection window, for the first take_output().
    explicit h2_session(const h2_limits& limits = {});
    ~h2_session();
    h2_session(const h2_session&) = delete;
    h2_session& operator=(const h2_session&) = delete;

    /// Feeds bytes received from the server. On a connection error the state becomes
    /// `closed` and every open stream finishes with `connection_error` (or `not_processed`).
    void receive(std::string_view bytes);

    /// The server closed the connection (EOF, reset): every open stream finishes.
    void connection_lost();

    /// Appends the bytes to send to `out` (all that nghttp2 has queued).
    void take_output(std::string& out);

    /// Starts a request without body with `fields` (pseudo-header fields first). Returns its
    /// stream id, or 0 when the session is not `open` or has no stream id left.
    std::int32_t submit(std::span<const header_field> fields);

    /// Resets a stream (RST_STREAM CANCEL); it finishes as `cancelled`. No-op for a stream
    /// that already finished.
    void cancel(std::int32_t stream_id);

    /// Queues a PING; pings_acknowledged() counts the server's answers.
    void ping();

    /// Ends the session politely: queues GOAWAY NO_ERROR (last_stream_id 0: the client
    /// processes no stream of the server's) for the next take_output(), which then closes the
    /// session (`ended`; streams still open finish with `connection_error`). No-op once
    /// `closed`.
    void go_away();

    /// PING acknowledgements received so far.
    std::uint64_t pings_acknowledged() const noexcept { return pings_acknowledged_; }

    /// The streams that finished since the last call, in the order they finished.
    std::vector<h2_result> take_finished();
    /// The same, in place: the caller takes what it needs and clears the vector, whose
    /// capacity then serves the next streams (no allocation per read in steady state).
    std::vector<h2_result>& finished() noexcept { return finished_; }

    /// Gives back the body of a finished stream once read: the next answer's body takes its
    /// memory instead of allocating. The session keeps bodies of at most 16 KiB: one per
    /// stream still open and 4 more, so that an idle session holds at most 4, however many
    /// streams a burst opened (the surplus goes at the next call, once streams ended).
    void recycle_body(std::string&& body) noexcept {
        const std::size_t kept = streams_.size() + idle_spare_bodies;
        if (spare_bodies_.size() > kept) {
            spare_bodies_.resize(kept);
        }
        if (body.capacity() > std::string().capacity() && body.capacity() <= most_reserved_body &&
            spare_bodies_.size() < kept) {
            body.clear();
            try {
                spare_bodies_.push_back(std::move(body));
            } catch (const std::bad_alloc&) {
                // not kept: the next answer allocates its own
            }
        }
    }
    /// Bodies given back and not yet reused.
    std::size_t spare_bodies() const noexcept { return spare_bodies_.size(); }

    h2_state state() const noexcept { return state_; }
    /// The server's SETTINGS_MAX_CONCURRENT_STREAMS (nghttp2 assumes 100 until it arrives).
    std::uint32_t max_concurrent_streams() const noexcept;
    /// Streams submitted and not yet finished.
    std::size_t open_streams() const noexcept { return streams_.size(); }
    /// The last_stream_id of the GOAWAY received, -1 when none was.
    std::int32_t goaway_last_stream_id() const noexcept { return goaway_last_stream_id_; }
    /// The nghttp2 error (negative) that failed the connection, 0 when none did.
    int connection_error() const noexcept { return connection_error_; }
    /// True when the session failed because the server broke HTTP/2 (not an EOF or a close):
    /// the GOAWAY that says so is queued, and the connection is closed once it is sent.
    bool broken_by_peer() const noexcept;

  private:
    // The largest body reserved ahead from a content-length, and kept for reuse.
    static constexpr std::size_t most_reserved_body = 16 * 1024;
    // Bodies kept beyond one per open stream (see recycle_body()).
    static constexpr std::size_t idle_spare_bodies = 4;

    struct stream {
        h2_result result;
        std::size_t held = 0;  // DATA bytes received
        std::size_t header_bytes = 0;
        bool final_headers = false;  // inside the header block of a final (>= 200) answer
        bool complete = false;       // END_STREAM received
        bool peer_reset = false;     // RST_STREAM received
    };
    struct callbacks;

    // Ends the stream now with `outcome` (later callbacks for it are ignored).
    void end_stream(std::int32_t stream_id, h2_outcome outcome, std::uint32_t error_code = 0);
    // nghttp2 closed the stream with `error_code`: decides its outcome.
    void on_close(std::int32_t stream_id, std::uint32_t error_code);
    // Ends every open stream; `why` moves the state to `closed`.
    void fail_connection(int nghttp2_error, h2_event why = h2_event::connection_failed);
    void check_alive();
    // A body not started yet takes the memory of one given back, if any (recycle_body()).
    void take_spare_body(std::string& body) noexcept {
        if (body.empty() && body.capacity() == std::string().capacity() && !spare_bodies_.empty()) {
            body.swap(spare_bodies_.back());
            spare_bodies_.pop_back();
        }
    }
    // Bodies over the budget: the stream holding the most is reset, until they fit.
    void relieve_window();
    // Why a stream or the connection failed, for h2_result::reason.
    std::string failure_reason(int nghttp2_error) const;

    h2_limits limits_;
    h2_memory memory_;  // nghttp2's allocations, recycled; outlives session_
    nghttp2_session* session_ = nullptr;
    h2_state state_ = h2_state::open;
    std::map<std::int32_t, stream> streams_;
    // The nodes of ended streams, for the next ones: a stream's node is not allocated again.
    // At most as many as streams were open at once.
    std::vector<std::map<std::int32_t, stream>::node_type> spare_nodes_;
    std::vector<h2_result> finished_;
    std::vector<std::string> spare_bodies_;  // see recycle_body()
    std::int32_t goaway_last_stream_id_ = -1;
    int connection_error_ = 0;
    std::size_t window_;             // limits_.connection_window, at least the body limit and more
    std::size_t held_ = 0;           // DATA bytes held by open streams
    std::uint32_t goaway_code_ = 0;  // the error code of the GOAWAY sent or queued, if any
    std::string last_error_;         // nghttp2's last message about the server's frames
    std::uint64_t pings_acknowledged_ = 0;
};

}  // namespace stytch::detail
