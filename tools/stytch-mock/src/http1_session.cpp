// The HTTP/1.1 side of a mock connection: requests read one after the other, each answered
// normally, by the override hook's reply, or by a fault (faults.cpp, fault_script.cpp).

#include "http1_response.hpp"
#include "server_impl.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <array>

namespace stytch::mock {

namespace http = beast::http;
using detail::answer_report;
using detail::body_limit;
using detail::build_response;
using detail::header_limit;
using detail::session_state;
using detail::timer_duration_of;
using detail::use_tuple;
using detail::write_timeout;

namespace {

using namespace std::chrono_literals;

constexpr auto shutdown_timeout = 2s;
constexpr auto linger_timeout = 2s;
constexpr std::size_t linger_limit = 1024 * 1024;

/// The status a fault reply sends before it cuts the answer short; 0 when it sends none.
int status_sent(const reply& r) {
    switch (r.action) {
        case reply::kind::respond:
        case reply::kind::headers_then_stall:
        case reply::kind::truncated_body:
        case reply::kind::stream_body:
            return r.status;
        case reply::kind::reset_mid_answer:
            return r.partial_bytes >= std::string_view("HTTP/1.1 200").size() ? r.status : 0;
        default:
            return 0;
    }
}

}  // namespace

/// Reads and answers requests until the client leaves, a fault or an error ends the
/// connection, or `stop()`.
asio::awaitable<void> server::impl::serve_http1(session_state& state, std::uint64_t id) {
    auto& tcp_layer = beast::get_lowest_layer(state.stream);
    const auto keep_alive = timer_duration_of(opts.keep_alive_timeout);
    beast::flat_buffer buffer;
    while (!state.stopping) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(header_limit);
        parser.body_limit(body_limit);
        tcp_layer.expires_after(keep_alive);
        auto [ec, bytes] = co_await http::async_read(state.stream, buffer, parser, use_tuple);
        (void)bytes;
        if (ec == http::error::end_of_stream) {
            co_await close_gracefully(state);
            co_return;
        }
        if (ec) {
            if (state.stopping ||
                ec.category() != http::make_error_code(http::error::end_of_stream).category() ||
                ec == http::error::partial_message) {
                co_return;  // timeout, abrupt close, TLS failure, stop()
            }
            reply r;
            if (ec == http::error::header_limit) {
                r = error(431, "request_header_too_large", "Request headers are too large.");
            } else if (ec == http::error::body_limit) {
                r = error(413, "request_too_large", "Request body is too large.");
            } else {
                r = error(400, "bad_request", "Malformed HTTP request: " + ec.message() + ".");
            }
            r.close_after = true;
            co_await send(state, r, false);
            co_return;
        }

        auto& message = parser.get();
        recorded_request request;
        request.connection_id = id;
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        for (const auto& field : message) {
            request.headers.emplace_back(std::string(field.name_string()),
                                         std::string(field.value()));
        }
        request.body = std::move(message.body());
        const bool keep_alive = message.keep_alive();
        answer_report report(opts, request, "HTTP/1.1");

        std::optional<reply> answer = take_request(request);
        if (const auto delay = answer_delay(); delay > 0ms && !co_await pause(state, delay)) {
            co_return;
        }
        if (!answer) {
            answer = handle(request);
        }
        report.status = status_sent(*answer);

        switch (answer->action) {
            case reply::kind::close_without_answer: {
                boost::system::error_code ignored;
                tcp_layer.socket().shutdown(tcp::socket::shutdown_both, ignored);
                co_return;
            }
            case reply::kind::stall:
                co_await drain(state);
                co_return;
            case reply::kind::respond:
                break;
            case reply::kind::script:
                if (!co_await run_script(state, answer->script, request, report.status)) {
                    co_return;
                }
                continue;
            default:
                if (!co_await send_fault(state, *answer, keep_alive)) {
                    co_return;
                }
                continue;
        }
        if (!co_await send(state, *answer, keep_alive)) {
            co_return;
        }
    }
}

asio::awaitable<void> server::impl::close_gracefully(session_state& state) {
    auto& tcp_layer = beast::get_lowest_layer(state.stream);
    if (state.stopping) {
        co_return;
    }
    // TLS close_notify; this also waits for the client's (or fails when the client sends
    // more data or just closes).
    tcp_layer.expires_after(shutdown_timeout);
    auto [ec] = co_await state.stream.async_shutdown(use_tuple);
    if (ec == beast::error::timeout || state.stopping) {
        co_return;
    }
    // Lingering close: stop sending, then drain what the client may still be sending (e.g. the
    // rest of a body too large to read). Closing with unread data would make the kernel send a
    // TCP reset, which can destroy the answer before the client has read it.
    boost::system::error_code ignored;
    tcp_layer.socket().shutdown(tcp::socket::shutdown_send, ignored);
    tcp_layer.expires_after(linger_timeout);
    std::array<char, 4096> sink;
    std::size_t drained = 0;
    while (drained < linger_limit && !state.stopping) {
        auto [read_ec, n] = co_await tcp_layer.async_read_some(asio::buffer(sink), use_tuple);
        if (read_ec) {
            break;
        }
        drained += n;
    }
}

/// Writes the answer; true when the connection stays open for the next request.
asio::awaitable<bool> server::impl::send(session_state& state, const reply& r,
                                         bool request_keep_alive) {
    bool keep_alive = false;
    auto response =
        build_response(r, request_keep_alive, keep_alive,
                       error(500, "internal_server_error", "Invalid override reply.").body);

    auto& tcp_layer = beast::get_lowest_layer(state.stream);
    tcp_layer.expires_after(write_timeout);
    auto [ec, bytes] = co_await http::async_write(state.stream, response, use_tuple);
    (void)bytes;
    if (ec || state.stopping) {
        co_return false;
    }
    if (!keep_alive) {
        co_await close_gracefully(state);
        co_return false;
    }
    co_return true;
}

}  // namespace stytch::mock
