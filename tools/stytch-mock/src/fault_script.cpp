// Scripted answers (`reply::kind::script`): exact bytes in exact TLS records at exact times,
// normal or slow answers, close_notify, FIN and RST, each step counted once the client's TCP
// has acknowledged it.

#include "server_impl.hpp"

#include <boost/asio/write.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <utility>

namespace stytch::mock {

using detail::poll_interval;
using detail::session_state;
using detail::use_tuple;
using detail::write_timeout;

namespace {

using namespace std::chrono_literals;

constexpr std::size_t max_record = 16 * 1024;

/// TCP_CORK: while set, written bytes wait in the kernel until a full segment or the uncork.
void set_cork(tcp::socket& socket, bool on) {
    const int value = on ? 1 : 0;
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_CORK, &value, sizeof value);
}

}  // namespace

/// A slow body (script_step::interval): the head at once, then the body piece by piece, each
/// pushed out alone after the interval.
asio::awaitable<bool> server::impl::write_slowly(session_state& state, const reply& answer,
                                                 const script_step& step) {
    auto& tcp_layer = beast::get_lowest_layer(state.stream);
    const std::string bytes = render(answer);
    const std::size_t head = bytes.find("\r\n\r\n") + 4;
    const std::size_t piece = step.record_size == 0 ? 16 : step.record_size;
    for (std::size_t at = 0; at < bytes.size();) {
        const std::size_t size = at == 0 ? head : std::min(piece, bytes.size() - at);
        if (at != 0 && !co_await pause(state, step.interval)) {
            co_return false;
        }
        tcp_layer.expires_after(write_timeout);
        auto [ec, n] = co_await asio::async_write(
            state.stream, asio::buffer(std::string_view(bytes).substr(at, size)), use_tuple);
        (void)n;
        if (ec || state.stopping) {
            co_return false;
        }
        set_cork(tcp_layer.socket(), false);  // each piece leaves alone, now
        at += size;
    }
    co_return true;
}

/// Sends a TLS close_notify without waiting for the client's: reading is shut down first, so
/// the read that follows the close_notify inside async_shutdown ends at once. TCP stays open.
asio::awaitable<bool> server::impl::send_close_notify(session_state& state) {
    auto& tcp_layer = beast::get_lowest_layer(state.stream);
    boost::system::error_code ignored;
    tcp_layer.socket().shutdown(tcp::socket::shutdown_receive, ignored);
    tcp_layer.expires_after(write_timeout);
    co_await state.stream.async_shutdown(use_tuple);  // fails: no close_notify will be read
    co_return !state.stopping &&
        (SSL_get_shutdown(state.stream.native_handle()) & SSL_SENT_SHUTDOWN) != 0;
}

/// After a close_notify: waits until the client closes its side (at most the keep-alive
/// timeout), watching the TCP state since reading is shut down.
asio::awaitable<void> server::impl::wait_for_client_close(session_state& state) {
    auto& socket = beast::get_lowest_layer(state.stream).socket();
    asio::steady_timer timer(socket.get_executor());
    const auto until = std::chrono::steady_clock::now() + opts.keep_alive_timeout;
    while (!state.stopping && std::chrono::steady_clock::now() < until) {
        tcp_info info{};
        socklen_t size = sizeof info;
        if (::getsockopt(socket.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &size) != 0 ||
            info.tcpi_state != TCP_ESTABLISHED) {
            co_return;
        }
        timer.expires_after(5 * poll_interval);
        co_await timer.async_wait(use_tuple);
    }
}

/// Runs a `reply::kind::script`; true when the connection stays open for the next request.
asio::awaitable<bool> server::impl::run_script(session_state& state,
                                               const std::vector<script_step>& steps,
                                               const recorded_request& request, int& status) {
    auto& tcp_layer = beast::get_lowest_layer(state.stream);
    auto& socket = tcp_layer.socket();
    // Counts this script in `scripts_active` until its end, whichever way it ends.
    struct running {
        explicit running(std::atomic<std::size_t>& n) : active(&n) { n.fetch_add(1); }
        ~running() { done(); }
        void done() {
            if (active != nullptr) {
                std::exchange(active, nullptr)->fetch_sub(1);
            }
        }
        std::atomic<std::size_t>* active;
    } guard(scripts_active);
    std::size_t written = 0;  // write steps written, not yet pushed out and acknowledged
    bool notified = false;    // a close_notify went out: the client should close
    auto flush = [&]() -> asio::awaitable<void> {
        set_cork(socket, false);
        co_await wait_acknowledged(state);
        steps_completed.fetch_add(std::exchange(written, 0));
    };
    // One SSL write per piece: each piece is exactly one TLS record.
    auto write = [&](std::string_view bytes, std::size_t record) -> asio::awaitable<bool> {
        for (std::size_t at = 0; at < bytes.size(); at += record) {
            tcp_layer.expires_after(write_timeout);
            auto [ec, n] = co_await asio::async_write(
                state.stream, asio::buffer(bytes.substr(at, record)), use_tuple);
            (void)n;
            if (ec || state.stopping) {
                co_return false;
            }
        }
        co_return true;
    };

    for (const script_step& step : steps) {
        const bool writes = step.action == script_step::kind::write ||
                            step.action == script_step::kind::normal_answer;
        if (step.delay > 0ms || !writes) {
            co_await flush();
        }
        if (state.stopping || !co_await pause(state, step.delay)) {
            co_return false;
        }
        switch (step.action) {
            case script_step::kind::normal_answer:
                if (step.interval > 0ms) {
                    const reply answer = handle(request);
                    status = answer.status;
                    if (!co_await write_slowly(state, answer, step)) {
                        co_return false;
                    }
                    ++written;
                    break;
                }
                [[fallthrough]];
            case script_step::kind::write: {
                set_cork(socket, true);
                const bool normal = step.action == script_step::kind::normal_answer;
                const reply answer = normal ? handle(request) : reply{};
                if (normal) {
                    status = answer.status;
                }
                const std::string bytes = normal ? render(answer) : std::string();
                const std::string_view data = normal ? std::string_view(bytes) : step.bytes;
                const std::size_t record =
                    normal || step.record_size == 0 ? max_record : step.record_size;
                for (std::size_t i = 0; i < (normal ? 1 : step.repeat); ++i) {
                    if (!co_await write(data, record)) {
                        co_return false;
                    }
                }
                ++written;
                break;
            }
            case script_step::kind::close_notify:
            case script_step::kind::shutdown:
                if (!co_await send_close_notify(state)) {
                    co_return false;
                }
                notified = true;
                co_await wait_acknowledged(state);
                if (step.action == script_step::kind::close_notify) {
                    steps_completed.fetch_add(1);
                    break;
                }
                [[fallthrough]];
            case script_step::kind::fin: {
                boost::system::error_code ignored;
                socket.shutdown(tcp::socket::shutdown_send, ignored);
                co_await wait_acknowledged(state);
                steps_completed.fetch_add(1);
                co_return false;
            }
            case script_step::kind::reset:
                co_await reset(state);
                steps_completed.fetch_add(1);
                co_return false;
        }
    }
    co_await flush();
    guard.done();
    if (notified) {
        co_await wait_for_client_close(state);
        co_return false;
    }
    co_return true;
}

}  // namespace stytch::mock
