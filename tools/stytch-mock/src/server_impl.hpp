#pragma once

// The mock server's private state (`server::impl`) and what its parts share. One file per job:
// server_lifecycle.cpp (construction, threads, stop), listener.cpp (accept loop, TLS handshake,
// ALPN dispatch), http1_session.cpp and http1_response.cpp (HTTP/1.1), h2_connection.cpp (the
// HTTP/2 glue around h2_server_session), faults.cpp and fault_script.cpp (`reply` faults and
// scripts), organizations_api.cpp (store, routing, answers), server.cpp (the public members,
// request recording and the override hook).

#include <stytch/mock/server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/object.hpp>

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace stytch::mock {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace detail {

constexpr std::size_t header_limit = 8 * 1024;
constexpr std::size_t body_limit = 64 * 1024;
constexpr std::chrono::seconds write_timeout{10};
constexpr std::chrono::seconds acknowledge_limit{1};
constexpr std::chrono::milliseconds poll_interval{1};

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Milliseconds past the timer's nanoseconds would overflow in the conversion; the timer itself
// saturates a deadline of now + max. Not inside a coroutine: g++ 12 evaluated both arms of a
// ?: there (seen under UBSan).
inline asio::steady_timer::duration timer_duration_of(std::chrono::milliseconds d) {
    using timer_duration = asio::steady_timer::duration;
    if (d >= std::chrono::floor<std::chrono::milliseconds>(timer_duration::max())) {
        return timer_duration::max();
    }
    return d;
}

using stream_type = beast::ssl_stream<beast::tcp_stream>;

/// One connection, shared between its coroutine(s) and `stop()`, which closes it.
struct session_state : std::enable_shared_from_this<session_state> {
    session_state(tcp::socket&& socket, ssl::context& ctx) : stream(std::move(socket), ctx) {}
    stream_type stream;
    bool stopping = false;  // stop(), or the end of an h2 connection; guarded by the strand
};

/// Reports one request to `server_options::on_answered` when the server is done with it, whichever
/// way that happens (answer written, fault carried out, client gone, stop()).
struct answer_report {
    answer_report(const server_options& o, const recorded_request& r, std::string_view p)
        : opts(o), request(r), protocol(p) {}
    answer_report(const answer_report&) = delete;
    answer_report& operator=(const answer_report&) = delete;
    ~answer_report() {
        if (!opts.on_answered) {
            return;
        }
        try {
            opts.on_answered(answered_request{request, protocol, status, received_at,
                                              std::chrono::steady_clock::now() - start});
        } catch (...) {  // a log that fails must not take the server down
        }
    }
    const server_options& opts;
    const recorded_request& request;
    std::string_view protocol;
    std::chrono::system_clock::time_point received_at = std::chrono::system_clock::now();
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    int status = 0;  // the status line sent, if any
};

struct h2_connection;        // h2_connection.cpp
struct h2_request;           // h2_server_session.hpp
enum class h2_answer_fault;  // h2_connection.cpp

}  // namespace detail

using hook_type = std::function<std::optional<reply>(const recorded_request&)>;

struct server::impl {
    using session_state = detail::session_state;
    using h2_connection = detail::h2_connection;

    explicit impl(server_options options);
    ~impl() { stop(); }

    // server_lifecycle.cpp
    void start_threads();
    void stop();
    // listener.cpp
    asio::awaitable<void> accept_loop();
    asio::awaitable<void> run_session(std::shared_ptr<session_state> state, std::uint64_t id);
    asio::awaitable<void> serve(session_state& state, std::uint64_t id);
    static int select_alpn(SSL* ssl, const unsigned char** out, unsigned char* out_size,
                           const unsigned char* in, unsigned in_size, void* self);
    // http1_session.cpp
    asio::awaitable<void> serve_http1(session_state& state, std::uint64_t id);
    asio::awaitable<void> close_gracefully(session_state& state);
    asio::awaitable<bool> send(session_state& state, const reply& r, bool request_keep_alive);
    // h2_connection.cpp
    asio::awaitable<void> serve_h2(std::shared_ptr<session_state> state, std::uint64_t id);
    void start_stream(const std::shared_ptr<session_state>& state,
                      const std::shared_ptr<h2_connection>& connection, std::uint64_t id,
                      detail::h2_request request);
    asio::awaitable<void> answer_stream(std::shared_ptr<session_state> state,
                                        std::shared_ptr<h2_connection> connection,
                                        recorded_request request, std::int32_t stream_id,
                                        detail::h2_answer_fault fault);
    asio::awaitable<void> send_endless_continuation(session_state& state, h2_connection& connection,
                                                    std::int32_t stream_id);
    asio::awaitable<void> flush_h2(session_state& state, h2_connection& connection);
    // faults.cpp
    asio::awaitable<bool> send_fault(session_state& state, const reply& r, bool request_keep_alive);
    asio::awaitable<void> drain(session_state& state);
    asio::awaitable<void> reset(session_state& state);
    asio::awaitable<void> wait_acknowledged(session_state& state);
    asio::awaitable<bool> pause(session_state& state, std::chrono::milliseconds delay);
    // fault_script.cpp
    asio::awaitable<bool> run_script(session_state& state, const std::vector<script_step>& steps,
                                     const recorded_request& request, int& status);
    asio::awaitable<bool> send_close_notify(session_state& state);
    asio::awaitable<bool> write_slowly(session_state& state, const reply& answer,
                                       const script_step& step);
    asio::awaitable<void> wait_for_client_close(session_state& state);
    // server.cpp
    std::optional<reply> take_request(const recorded_request& request);
    std::chrono::milliseconds answer_delay();
    // organizations_api.cpp
    reply handle(const recorded_request& request);
    reply error(int status, std::string_view type, std::string_view message);
    std::string new_request_id();
    json::object* find_locked(std::string_view key);
    void add_locked(json::object organization);

    server_options opts;
    std::string prefix;
    tls_identity identity;
    std::string expected_credentials;
    ssl::context ssl_ctx{ssl::context::tls_server};

    std::atomic<std::size_t> accepted{0};
    std::atomic<std::size_t> open{0};
    std::atomic<std::size_t> received{0};
    std::atomic<std::size_t> steps_completed{0};
    std::atomic<std::size_t> scripts_active{0};
    std::atomic<std::size_t> goaways{0};
    std::atomic<std::size_t> close_notifies{0};

    mutable std::mutex mutex;  // guards everything below up to the next blank line
    std::map<std::string, json::object, std::less<>> organizations;
    std::vector<recorded_request> requests;
    std::shared_ptr<const hook_type> hook;
    std::map<std::uint64_t, std::weak_ptr<session_state>> sessions;
    std::vector<std::vector<std::string>> alpn_offers;
    bool stopping = false;
    std::mt19937_64 rng{std::random_device{}()};

    std::mutex stop_mutex;
    bool stopped = false;

    std::mutex threads_mutex;
    std::condition_variable threads_cv;
    std::size_t running_threads = 0;
    std::vector<std::thread> threads;
    std::uint16_t bound_port = 0;

    // Last: destroyed first, while everything its pending handlers may touch is alive.
    std::optional<asio::io_context> ioc;
    std::optional<tcp::acceptor> acceptor;
};

}  // namespace stytch::mock
