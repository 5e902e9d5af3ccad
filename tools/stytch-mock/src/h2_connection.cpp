// The HTTP/2 side of a mock connection: the Asio glue around the sans-io h2_server_session (a
// reader feeding it, one coroutine per stream answering, one writer at a time) and the h2
// fault knobs of server_options (refused streams, GOAWAY, HPACK bomb, endless CONTINUATION).

#include "h2_raw_frames.hpp"
#include "h2_server_session.hpp"
#include "server_impl.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <limits>
#include <utility>

namespace stytch::mock {

namespace detail {

/// An HTTP/2 answer replaced by hand-written frames (server_options::h2_hpack_bomb,
/// h2_endless_continuation).
enum class h2_answer_fault { none, hpack_bomb, endless_continuation };

/// What an HTTP/2 connection shares between its reader and the coroutines answering streams
/// (all on the connection's strand).
struct h2_connection {
    explicit h2_connection(const h2_server_config& config) : session(config) {}
    h2_server_session session;
    std::string raw;            // hand-written frames: written after nghttp2's output, whole
    bool session_held = false;  // a hand-written header block never ends: nghttp2's output waits
    bool writing = false;       // a flush is writing: others leave their output to it
    bool failed = false;        // nghttp2 or a write failed: the connection ends
    std::size_t streams = 0;    // requests seen so far
    std::size_t answering = 0;  // requests being answered (the idle timeout waits for them)
    std::int32_t last_stream_id = std::numeric_limits<std::int32_t>::max();  // of our GOAWAY
};

}  // namespace detail

using detail::answer_report;
using detail::body_limit;
using detail::h2_answer_fault;
using detail::header_limit;
using detail::session_state;
using detail::timer_duration_of;
using detail::use_tuple;
using detail::write_timeout;

namespace {

using namespace std::chrono_literals;

constexpr std::size_t hpack_bomb_references = 16'000;  // about 64 MB of header list
constexpr auto continuation_interval = 10ms;           // the pace of an endless header block

}  // namespace

/// One HTTP/2 connection: a reader feeding nghttp2, one coroutine per stream answering it, and
/// whoever produced output flushing it (one writer at a time).
asio::awaitable<void> server::impl::serve_h2(std::shared_ptr<session_state> state,
                                             std::uint64_t id) {
    auto& tcp_layer = beast::get_lowest_layer(state->stream);
    detail::h2_server_config config;
    config.max_concurrent_streams = opts.h2_max_concurrent_streams;
    config.header_list_limit = header_limit;
    config.body_limit = body_limit;
    config.window_updates = !opts.h2_no_window_update;
    config.ping_acks = !opts.h2_ignore_ping;
    config.dynamic_table = opts.h2_hpack_bomb == 0;  // the bomb's block uses it
    auto connection = std::make_shared<h2_connection>(config);
    const auto keep_alive = timer_duration_of(opts.keep_alive_timeout);
    co_await flush_h2(*state, *connection);  // our SETTINGS
    std::array<char, 16 * 1024> buffer;
    while (!state->stopping && !connection->failed && connection->session.alive()) {
        // Idle timeout only while nothing is being answered (a delayed answer is not idle).
        if (connection->answering == 0) {
            tcp_layer.expires_after(keep_alive);
        } else {
            tcp_layer.expires_never();
        }
        auto [ec, n] = co_await state->stream.async_read_some(asio::buffer(buffer), use_tuple);
        if (ec) {
            break;
        }
        const std::size_t goaways_before = connection->session.goaways_received();
        connection->failed = !connection->session.receive({buffer.data(), n});
        goaways.fetch_add(connection->session.goaways_received() - goaways_before);
        for (auto& request : connection->session.take_requests()) {
            start_stream(state, connection, id, std::move(request));
        }
        co_await flush_h2(*state, *connection);  // a GOAWAY on failure, acknowledgements
    }
    if (!connection->writing) {
        co_await close_gracefully(*state);
    }
    state->stopping = true;  // streams still waiting give up
}

/// Applies the h2 fault knobs to a complete request, then answers it on its own coroutine.
void server::impl::start_stream(const std::shared_ptr<session_state>& state,
                                const std::shared_ptr<h2_connection>& connection, std::uint64_t id,
                                detail::h2_request request) {
    const std::int32_t stream_id = request.stream_id;
    if (stream_id > connection->last_stream_id) {
        return;  // after our GOAWAY: not processed
    }
    const std::size_t n = ++connection->streams;
    if (n == opts.h2_refuse_stream) {
        connection->session.refuse(stream_id);
        return;
    }
    if (n == opts.h2_goaway_after) {
        connection->session.go_away(stream_id);
        connection->last_stream_id = stream_id;
    }
    if (request.body_too_large) {
        const reply r = error(413, "request_too_large", "Request body is too large.");
        connection->session.answer(stream_id, r.status, r.headers, r.body);
        return;
    }
    recorded_request recorded;
    recorded.connection_id = id;
    recorded.method = std::move(request.method);
    recorded.target = std::move(request.path);
    recorded.headers = std::move(request.headers);
    recorded.body = std::move(request.body);
    const h2_answer_fault fault = n == opts.h2_hpack_bomb ? h2_answer_fault::hpack_bomb
                                  : n == opts.h2_endless_continuation
                                      ? h2_answer_fault::endless_continuation
                                      : h2_answer_fault::none;
    ++connection->answering;
    asio::co_spawn(state->stream.get_executor(),
                   answer_stream(state, connection, std::move(recorded), stream_id, fault),
                   asio::detached);
}

asio::awaitable<void> server::impl::answer_stream(std::shared_ptr<session_state> state,
                                                  std::shared_ptr<h2_connection> connection,
                                                  recorded_request request, std::int32_t stream_id,
                                                  h2_answer_fault fault) {
    struct done_guard {
        h2_connection& c;
        ~done_guard() { --c.answering; }
    } guard{*connection};
    answer_report report(opts, request, "HTTP/2");
    std::optional<reply> answer = take_request(request);
    if (const auto delay = answer_delay(); delay > 0ms && !co_await pause(*state, delay)) {
        co_return;
    }
    if (fault != h2_answer_fault::none && !connection->session.stream_open(stream_id)) {
        co_return;  // reset by the client meanwhile
    }
    switch (fault) {
        case h2_answer_fault::hpack_bomb:
            connection->raw += detail::h2_raw::hpack_bomb(stream_id, hpack_bomb_references);
            co_await flush_h2(*state, *connection);
            co_return;
        case h2_answer_fault::endless_continuation:
            co_await send_endless_continuation(*state, *connection, stream_id);
            co_return;
        case h2_answer_fault::none:
            break;
    }
    if (!answer) {
        answer = handle(request);
    }
    switch (answer->action) {
        case reply::kind::respond:
            report.status = answer->status;
            connection->session.answer(stream_id, answer->status, answer->headers,
                                       std::move(answer->body));
            break;
        case reply::kind::stall:
            co_return;  // never answered; the client gives up or closes
        case reply::kind::close_without_answer: {
            boost::system::error_code ignored;
            beast::get_lowest_layer(state->stream)
                .socket()
                .shutdown(tcp::socket::shutdown_both, ignored);
            co_return;
        }
        default:  // byte-level HTTP/1.1 faults have no meaning on a stream
            connection->session.fail(stream_id);
            break;
    }
    co_await flush_h2(*state, *connection);
}

/// Fault: HEADERS without END_HEADERS, then a CONTINUATION frame every 10 ms until the client
/// closes or the server stops. nghttp2's output waits from then on: no other frame may come
/// inside a header block. At most one frame is pending, whatever the client reads.
asio::awaitable<void> server::impl::send_endless_continuation(session_state& state,
                                                              h2_connection& connection,
                                                              std::int32_t stream_id) {
    connection.session_held = true;
    connection.raw += detail::h2_raw::unfinished_headers(stream_id);
    asio::steady_timer timer(state.stream.get_executor());
    while (!state.stopping && !connection.failed) {
        co_await flush_h2(state, connection);
        timer.expires_after(continuation_interval);
        co_await timer.async_wait(use_tuple);
        if (connection.raw.empty()) {
            connection.raw = detail::h2_raw::continuation_frame(stream_id);
        }
    }
}

/// Writes what nghttp2 has queued, then the hand-written frames, until nothing is left; one
/// writer at a time, so no frame is split by another. Ends the reader (cancels its read) when
/// the connection failed or nghttp2 has nothing more to do.
asio::awaitable<void> server::impl::flush_h2(session_state& state, h2_connection& connection) {
    if (connection.writing) {
        co_return;  // the running writer takes this output too
    }
    auto& tcp_layer = beast::get_lowest_layer(state.stream);
    connection.writing = true;
    std::string out;
    while (!state.stopping && !connection.failed) {
        out.clear();
        if (!connection.session_held && !connection.session.take_output(out)) {
            connection.failed = true;
            break;
        }
        out += std::exchange(connection.raw, {});
        if (out.empty()) {
            break;
        }
        tcp_layer.expires_after(write_timeout);
        auto [ec, n] = co_await asio::async_write(state.stream, asio::buffer(out), use_tuple);
        (void)n;
        connection.failed = static_cast<bool>(ec);
    }
    connection.writing = false;
    if (connection.failed || !connection.session.alive()) {
        tcp_layer.cancel();
    }
}

}  // namespace stytch::mock
