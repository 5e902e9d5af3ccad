// The faults a `reply` asks for on an HTTP/1.1 connection (reset_mid_answer,
// headers_then_stall, truncated_body, raw, stream_body), and the waits they and the scripts
// (fault_script.cpp) are built from: draining, pausing, waiting for the client's ACKs, resetting.

#include "http1_response.hpp"
#include "server_impl.hpp"

#include <boost/asio/write.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>

namespace stytch::mock {

using detail::acknowledge_limit;
using detail::build_response;
using detail::header_bytes;
using detail::poll_interval;
using detail::session_state;
using detail::use_tuple;
using detail::write_timeout;
using namespace std::chrono_literals;

/// Reads (and drops) whatever comes until the client closes or stop() closes.
asio::awaitable<void> server::impl::drain(session_state& state) {
    beast::get_lowest_layer(state.stream).expires_never();
    std::array<char, 1024> sink;
    while (!state.stopping) {
        auto [read_ec, n] = co_await state.stream.async_read_some(asio::buffer(sink), use_tuple);
        (void)n;
        if (read_ec) {
            co_return;
        }
    }
}

/// Waits (at most `acknowledge_limit`) until the client's TCP has acknowledged every byte
/// written, so that what follows (a delay, a reset) happens after they arrived.
asio::awaitable<void> server::impl::wait_acknowledged(session_state& state) {
    auto& socket = beast::get_lowest_layer(state.stream).socket();
    asio::steady_timer timer(socket.get_executor());
    const auto until = std::chrono::steady_clock::now() + acknowledge_limit;
    while (!state.stopping && std::chrono::steady_clock::now() < until) {
        int unacknowledged = 0;  // Linux: bytes written but not acknowledged (unsent included)
        tcp_info info{};
        socklen_t size = sizeof info;
        if (::ioctl(socket.native_handle(), TIOCOUTQ, &unacknowledged) != 0 ||
            unacknowledged == 0 ||
            ::getsockopt(socket.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &size) != 0 ||
            info.tcpi_state == TCP_CLOSE) {  // reset by the client: nothing will be acknowledged
            break;
        }
        timer.expires_after(poll_interval);
        co_await timer.async_wait(use_tuple);
    }
}

/// Resets the TCP connection (RST) once the peer has acknowledged everything sent, so the
/// bytes already written reach the client before the reset does.
asio::awaitable<void> server::impl::reset(session_state& state) {
    co_await wait_acknowledged(state);
    auto& socket = beast::get_lowest_layer(state.stream).socket();
    boost::system::error_code ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
}

/// The faults of `reply::kind`; true when the connection stays open for the next request.
asio::awaitable<bool> server::impl::send_fault(session_state& state, const reply& r,
                                               bool request_keep_alive) {
    auto& tcp_layer = beast::get_lowest_layer(state.stream);
    bool keep_alive = false;
    auto response =
        build_response(r, request_keep_alive, keep_alive,
                       error(500, "internal_server_error", "Invalid override reply.").body);
    auto write = [&](std::string_view bytes) -> asio::awaitable<bool> {
        tcp_layer.expires_after(write_timeout);
        auto [ec, n] = co_await asio::async_write(state.stream, asio::buffer(bytes), use_tuple);
        (void)n;
        co_return !ec && !state.stopping;
    };

    switch (r.action) {
        case reply::kind::reset_mid_answer: {
            std::string all = header_bytes(response) + response.body();
            all.resize(std::min(all.size(), r.partial_bytes));
            if (all.empty() || co_await write(all)) {
                co_await reset(state);
            }
            co_return false;
        }
        case reply::kind::headers_then_stall:
            if (co_await write(header_bytes(response))) {
                co_await drain(state);
            }
            co_return false;
        case reply::kind::truncated_body: {
            std::string all = header_bytes(response);
            all.append(response.body(), 0, std::min(response.body().size(), r.partial_bytes));
            if (co_await write(all)) {
                co_await close_gracefully(state);
            }
            co_return false;
        }
        case reply::kind::raw:
            if (!co_await write(r.raw)) {
                co_return false;
            }
            if (r.close_after) {
                co_await close_gracefully(state);
                co_return false;
            }
            co_return true;
        case reply::kind::stream_body: {
            response.body().clear();
            response.content_length(r.stream_size);
            if (!co_await write(header_bytes(response))) {
                co_return false;
            }
            const std::size_t chunk = std::max<std::size_t>(1, r.chunk_size);
            std::string buffer;
            std::size_t sent = 0;
            while (sent < r.stream_size) {
                const std::size_t n = std::min(chunk, r.stream_size - sent);
                buffer.assign(n, ' ');
                if (sent < r.body.size()) {
                    const std::size_t k = std::min(n, r.body.size() - sent);
                    buffer.replace(0, k, r.body, sent, k);
                }
                if (!co_await write(buffer)) {
                    co_return false;
                }
                sent += n;
            }
            if (!keep_alive) {
                co_await close_gracefully(state);
                co_return false;
            }
            co_return true;
        }
        default:
            co_return false;
    }
}

/// Waits `delay` (at most a year: now + delay stays in the clock's range) in short slices, so
/// that stop() is not held up; false when stopping.
asio::awaitable<bool> server::impl::pause(session_state& state, std::chrono::milliseconds delay) {
    asio::steady_timer timer(state.stream.get_executor());
    const auto until =
        std::chrono::steady_clock::now() + std::min<std::chrono::milliseconds>(delay, 8760h);
    while (!state.stopping && std::chrono::steady_clock::now() < until) {
        timer.expires_after(std::min<std::chrono::steady_clock::duration>(
            20ms, until - std::chrono::steady_clock::now()));
        co_await timer.async_wait(use_tuple);
    }
    co_return !state.stopping;
}

}  // namespace stytch::mock
