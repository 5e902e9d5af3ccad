#include <stytch/mock/server.hpp>

#include "h2_raw_frames.hpp"
#include "h2_server_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "organization_schema.hpp"

namespace stytch::mock {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

using namespace std::chrono_literals;

constexpr std::size_t header_limit = 8 * 1024;
constexpr std::size_t body_limit = 64 * 1024;
constexpr auto handshake_timeout = 10s;
constexpr auto write_timeout = 10s;
constexpr auto shutdown_timeout = 2s;
constexpr auto linger_timeout = 2s;
constexpr std::size_t linger_limit = 1024 * 1024;
constexpr std::size_t max_record = 16 * 1024;
constexpr auto acknowledge_limit = 1s;
constexpr auto poll_interval = 1ms;
constexpr auto stop_grace = 5s;
constexpr std::size_t hpack_bomb_references = 16'000;  // about 64 MB of header list
constexpr auto continuation_interval = 10ms;           // the pace of an endless header block
constexpr std::string_view api_path = "/v1/b2b/organizations/";
constexpr std::string_view api_suffix = "/external_id";

// Milliseconds past the timer's nanoseconds would overflow in the conversion; the timer itself
// saturates a deadline of now + max. Not inside a coroutine: g++ 12 evaluated both arms of a
// ?: there (seen under UBSan).
asio::steady_timer::duration timer_duration_of(std::chrono::milliseconds d) {
    using timer_duration = asio::steady_timer::duration;
    if (d >= std::chrono::floor<std::chrono::milliseconds>(timer_duration::max())) {
        return timer_duration::max();
    }
    return d;
}

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
               return lower(x) == lower(y);
           });
}

std::string normalize_prefix(std::string prefix) {
    while (!prefix.empty() && prefix.back() == '/') {
        prefix.pop_back();
    }
    if (!prefix.empty() && prefix.front() != '/') {
        prefix.insert(prefix.begin(), '/');
    }
    return prefix;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

std::optional<std::string> percent_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out.push_back(in[i]);
            continue;
        }
        if (i + 2 >= in.size()) {
            return std::nullopt;
        }
        int hi = hex_value(in[i + 1]);
        int lo = hex_value(in[i + 2]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        if (c == '+') {
            return 62;
        }
        if (c == '/') {
            return 63;
        }
        return -1;
    };
    if (in.size() % 4 != 0) {
        return std::nullopt;
    }
    std::size_t padding = 0;
    while (padding < 2 && padding < in.size() && in[in.size() - 1 - padding] == '=') {
        ++padding;
    }
    std::string out;
    std::uint32_t bits = 0;
    int count = 0;
    for (std::size_t i = 0; i < in.size() - padding; ++i) {
        int v = value(in[i]);
        if (v < 0) {
            return std::nullopt;
        }
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        if (++count == 4) {
            out.push_back(static_cast<char>((bits >> 16) & 0xff));
            out.push_back(static_cast<char>((bits >> 8) & 0xff));
            out.push_back(static_cast<char>(bits & 0xff));
            bits = 0;
            count = 0;
        }
    }
    if (count == 3) {
        out.push_back(static_cast<char>((bits >> 10) & 0xff));
        out.push_back(static_cast<char>((bits >> 2) & 0xff));
    } else if (count == 2) {
        out.push_back(static_cast<char>((bits >> 4) & 0xff));
    } else if (count != 0) {
        return std::nullopt;
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

/// The credentials of a `Basic` Authorization header value, nullopt if it is not one.
std::optional<std::string> basic_credentials(std::string_view authorization) {
    authorization = trim(authorization);
    constexpr std::string_view scheme = "basic";
    if (authorization.size() <= scheme.size() ||
        !iequals(authorization.substr(0, scheme.size()), scheme) ||
        (authorization[scheme.size()] != ' ' && authorization[scheme.size()] != '\t')) {
        return std::nullopt;
    }
    return base64_decode(trim(authorization.substr(scheme.size())));
}

const json::string* string_field(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v != nullptr ? v->if_string() : nullptr;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("stytch::mock: cannot open '" + path + "'");
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw std::runtime_error("stytch::mock: cannot read '" + path + "'");
    }
    return std::move(text).str();
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

/// An HTTP/2 answer replaced by hand-written frames (server_options::h2_hpack_bomb,
/// h2_endless_continuation).
enum class h2_answer_fault { none, hpack_bomb, endless_continuation };

/// What an HTTP/2 connection shares between its reader and the coroutines answering streams
/// (all on the connection's strand).
struct h2_connection {
    explicit h2_connection(const detail::h2_server_config& config) : session(config) {}
    detail::h2_server_session session;
    std::string raw;            // hand-written frames: written after nghttp2's output, whole
    bool session_held = false;  // a hand-written header block never ends: nghttp2's output waits
    bool writing = false;       // a flush is writing: others leave their output to it
    bool failed = false;        // nghttp2 or a write failed: the connection ends
    std::size_t streams = 0;    // requests seen so far
    std::size_t answering = 0;  // requests being answered (the idle timeout waits for them)
    std::int32_t last_stream_id = std::numeric_limits<std::int32_t>::max();  // of our GOAWAY
};

bool selected_h2(SSL* ssl) {
    const unsigned char* protocol = nullptr;
    unsigned size = 0;
    SSL_get0_alpn_selected(ssl, &protocol, &size);
    return std::string_view(reinterpret_cast<const char*>(protocol), size) == "h2";
}

}  // namespace

std::string recorded_request::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) {
            return value;
        }
    }
    return {};
}

using hook_type = std::function<std::optional<reply>(const recorded_request&)>;

struct server::impl {
    explicit impl(server_options options);
    ~impl() { stop(); }

    void start_threads();
    void stop();
    asio::awaitable<void> accept_loop();
    asio::awaitable<void> run_session(std::shared_ptr<session_state> state, std::uint64_t id);
    asio::awaitable<void> serve(session_state& state, std::uint64_t id);
    asio::awaitable<void> serve_h2(std::shared_ptr<session_state> state, std::uint64_t id);
    void start_stream(const std::shared_ptr<session_state>& state,
                      const std::shared_ptr<h2_connection>& connection, std::uint64_t id,
                      detail::h2_request request);
    asio::awaitable<void> answer_stream(std::shared_ptr<session_state> state,
                                        std::shared_ptr<h2_connection> connection,
                                        recorded_request request, std::int32_t stream_id,
                                        h2_answer_fault fault);
    asio::awaitable<void> send_endless_continuation(session_state& state, h2_connection& connection,
                                                    std::int32_t stream_id);
    asio::awaitable<void> flush_h2(session_state& state, h2_connection& connection);
    std::optional<reply> take_request(const recorded_request& request);
    asio::awaitable<void> close_gracefully(session_state& state);
    asio::awaitable<bool> send(session_state& state, const reply& r, bool request_keep_alive);
    asio::awaitable<bool> send_fault(session_state& state, const reply& r, bool request_keep_alive);
    asio::awaitable<void> drain(session_state& state);
    asio::awaitable<void> reset(session_state& state);
    asio::awaitable<bool> run_script(session_state& state, const std::vector<script_step>& steps,
                                     const recorded_request& request, int& status);
    asio::awaitable<bool> send_close_notify(session_state& state);
    asio::awaitable<bool> write_slowly(session_state& state, const reply& answer,
                                       const script_step& step);
    asio::awaitable<void> wait_acknowledged(session_state& state);
    asio::awaitable<void> wait_for_client_close(session_state& state);
    asio::awaitable<bool> pause(session_state& state, std::chrono::milliseconds delay);
    std::chrono::milliseconds answer_delay();

    static int select_alpn(SSL* ssl, const unsigned char** out, unsigned char* out_size,
                           const unsigned char* in, unsigned in_size, void* self);

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

server::impl::impl(server_options options)
    : opts(std::move(options)), prefix(normalize_prefix(opts.path_prefix)) {
    identity = opts.identity ? *opts.identity : make_tls_identity();
    expected_credentials = opts.project_id + ":" + opts.secret;
    if (opts.threads == 0) {
        opts.threads = 1;
    }

    ssl_ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                        ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(ssl_ctx.native_handle(), TLS1_2_VERSION);
    try {
        ssl_ctx.use_certificate_chain(asio::buffer(identity.certificate_pem));
        ssl_ctx.use_private_key(asio::buffer(identity.private_key_pem), ssl::context::pem);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("stytch::mock::server: bad certificate or key: ") +
                                 e.what());
    }
    if (SSL_CTX_check_private_key(ssl_ctx.native_handle()) != 1) {
        throw std::runtime_error("stytch::mock::server: key and certificate do not match");
    }
    if (!opts.client_ca_pem.empty()) {
        boost::system::error_code ec;
        ssl_ctx.add_certificate_authority(asio::buffer(opts.client_ca_pem), ec);
        if (ec) {
            throw std::runtime_error("stytch::mock::server: bad client_ca_pem");
        }
        ssl_ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }

    SSL_CTX_set_alpn_select_cb(ssl_ctx.native_handle(), select_alpn, this);

    ioc.emplace(static_cast<int>(opts.threads));
    boost::system::error_code ec;
    auto address = asio::ip::make_address(opts.address, ec);
    if (ec) {
        throw std::runtime_error("stytch::mock::server: invalid address '" + opts.address + "'");
    }
    acceptor.emplace(asio::make_strand(*ioc));
    tcp::endpoint endpoint{address, opts.port};
    acceptor->open(endpoint.protocol());
    acceptor->set_option(asio::socket_base::reuse_address(true));
    acceptor->bind(endpoint);
    acceptor->listen(asio::socket_base::max_listen_connections);
    bound_port = acceptor->local_endpoint().port();

    asio::co_spawn(acceptor->get_executor(), accept_loop(), asio::detached);

    running_threads = opts.threads;
    try {
        start_threads();
    } catch (...) {
        ioc->stop();
        for (auto& t : threads) {
            t.join();
        }
        throw;
    }
}

/// OpenSSL's ALPN callback: records the client's offer, selects the first of `opts.alpn` in it.
int server::impl::select_alpn(SSL*, const unsigned char** out, unsigned char* out_size,
                              const unsigned char* in, unsigned in_size, void* self) {
    auto& server = *static_cast<impl*>(self);
    std::vector<std::string> offered;
    for (unsigned i = 0; i < in_size;) {
        const unsigned size = in[i++];
        if (size > in_size - i) {
            break;  // OpenSSL has checked the list; never trust it twice
        }
        offered.emplace_back(reinterpret_cast<const char*>(in + i), size);
        i += size;
    }
    int result = SSL_TLSEXT_ERR_NOACK;
    for (const auto& wanted : server.opts.alpn) {
        const unsigned char* at = in;
        for (const auto& name : offered) {
            ++at;
            if (name == wanted) {
                *out = at;
                *out_size = static_cast<unsigned char>(name.size());
                result = SSL_TLSEXT_ERR_OK;
                break;
            }
            at += name.size();
        }
        if (result == SSL_TLSEXT_ERR_OK) {
            break;
        }
    }
    if (server.opts.record_requests) {
        std::lock_guard lock(server.mutex);
        server.alpn_offers.push_back(std::move(offered));
    }
    return result;
}

void server::impl::start_threads() {
    for (std::size_t i = 0; i < opts.threads; ++i) {
        threads.emplace_back([this] {
            for (;;) {
                try {
                    ioc->run();
                    break;
                } catch (...) {
                    // A handler threw: keep serving.
                }
            }
            {
                std::lock_guard lock(threads_mutex);
                --running_threads;
            }
            threads_cv.notify_all();
        });
    }
}

void server::impl::stop() {
    // `threads` does not change after construction: no lock needed to read it.
    for (const auto& t : threads) {
        if (t.get_id() == std::this_thread::get_id()) {
            throw std::logic_error("stytch::mock::server::stop called from a server thread");
        }
    }
    std::lock_guard stop_lock(stop_mutex);
    if (stopped) {
        return;
    }
    stopped = true;

    std::vector<std::weak_ptr<session_state>> open_sessions;
    {
        std::lock_guard lock(mutex);
        stopping = true;
        for (auto& [id, session] : sessions) {
            open_sessions.push_back(session);
        }
    }
    asio::post(acceptor->get_executor(), [this] {
        boost::system::error_code ignored;
        acceptor->close(ignored);
    });
    for (auto& weak : open_sessions) {
        if (auto session = weak.lock()) {
            asio::post(session->stream.get_executor(), [weak] {
                if (auto s = weak.lock()) {
                    s->stopping = true;
                    beast::get_lowest_layer(s->stream).close();
                }
            });
        }
    }

    // Everything ends by itself once the sockets are closed; stop the io_context only if
    // something still runs after a grace period.
    {
        std::unique_lock lock(threads_mutex);
        if (!threads_cv.wait_for(lock, stop_grace, [&] { return running_threads == 0; })) {
            ioc->stop();
        }
    }
    for (auto& t : threads) {
        t.join();
    }
    acceptor.reset();
    ioc.reset();  // destroys whatever handler was left, closing its connection
}

asio::awaitable<void> server::impl::accept_loop() {
    for (;;) {
        tcp::socket socket(asio::make_strand(*ioc));
        auto [ec] = co_await acceptor->async_accept(socket, use_tuple);
        if (!acceptor->is_open() || ec == asio::error::operation_aborted) {
            co_return;
        }
        if (ec) {
            // E.g. out of file descriptors: back off a little, then try again.
            asio::steady_timer timer(co_await asio::this_coro::executor, 10ms);
            co_await timer.async_wait(use_tuple);
            continue;
        }
        const std::uint64_t id = accepted.fetch_add(1) + 1;
        open.fetch_add(1);
        // Small writes (scripted records, answers) leave at once instead of waiting for an ACK.
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::shared_ptr<session_state> state;
        try {
            state = std::make_shared<session_state>(std::move(socket), ssl_ctx);
        } catch (...) {
            open.fetch_sub(1);
            continue;
        }
        {
            std::lock_guard lock(mutex);
            if (stopping) {
                beast::get_lowest_layer(state->stream).close();
                open.fetch_sub(1);
                continue;
            }
            sessions.emplace(id, state);
        }
        auto executor = state->stream.get_executor();
        asio::co_spawn(executor, run_session(std::move(state), id), asio::detached);
    }
}

asio::awaitable<void> server::impl::run_session(std::shared_ptr<session_state> state,
                                                std::uint64_t id) {
    try {
        co_await serve(*state, id);
    } catch (...) {
        // Never let one connection take the server down.
    }
    if ((SSL_get_shutdown(state->stream.native_handle()) & SSL_RECEIVED_SHUTDOWN) != 0) {
        close_notifies.fetch_add(1);
    }
    beast::get_lowest_layer(state->stream).close();
    {
        std::lock_guard lock(mutex);
        sessions.erase(id);
    }
    open.fetch_sub(1);
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

asio::awaitable<void> server::impl::serve(session_state& state, std::uint64_t id) {
    auto& tcp_layer = beast::get_lowest_layer(state.stream);
    if (opts.stall_tls_handshake) {
        // Fault: TCP is accepted, TLS never completes. Drop what comes until the client leaves.
        tcp_layer.expires_never();
        std::array<char, 1024> sink;
        while (!state.stopping) {
            auto [read_ec, n] = co_await tcp_layer.async_read_some(asio::buffer(sink), use_tuple);
            (void)n;
            if (read_ec) {
                co_return;
            }
        }
        co_return;
    }
    tcp_layer.expires_after(handshake_timeout);
    if (auto [ec] = co_await state.stream.async_handshake(ssl::stream_base::server, use_tuple);
        ec) {
        co_return;
    }
    if (selected_h2(state.stream.native_handle())) {
        co_await serve_h2(state.shared_from_this(), id);
        co_return;
    }

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

/// Counts and records a complete request; the override hook's answer, if it gives one.
std::optional<reply> server::impl::take_request(const recorded_request& request) {
    std::shared_ptr<const hook_type> current_hook;
    received.fetch_add(1);
    {
        std::lock_guard lock(mutex);
        if (opts.record_requests) {
            requests.push_back(request);
        }
        current_hook = hook;
    }
    if (!current_hook || !*current_hook) {
        return std::nullopt;
    }
    try {
        return (*current_hook)(request);
    } catch (const std::exception& e) {
        return error(500, "internal_server_error",
                     std::string("The override hook threw: ") + e.what());
    } catch (...) {
        return error(500, "internal_server_error", "The override hook threw.");
    }
}

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

namespace {

/// The response `r` describes; `keep_alive` tells whether the connection stays open after it.
http::response<http::string_body> build_response(const reply& r, bool request_keep_alive,
                                                 bool& keep_alive, std::string_view fallback) {
    http::response<http::string_body> response;
    keep_alive = false;
    try {
        response.version(11);
        const unsigned status =
            r.status >= 100 && r.status <= 999 ? static_cast<unsigned>(r.status) : 500u;
        response.result(status);
        response.set(http::field::content_type, "application/json");
        response.body() = r.body;
        response.prepare_payload();
        for (const auto& [name, value] : r.headers) {
            if (iequals(name, "Content-Type") || iequals(name, "Content-Length") ||
                iequals(name, "Connection")) {
                response.set(name, value);
            } else {
                response.insert(name, value);
            }
        }
        keep_alive = request_keep_alive && !r.close_after && response.keep_alive();
        response.keep_alive(keep_alive);
    } catch (const std::exception&) {
        response = {};
        response.version(11);
        response.result(http::status::internal_server_error);
        response.set(http::field::content_type, "application/json");
        response.body() = std::string(fallback);
        response.prepare_payload();
        response.keep_alive(false);
        keep_alive = false;
    }
    return response;
}

/// The status line and header section of `response`, CRLF CRLF included.
std::string header_bytes(const http::response<http::string_body>& response) {
    std::ostringstream out;
    out << response.base();
    return std::move(out).str();
}

}  // namespace

std::string render(const reply& r) {
    bool keep_alive = false;
    const auto response = build_response(
        r, true, keep_alive,
        R"({"status_code":500,"error_type":"internal_server_error","error_message":"Invalid reply."})");
    return header_bytes(response) + response.body();
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

namespace {

/// TCP_CORK: while set, written bytes wait in the kernel until a full segment or the uncork.
void set_cork(tcp::socket& socket, bool on) {
    const int value = on ? 1 : 0;
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_CORK, &value, sizeof value);
}

}  // namespace

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

/// Sends a TLS close_notify without waiting for the client's: reading is shut down first, so
/// the read that follows the close_notify inside async_shutdown ends at once. TCP stays open.
std::chrono::milliseconds server::impl::answer_delay() {
    if (opts.answer_delay_max <= opts.answer_delay) {
        return opts.answer_delay;
    }
    std::uniform_int_distribution<std::chrono::milliseconds::rep> draw(
        opts.answer_delay.count(), opts.answer_delay_max.count());
    std::lock_guard lock(mutex);
    return std::chrono::milliseconds(draw(rng));
}

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

std::string server::impl::new_request_id() {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    {
        std::lock_guard lock(mutex);
        hi = rng();
        lo = rng();
    }
    // A version-4 UUID layout.
    hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
    lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
    char text[64];
    std::snprintf(text, sizeof text, "request-id-test-%08x-%04x-%04x-%04x-%012llx",
                  static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xffff),
                  static_cast<unsigned>(hi & 0xffff), static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return text;
}

reply server::impl::error(int status, std::string_view type, std::string_view message) {
    json::object body;
    body["status_code"] = status;
    body["request_id"] = new_request_id();
    body["error_type"] = type;
    body["error_message"] = message;
    body["error_url"] =
        "https://stytch.com/docs/api/errors/" + std::to_string(status) + "#" + std::string(type);
    reply r;
    r.status = status;
    r.body = json::serialize(body);
    return r;
}

reply server::impl::handle(const recorded_request& request) {
    std::string_view path = request.target;
    path = path.substr(0, path.find_first_of("?#"));
    auto not_found = [&] {
        return error(404, "route_not_found",
                     "Route not found: " + request.method + " " + std::string(path) + ".");
    };
    std::string_view rest = path;
    if (!prefix.empty()) {
        if (!rest.starts_with(prefix)) {
            return not_found();
        }
        rest.remove_prefix(prefix.size());
    }
    if (!rest.starts_with(api_path)) {
        return not_found();
    }
    rest.remove_prefix(api_path.size());
    const auto slash = rest.find('/');
    if (slash == 0 || slash == std::string_view::npos || rest.substr(slash) != api_suffix) {
        return not_found();
    }
    const std::string_view segment = rest.substr(0, slash);
    if (request.method != "DELETE") {
        reply r = error(405, "method_not_allowed",
                        "Method " + request.method + " is not allowed on this route.");
        r.headers.emplace_back("Allow", "DELETE");
        return r;
    }

    const auto credentials = basic_credentials(request.header("Authorization"));
    if (!credentials || *credentials != expected_credentials) {
        return error(401, "unauthorized_credentials", "Unauthorized credentials.");
    }

    const auto id = percent_decode(segment);
    if (!id || id->empty()) {
        return error(400, "bad_request", "The organization_id in the path is malformed.");
    }

    std::optional<json::object> organization;
    {
        std::lock_guard lock(mutex);
        if (json::object* stored = find_locked(*id)) {
            // The real API's organization then has no external id: the member is left out (its
            // schema has it as an optional string, never null), in the store and the answer.
            stored->erase("organization_external_id");
            organization = *stored;
        }
    }
    if (!organization) {
        return error(404, "organization_not_found", "Organization could not be found.");
    }

    json::object body;
    body["request_id"] = new_request_id();
    body["status_code"] = 200;
    body["organization"] = std::move(*organization);
    reply r;
    r.status = 200;
    r.body = json::serialize(body);
    return r;
}

json::object* server::impl::find_locked(std::string_view key) {
    if (auto it = organizations.find(key); it != organizations.end()) {
        return &it->second;
    }
    for (const char* field : {"organization_slug", "organization_external_id"}) {
        for (auto& [id, organization] : organizations) {
            const json::string* value = string_field(organization, field);
            if (value != nullptr && *value == key) {
                return &organization;
            }
        }
    }
    return nullptr;
}

void server::impl::add_locked(json::object organization) {
    const json::string* id = string_field(organization, "organization_id");
    std::string key(id->data(), id->size());
    organizations.insert_or_assign(std::move(key), std::move(organization));
}

namespace {

void validate_organization(const json::object& organization) {
    const json::string* id = string_field(organization, "organization_id");
    if (id == nullptr || id->empty()) {
        throw std::invalid_argument(
            "stytch::mock::server: an organization needs a non-empty string organization_id");
    }
}

}  // namespace

server::server(server_options opts) : impl_(std::make_unique<impl>(std::move(opts))) {}

server::~server() {
    if (impl_) {
        impl_->stop();
    }
}

void server::stop() {
    impl_->stop();
}

std::uint16_t server::port() const {
    return impl_->bound_port;
}

std::string server::base_url() const {
    const std::string& address = impl_->opts.address;
    const bool v6 = address.find(':') != std::string::npos;
    return "https://" + (v6 ? "[" + address + "]" : address) + ":" +
           std::to_string(impl_->bound_port) + impl_->prefix;
}

const tls_identity& server::identity() const {
    return impl_->identity;
}

void server::write_ca_file(const std::string& path) const {
    const std::string& pem = impl_->identity.ca_certificate_pem;
    if (pem.empty()) {
        throw std::runtime_error("stytch::mock::server: no CA certificate to write");
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << pem;
    out.close();
    if (!out) {
        throw std::runtime_error("stytch::mock::server: cannot write '" + path + "'");
    }
}

void server::add_organization(json::object organization, seed_check check) {
    validate_organization(organization);
    if (check == seed_check::complete) {
        if (auto reason = detail::incomplete_member(organization)) {
            throw std::invalid_argument(
                "stytch::mock::server: the client could not decode this organization: " + *reason);
        }
    }
    std::lock_guard lock(impl_->mutex);
    impl_->add_locked(std::move(organization));
}

void server::load_organizations(const std::string& json_file, seed_check check) {
    const std::string text = read_file(json_file);
    boost::system::error_code ec;
    json::value document = json::parse(text, ec);
    if (ec) {
        throw std::runtime_error("stytch::mock: '" + json_file + "' is not JSON: " + ec.message());
    }
    const json::array* list = document.if_array();
    if (list == nullptr) {
        if (const json::object* o = document.if_object()) {
            if (const json::value* v = o->if_contains("organizations")) {
                list = v->if_array();
            }
        }
    }
    if (list == nullptr) {
        throw std::runtime_error("stytch::mock: '" + json_file +
                                 "' holds neither an array of organizations nor "
                                 "{\"organizations\": [...]}");
    }
    std::vector<json::object> loaded;
    for (const json::value& v : *list) {
        const json::object* o = v.if_object();
        if (o == nullptr) {
            throw std::runtime_error("stytch::mock: '" + json_file +
                                     "': every organization must be a JSON object");
        }
        try {
            validate_organization(*o);
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error("stytch::mock: '" + json_file + "': " + e.what());
        }
        if (check == seed_check::complete) {
            if (auto reason = detail::incomplete_member(*o)) {
                throw std::runtime_error("stytch::mock: '" + json_file + "': organizations[" +
                                         std::to_string(loaded.size()) + "]: " + *reason);
            }
        }
        loaded.push_back(*o);
    }
    std::lock_guard lock(impl_->mutex);
    for (auto& o : loaded) {
        impl_->add_locked(std::move(o));
    }
}

std::optional<json::object> server::find_organization(
    std::string_view id_slug_or_external_id) const {
    std::lock_guard lock(impl_->mutex);
    if (const json::object* o = impl_->find_locked(id_slug_or_external_id)) {
        return *o;
    }
    return std::nullopt;
}

void server::set_override(std::function<std::optional<reply>(const recorded_request&)> hook) {
    auto shared = hook ? std::make_shared<const hook_type>(std::move(hook)) : nullptr;
    std::lock_guard lock(impl_->mutex);
    impl_->hook = std::move(shared);
}

std::size_t server::connections_accepted() const {
    return impl_->accepted.load();
}

std::size_t server::connections_open() const {
    return impl_->open.load();
}

std::size_t server::script_steps_completed() const {
    return impl_->steps_completed.load();
}

std::size_t server::scripts_running() const {
    return impl_->scripts_active.load();
}

std::size_t server::goaways_received() const {
    return impl_->goaways.load();
}

std::size_t server::close_notifies_received() const {
    return impl_->close_notifies.load();
}

std::vector<std::vector<std::string>> server::alpn_offers() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->alpn_offers;
}

std::size_t server::requests_received() const {
    return impl_->received.load();
}

std::vector<recorded_request> server::requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->requests;
}

void server::clear_requests() {
    std::lock_guard lock(impl_->mutex);
    impl_->requests.clear();
}

}  // namespace stytch::mock
