#pragma once

// The server side of one HTTP/2 connection of the mock, sans-io over nghttp2: the owner feeds
// received bytes (`receive`), sends what `take_output` gives, collects complete requests
// (`take_requests`) and answers, refuses or ends them by stream id. No Asio here.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct nghttp2_session;

namespace stytch::mock::detail {

/// A complete request (END_STREAM received).
struct h2_request {
    std::int32_t stream_id = 0;
    std::string method;                                        ///< `:method`
    std::string scheme;                                        ///< `:scheme`
    std::string authority;                                     ///< `:authority`
    std::string path;                                          ///< `:path`
    std::vector<std::pair<std::string, std::string>> headers;  ///< regular fields, lower-case
    std::string body;
    bool body_too_large = false;  ///< the body went over the limit and was dropped
};

/// How a server session behaves.
struct h2_server_config {
    std::uint32_t max_concurrent_streams = 100;  ///< SETTINGS_MAX_CONCURRENT_STREAMS
    std::size_t header_list_limit = 8 * 1024;    ///< per request, counted as in RFC 9113 §6.5.2
    std::size_t body_limit = 64 * 1024;          ///< per request
    bool window_updates = true;                  ///< false: never a WINDOW_UPDATE (fault)
    bool ping_acks = true;                       ///< false: PING is never acknowledged (fault)
    /// false: the answers' HPACK never uses the dynamic table, so that hand-written header
    /// blocks (h2_raw_frames.hpp) may use it without breaking the answers that follow.
    bool dynamic_table = true;
};

class h2_server_session {
  public:
    /// Queues the server's SETTINGS (`max_concurrent_streams`, `header_list_limit` as
    /// SETTINGS_MAX_HEADER_LIST_SIZE) for the first take_output(). A request whose header
    /// fields exceed `header_list_limit` is reset.
    explicit h2_server_session(const h2_server_config& config);
    ~h2_server_session();
    h2_server_session(const h2_server_session&) = delete;
    h2_server_session& operator=(const h2_server_session&) = delete;

    /// Feeds bytes from the client; false on a connection error (a GOAWAY is queued).
    bool receive(std::string_view bytes);
    /// Appends everything nghttp2 has queued to `out`; false on a connection error.
    bool take_output(std::string& out);
    /// The requests completed since the last call, in the order they completed.
    std::vector<h2_request> take_requests();

    /// Answers stream `stream_id` (HEADERS, then DATA unless `body` is empty). Fields that
    /// HTTP/2 forbids (connection-specific ones) are dropped; names are lower-cased.
    void answer(std::int32_t stream_id, int status,
                const std::vector<std::pair<std::string, std::string>>& headers, std::string body);
    /// RST_STREAM REFUSED_STREAM: the request was not processed.
    void refuse(std::int32_t stream_id);
    /// RST_STREAM INTERNAL_ERROR.
    void fail(std::int32_t stream_id);
    /// GOAWAY NO_ERROR with `last_stream_id`: later streams are not processed.
    void go_away(std::int32_t last_stream_id);

    /// True while the stream is open (not closed or reset by either side).
    bool stream_open(std::int32_t stream_id) const;
    /// False once nghttp2 neither reads nor writes any more (e.g. GOAWAY sent, no stream open).
    bool alive() const;
    /// GOAWAY frames received from the client so far.
    std::size_t goaways_received() const { return goaways_received_; }

  private:
    struct callbacks;
    struct incoming {
        h2_request request;
        std::size_t header_bytes = 0;
    };

    nghttp2_session* session_ = nullptr;
    std::size_t header_list_limit_;
    std::size_t body_limit_;
    std::map<std::int32_t, incoming> incoming_;
    std::map<std::int32_t, std::pair<std::string, std::size_t>> bodies_;  // body, bytes sent
    std::vector<h2_request> complete_;
    std::size_t goaways_received_ = 0;
};

}  // namespace stytch::mock::detail
