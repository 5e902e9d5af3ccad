// Property test of the idle-connection check (detail::tls_stream::quiet) against a TLS server
// driven by hand with OpenSSL on a plain socket, so that every kind of thing a server can send
// while a connection idles is exact: application data, TLS records without data (session
// tickets, key updates), close_notify, FIN, RST, part of a record. Random sequences of them:
// the connection is quiet exactly when nothing but records without data arrived, and a quiet
// connection still carries the next exchange.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <stytch/error.hpp>
#include <stytch/mock/certificates.hpp>

#include "transport/tls_stream.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

enum class idle_action {
    application_byte,  // one byte of data: the server spoke
    session_ticket,    // TLS 1.3 NewSessionTicket: no data
    key_update,        // TLS 1.3 KeyUpdate: no data
    partial_record,    // the first bytes of a record, by TCP: something arrived
    close_notify,      // TLS close, TCP open
    fin,               // TCP close without close_notify
    reset,             // RST
};

constexpr idle_action all_actions[] = {idle_action::application_byte,
                                       idle_action::session_ticket,
                                       idle_action::key_update,
                                       idle_action::partial_record,
                                       idle_action::close_notify,
                                       idle_action::fin,
                                       idle_action::reset};

bool carries_no_data(idle_action a) {
    return a == idle_action::session_ticket || a == idle_action::key_update;
}

bool ends_the_connection(idle_action a) {
    return a == idle_action::close_notify || a == idle_action::fin || a == idle_action::reset;
}

std::string describe(const std::vector<idle_action>& actions) {
    static const char* names[] = {"application_byte",
                                  "session_ticket",
                                  "key_update",
                                  "partial_record",
                                  "close_notify",
                                  "fin",
                                  "reset"};
    std::ostringstream out;
    out << "[";
    for (auto a : actions) {
        out << " " << names[static_cast<int>(a)];
    }
    out << " ]";
    return out.str();
}

struct ssl_ctx_free {
    void operator()(SSL_CTX* c) const noexcept { SSL_CTX_free(c); }
};

/// A TLS 1.3 server context with a fresh identity.
std::unique_ptr<SSL_CTX, ssl_ctx_free> server_context() {
    const auto identity = stytch::mock::make_tls_identity();
    std::unique_ptr<SSL_CTX, ssl_ctx_free> ctx(SSL_CTX_new(TLS_server_method()));
    BOOST_REQUIRE(ctx);
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
    BIO* cert = BIO_new_mem_buf(identity.certificate_pem.data(),
                                static_cast<int>(identity.certificate_pem.size()));
    BIO* key = BIO_new_mem_buf(identity.private_key_pem.data(),
                               static_cast<int>(identity.private_key_pem.size()));
    X509* x509 = PEM_read_bio_X509(cert, nullptr, nullptr, nullptr);
    EVP_PKEY* pkey = PEM_read_bio_PrivateKey(key, nullptr, nullptr, nullptr);
    BOOST_REQUIRE(x509 != nullptr);
    BOOST_REQUIRE(pkey != nullptr);
    BOOST_REQUIRE(SSL_CTX_use_certificate(ctx.get(), x509) == 1);
    BOOST_REQUIRE(SSL_CTX_use_PrivateKey(ctx.get(), pkey) == 1);
    X509_free(x509);
    EVP_PKEY_free(pkey);
    BIO_free(cert);
    BIO_free(key);
    return ctx;
}

/// One server connection, blocking: handshake, answer each "ping" with "pong", and between
/// exchanges perform what the test asks.
class scripted_server {
  public:
    explicit scripted_server(SSL_CTX* ctx) : ctx_(ctx) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        BOOST_REQUIRE(::listen(listener_, 1) == 0);
        socklen_t len = sizeof addr;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
    }
    ~scripted_server() {
        if (ssl_ != nullptr) {
            SSL_free(ssl_);
        }
        if (fd_ >= 0) {
            ::close(fd_);
        }
        ::close(listener_);
    }

    std::uint16_t port() const { return port_; }

    /// Accepts and completes the handshake (the session tickets OpenSSL sends by default go
    /// out here, before the first exchange).
    bool accept() {
        fd_ = ::accept(listener_, nullptr, nullptr);
        ssl_ = SSL_new(ctx_);
        SSL_set_fd(ssl_, fd_);
        return fd_ >= 0 && SSL_accept(ssl_) == 1;
    }

    /// Reads "ping", writes "pong".
    bool pong() {
        char buffer[4];
        std::size_t got = 0;
        return SSL_read_ex(ssl_, buffer, sizeof buffer, &got) == 1 && got == 4 &&
               std::string(buffer, 4) == "ping" && SSL_write(ssl_, "pong", 4) == 4;
    }

    void perform(idle_action a) {
        switch (a) {
            case idle_action::application_byte:
                SSL_write(ssl_, "x", 1);
                break;
            case idle_action::session_ticket:
                SSL_new_session_ticket(ssl_);
                SSL_do_handshake(ssl_);  // sends it now
                break;
            case idle_action::key_update:
                SSL_key_update(ssl_, SSL_KEY_UPDATE_NOT_REQUESTED);
                SSL_do_handshake(ssl_);
                break;
            case idle_action::partial_record:
                ::send(fd_, "\x17\x03\x03\x00\x20", 5, MSG_NOSIGNAL);  // header of a record
                break;
            case idle_action::close_notify:
                SSL_shutdown(ssl_);
                break;
            case idle_action::fin:
                ::shutdown(fd_, SHUT_WR);
                break;
            case idle_action::reset: {
                linger l{1, 0};
                ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
                ::close(fd_);
                fd_ = -1;
                break;
            }
        }
    }

  private:
    SSL_CTX* ctx_;
    int listener_ = -1;
    int fd_ = -1;
    SSL* ssl_ = nullptr;
    std::uint16_t port_ = 0;
};

using stream_type = stytch::detail::tls_stream<asio::io_context::executor_type>;

/// Runs `coro` to completion on `ioc`.
template <class T>
T run(asio::io_context& ioc, asio::awaitable<T, asio::io_context::executor_type> coro) {
    std::optional<T> out;
    asio::co_spawn(ioc, std::move(coro), [&](std::exception_ptr e, T v) {
        if (e) {
            std::rethrow_exception(e);
        }
        out = std::move(v);
    });
    ioc.restart();
    ioc.run();
    BOOST_REQUIRE(out.has_value());
    return std::move(*out);
}

asio::awaitable<bool, asio::io_context::executor_type> ping(stream_type& s) {
    auto [wec, wn] = co_await s.async_write("ping");
    if (wec) {
        co_return false;
    }
    std::string got;
    while (got.size() < 4) {
        char buffer[8];
        auto [rec, n] = co_await s.async_read_some(asio::buffer(buffer));
        if (rec) {
            co_return false;
        }
        got.append(buffer, n);
    }
    co_return got == "pong";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(idle_check)

BOOST_AUTO_TEST_CASE(quiet_exactly_when_nothing_but_records_without_data_arrived) {
    const auto seed = std::random_device{}();
    BOOST_TEST_MESSAGE("seed " << seed);
    std::mt19937 rng(seed);
    auto server_ctx = server_context();
    asio::ssl::context client_ctx(asio::ssl::context::tls_client);
    client_ctx.set_verify_mode(asio::ssl::verify_none);  // verification is tested elsewhere
    asio::io_context ioc;

    std::size_t quiet_cases = 0;
    std::size_t spoken_cases = 0;
    for (int trial = 0; trial < 150; ++trial) {
        std::vector<idle_action> actions;
        const int length = static_cast<int>(rng() % 4);  // 0 to 3 actions
        for (int i = 0; i < length; ++i) {
            actions.push_back(all_actions[rng() % std::size(all_actions)]);
            if (ends_the_connection(actions.back())) {
                break;
            }
        }
        bool expect_quiet = true;
        for (auto a : actions) {
            expect_quiet = expect_quiet && carries_no_data(a);
        }
        BOOST_TEST_CONTEXT("trial " << trial << " " << describe(actions)) {
            scripted_server server(server_ctx.get());
            std::promise<void> go;
            std::promise<void> acted;
            std::promise<void> finish;
            std::thread t([&] {
                if (server.accept() && server.pong()) {
                    go.get_future().wait();
                    for (auto a : actions) {
                        server.perform(a);
                    }
                }
                acted.set_value();
                if (expect_quiet) {
                    server.pong();  // the connection must still carry an exchange
                }
                finish.get_future().wait();
            });
            stream_type stream(ioc.get_executor(), client_ctx);
            stream.socket().connect({asio::ip::make_address("127.0.0.1"), server.port()});
            auto [hec, _] = run(ioc, stream.async_handshake());
            BOOST_REQUIRE(!hec);
            BOOST_REQUIRE(run(ioc, ping(stream)));
            BOOST_TEST(!stream.check_idle());  // nothing yet: only the answer, fully read
            go.set_value();
            acted.get_future().wait();  // on loopback, what was sent has arrived
            const auto news = stream.check_idle();
            BOOST_TEST(!news == expect_quiet, news.message());
            if (!actions.empty() && actions.front() == idle_action::application_byte) {
                BOOST_TEST((news == stytch::error::unsolicited_answer));
            }
            if (!actions.empty() && ends_the_connection(actions.front())) {
                BOOST_TEST((news == asio::error::eof || news == asio::error::connection_reset ||
                            news == asio::ssl::error::stream_truncated),
                           news.message());
            }
            if (expect_quiet) {
                BOOST_TEST(run(ioc, ping(stream)));
                ++quiet_cases;
            } else {
                ++spoken_cases;
            }
            finish.set_value();
            t.join();
        }
    }
    // Both outcomes were exercised.
    BOOST_TEST(quiet_cases > 10u);
    BOOST_TEST(spoken_cases > 10u);
}

BOOST_AUTO_TEST_SUITE_END()
