#include "conformance_h2/h2_script_server.hpp"

#include <atomic>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <csignal>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <stytch/mock/certificates.hpp>

#include "support/server.hpp"

namespace stytch::test::h2 {

namespace {

constexpr std::string_view client_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// HPACK integer with an `prefix`-bit prefix (RFC 7541 §5.1), first byte or-ed with `high`.
void append_integer(std::string& out, std::size_t v, int prefix, std::uint8_t high) {
    const std::size_t max = (std::size_t{1} << prefix) - 1;
    if (v < max) {
        out += static_cast<char>(high | v);
        return;
    }
    out += static_cast<char>(high | max);
    v -= max;
    while (v >= 128) {
        out += static_cast<char>(0x80 | (v & 0x7f));
        v >>= 7;
    }
    out += static_cast<char>(v);
}

void append_string(std::string& out, std::string_view s) {
    append_integer(out, s.size(), 7, 0x00);  // no Huffman
    out += s;
}

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what);
}

struct ssl_ctx_free {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};

}  // namespace

std::string u32(std::uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) {
        s[i] = static_cast<char>(v >> (24 - 8 * i));
    }
    return s;
}

std::string frame(std::uint8_t type, std::uint8_t flags, std::int32_t stream_id,
                  std::string_view payload) {
    std::string f;
    const std::size_t n = payload.size();
    f += static_cast<char>(n >> 16);
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n);
    f += static_cast<char>(type);
    f += static_cast<char>(flags);
    f += u32(static_cast<std::uint32_t>(stream_id) & 0x7fffffffu);
    f += payload;
    return f;
}

std::string settings_frame(std::vector<std::pair<std::uint16_t, std::uint32_t>> entries) {
    std::string payload;
    for (const auto& [id, value] : entries) {
        payload += static_cast<char>(id >> 8);
        payload += static_cast<char>(id);
        payload += u32(value);
    }
    return frame(settings, 0, 0, payload);
}

namespace hpack {
std::string literal(std::string_view name, std::string_view value) {
    std::string out(1, '\0');  // literal without indexing, new name
    append_string(out, name);
    append_string(out, value);
    return out;
}
std::string status(int code) {
    return literal(":status", std::to_string(code));
}
}  // namespace hpack

std::string answer(std::int32_t stream_id, int status, std::string_view body) {
    const std::string block = hpack::status(status) +
                              hpack::literal("content-type", "application/json") +
                              hpack::literal("content-length", std::to_string(body.size()));
    return frame(headers, end_headers, stream_id, block) + frame(data, end_stream, stream_id, body);
}

const std::string& ok_body() {
    static const std::string body = [] {
        std::ifstream in(STYTCH_OK_RESPONSE);
        const std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (s.empty()) {
            fail("cannot read " STYTCH_OK_RESPONSE);
        }
        // The answer is checked against the organization the call named.
        auto answer = boost::json::parse(s);
        answer.at("organization").as_object()["organization_id"] = test::first_org;
        return boost::json::serialize(answer);
    }();
    return body;
}

std::uint32_t u32_at(std::string_view bytes, std::size_t at) {
    if (bytes.size() < at + 4) {
        return 0;
    }
    std::uint32_t v = 0;
    for (std::size_t i = at; i < at + 4; ++i) {
        v = v << 8 | static_cast<unsigned char>(bytes[i]);
    }
    return v;
}

std::uint32_t received_frame::error_code() const {
    return u32_at(payload, type == goaway ? 4 : 0);
}

peer::peer(SSL* ssl, int fd) : ssl_(ssl), fd_(fd) {}

peer::~peer() = default;

void peer::start(std::vector<std::pair<std::uint16_t, std::uint32_t>> entries) {
    const auto until = clock::now() + milliseconds(5000);
    while (in_.size() < client_preface.size()) {
        if (!fill(until)) {
            fail("no client preface");
        }
    }
    if (std::string_view(in_).substr(0, client_preface.size()) != client_preface) {
        fail("bad client preface");
    }
    in_.erase(0, client_preface.size());
    send(settings_frame(std::move(entries)));
    // The client's SETTINGS come first (RFC 9113 §3.4); acknowledged, as servers do, so
    // that what they announce (no push, windows) is in force.
    if (expect(settings).flags & ack) {
        fail("the client's first frame acknowledged SETTINGS it never got");
    }
    send(frame(settings, ack, 0, ""));
}

bool peer::fill(clock::time_point until) {
    char buf[16384];
    for (;;) {
        if (SSL_pending(ssl_) == 0) {
            const auto left = std::chrono::ceil<milliseconds>(until - clock::now()).count();
            pollfd p{fd_, POLLIN, 0};
            const int ready = ::poll(&p, 1, static_cast<int>(std::max<long>(left, 0)));
            if (ready == 0) {
                return false;  // nothing within the time left
            }
            if (ready < 0) {
                continue;  // EINTR
            }
        }
        const int n = SSL_read(ssl_, buf, sizeof buf);
        if (n > 0) {
            in_.append(buf, static_cast<std::size_t>(n));
            return true;
        }
        const int err = SSL_get_error(ssl_, n);
        if (err == SSL_ERROR_WANT_READ) {
            continue;  // a record without application data (a KeyUpdate, a ticket)
        }
        ERR_clear_error();
        if (!closed_) {
            closed_ = true;
            closed_at_ = clock::now();
        }
        return false;
    }
}

bool peer::read_frame(clock::time_point until) {
    while (in_.size() < 9 ||
           in_.size() < 9 + (static_cast<std::size_t>(static_cast<unsigned char>(in_[0])) << 16 |
                             static_cast<std::size_t>(static_cast<unsigned char>(in_[1])) << 8 |
                             static_cast<unsigned char>(in_[2]))) {
        if (!fill(until)) {
            return false;
        }
    }
    const auto b = [this](std::size_t i) { return static_cast<unsigned char>(in_[i]); };
    const std::size_t length = std::size_t{b(0)} << 16 | std::size_t{b(1)} << 8 | b(2);
    received_frame f;
    f.type = b(3);
    f.flags = b(4);
    f.stream_id = static_cast<std::int32_t>(
        (std::uint32_t{b(5)} << 24 | std::uint32_t{b(6)} << 16 | std::uint32_t{b(7)} << 8 | b(8)) &
        0x7fffffffu);
    f.payload = in_.substr(9, length);
    f.at = clock::now();
    in_.erase(0, 9 + length);
    frames_.push_back(std::move(f));
    return true;
}

received_frame peer::expect(std::uint8_t type, milliseconds timeout) {
    const auto until = clock::now() + timeout;
    const std::size_t seen = frames_.size();
    for (std::size_t i = seen;; ++i) {
        while (frames_.size() <= i) {
            if (!read_frame(until)) {
                fail("frame of type " + std::to_string(type) + " did not arrive");
            }
        }
        if (frames_[i].type == type) {
            return frames_[i];
        }
    }
}

std::int32_t peer::next_request(milliseconds timeout) {
    return expect(headers, timeout).stream_id;
}

void peer::send(std::string_view bytes, std::size_t record_size) {
    if (!send_unless_closed(bytes, record_size)) {
        fail("write failed: the client closed");
    }
}

bool peer::send_unless_closed(std::string_view bytes, std::size_t record_size) {
    while (!bytes.empty()) {
        const std::size_t n = std::min(bytes.size(), record_size);
        std::size_t written = 0;
        if (SSL_write_ex(ssl_, bytes.data(), n, &written) != 1) {
            ERR_clear_error();
            return false;
        }
        bytes.remove_prefix(written);
    }
    sent_at_ = clock::now();
    return true;
}

bool peer::read_until_closed(milliseconds timeout) {
    const auto until = clock::now() + timeout;
    while (read_frame(until)) {
    }
    return closed_;
}

const received_frame* peer::first(std::uint8_t type) const {
    for (const auto& f : frames_) {
        if (f.type == type) {
            return &f;
        }
    }
    return nullptr;
}

void peer::send_key_update() {
    if (SSL_key_update(ssl_, SSL_KEY_UPDATE_REQUESTED) != 1 || SSL_do_handshake(ssl_) != 1) {
        ERR_clear_error();
        fail("key update failed: the client closed");
    }
}

struct script_server::impl {
    std::vector<script> scripts;
    std::unique_ptr<SSL_CTX, ssl_ctx_free> ctx;
    mock::tls_identity identity;
    int listener = -1;
    std::uint16_t port = 0;
    std::thread acceptor;
    mutable std::mutex mutex;
    std::vector<std::thread> threads;
    std::vector<int> fds;
    std::vector<std::string> failures;
    std::size_t accepted = 0;
    std::atomic<std::size_t> finished{0};
    std::atomic<bool> stopping{false};

    void serve(int fd, std::size_t n) {
        SSL* ssl = SSL_new(ctx.get());
        SSL_set_fd(ssl, fd);
        try {
            if (SSL_accept(ssl) != 1) {
                fail("TLS handshake failed");
            }
            peer p(ssl, fd);
            scripts[std::min(n, scripts.size() - 1)](p);
        } catch (const std::exception& e) {
            if (!stopping) {
                std::lock_guard<std::mutex> held(mutex);
                failures.push_back("connection " + std::to_string(n) + ": " + e.what());
            }
        }
        ERR_clear_error();
        SSL_free(ssl);
        ::shutdown(fd, SHUT_RDWR);
        finished.fetch_add(1);
    }
};

script_server::script_server(std::vector<script> scripts) : impl_(std::make_unique<impl>()) {
    // OpenSSL writes with write(): a client that already closed must fail the script's write,
    // not kill the test process.
    ::signal(SIGPIPE, SIG_IGN);
    impl& m = *impl_;
    m.scripts = std::move(scripts);
    if (m.scripts.empty()) {
        fail("no script");
    }
    m.identity = mock::make_tls_identity();
    m.ctx.reset(SSL_CTX_new(TLS_server_method()));
    BIO* cert = BIO_new_mem_buf(m.identity.certificate_pem.data(),
                                static_cast<int>(m.identity.certificate_pem.size()));
    BIO* key = BIO_new_mem_buf(m.identity.private_key_pem.data(),
                               static_cast<int>(m.identity.private_key_pem.size()));
    X509* x = PEM_read_bio_X509(cert, nullptr, nullptr, nullptr);
    EVP_PKEY* k = PEM_read_bio_PrivateKey(key, nullptr, nullptr, nullptr);
    const bool ok = x && k && SSL_CTX_use_certificate(m.ctx.get(), x) == 1 &&
                    SSL_CTX_use_PrivateKey(m.ctx.get(), k) == 1;
    X509_free(x);
    EVP_PKEY_free(k);
    BIO_free(cert);
    BIO_free(key);
    if (!ok) {
        fail("cannot load the server's certificate");
    }
    SSL_CTX_set_min_proto_version(m.ctx.get(), TLS1_3_VERSION);
    SSL_CTX_set_num_tickets(m.ctx.get(), 0);
    SSL_CTX_set_alpn_select_cb(
        m.ctx.get(),
        [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
           unsigned int inlen, void*) {
            for (unsigned int i = 0; i < inlen; i += 1u + in[i]) {
                if (in[i] == 2 && i + 3 <= inlen && in[i + 1] == 'h' && in[i + 2] == '2') {
                    *out = in + i + 1;
                    *outlen = 2;
                    return SSL_TLSEXT_ERR_OK;
                }
            }
            return SSL_TLSEXT_ERR_ALERT_FATAL;
        },
        nullptr);

    m.listener = ::socket(AF_INET, SOCK_STREAM, 0);
    // A small receive buffer: a client that sends what the server does not read fills it
    // soon, as a slow server's would.
    const int small = 4096;
    ::setsockopt(m.listener, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(m.listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(m.listener, 64) != 0 ||
        ::getsockname(m.listener, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        ::close(m.listener);
        fail("cannot listen on 127.0.0.1");
    }
    m.port = ntohs(a.sin_port);
    m.acceptor = std::thread([&m] {
        for (;;) {
            const int fd = ::accept(m.listener, nullptr, nullptr);
            if (fd < 0 || m.stopping) {
                if (fd >= 0) {
                    ::close(fd);
                }
                return;
            }
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            std::lock_guard<std::mutex> held(m.mutex);
            m.fds.push_back(fd);
            m.threads.emplace_back([&m, fd, n = m.accepted++] { m.serve(fd, n); });
        }
    });
}

script_server::~script_server() {
    impl& m = *impl_;
    m.stopping = true;
    ::shutdown(m.listener, SHUT_RDWR);
    m.acceptor.join();
    ::close(m.listener);
    std::vector<std::thread> threads;
    {
        std::lock_guard<std::mutex> held(m.mutex);
        for (int fd : m.fds) {
            ::shutdown(fd, SHUT_RDWR);  // ends blocked reads and writes
        }
        threads.swap(m.threads);
    }
    for (auto& t : threads) {
        t.join();
    }
    for (int fd : m.fds) {
        ::close(fd);
    }
}

std::string script_server::base_url() const {
    return "https://127.0.0.1:" + std::to_string(impl_->port);
}

const std::string& script_server::ca_pem() const {
    return impl_->identity.ca_certificate_pem;
}

std::size_t script_server::connections_accepted() const {
    std::lock_guard<std::mutex> held(impl_->mutex);
    return impl_->accepted;
}

std::vector<std::string> script_server::failures() const {
    std::lock_guard<std::mutex> held(impl_->mutex);
    return impl_->failures;
}

bool script_server::wait_scripts(milliseconds timeout) const {
    const auto until = clock::now() + timeout;
    for (;;) {
        if (impl_->finished.load() == connections_accepted()) {
            return true;
        }
        if (clock::now() >= until) {
            return false;
        }
        std::this_thread::sleep_for(milliseconds(1));  // polling a counter, not ordering a race
    }
}

}  // namespace stytch::test::h2
