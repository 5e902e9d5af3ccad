#pragma once

// A small HTTP CONNECT proxy for tests, on 127.0.0.1 with its own thread. It tunnels to a
// fixed upstream port on 127.0.0.1 whatever host the CONNECT names (so an API host name that
// does not resolve still reaches the mock), and can misbehave on demand in the ways a real
// proxy will not: close after its 200, stall, send an endless header, send a body.
// It records every byte the client sent, for the security tests. With a TLS identity it is an
// https proxy: clients speak TLS to it, and the CONNECT and the tunnel run inside that session.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <stytch/mock/certificates.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace stytch::test {

class scripted_proxy {
  public:
    /// What the proxy does after reading a CONNECT request.
    enum class behaviour {
        tunnel,           ///< 200, then relay both ways to the upstream
        refuse,           ///< answer `refuse_status` with a small body, then close
        close_after_200,  ///< 200, then close at once
        stall,            ///< read the request, never answer
        endless_header,   ///< "HTTP/1.1 200 OK" and header lines without end
        body_after_200,   ///< 200 with Content-Length: 5 and "hello"
        bytes_after_200,  ///< 200 and its blank line, then bytes, in one write
    };

    /// `tls`: be an https proxy with this certificate and key (its CA must be trusted).
    explicit scripted_proxy(std::uint16_t upstream_port,
                            std::optional<mock::tls_identity> tls = std::nullopt)
        : upstream_port_(upstream_port),
          acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        if (tls) {
            tls_.emplace(boost::asio::ssl::context::tls_server);
            tls_->use_certificate_chain(boost::asio::buffer(tls->certificate_pem));
            tls_->use_private_key(boost::asio::buffer(tls->private_key_pem),
                                  boost::asio::ssl::context::pem);
        }
        boost::asio::co_spawn(ioc_, accept_loop(), boost::asio::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~scripted_proxy() {
        ioc_.stop();
        thread_.join();
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::string url() const {
        return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port());
    }

    /// Set before the calls: read by the proxy's thread.
    std::atomic<behaviour> mode{behaviour::tunnel};
    std::atomic<int> refuse_status{403};
    /// When not empty, a CONNECT without exactly this Proxy-Authorization gets a 407.
    void require_authorization(std::string value) {
        std::lock_guard lock(mutex_);
        required_authorization_ = std::move(value);
    }

    /// Every byte every client sent, in order of arrival per connection, concatenated.
    std::string raw_from_clients() const {
        std::lock_guard lock(mutex_);
        return raw_;
    }
    /// The CONNECT request headers received, one string each.
    std::vector<std::string> connect_requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }
    std::size_t connections() const { return connections_; }
    /// Bytes the proxy wrote in `endless_header` mode before the client went away.
    std::size_t endless_bytes_sent() const { return endless_sent_; }
    /// Client connections that ended (closed by the client or the proxy).
    std::size_t connections_ended() const { return ended_; }

  private:
    using tcp = boost::asio::ip::tcp;
    template <class T>
    using task = boost::asio::awaitable<T>;
    static constexpr auto tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

    task<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(tuple);
            if (ec) {
                co_return;
            }
            ++connections_;
            if (tls_) {
                using tls_socket = boost::asio::ssl::stream<tcp::socket>;
                auto client = std::make_shared<tls_socket>(std::move(socket), *tls_);
                boost::asio::co_spawn(ioc_, handshake_then_serve(client), boost::asio::detached);
            } else {
                auto client = std::make_shared<tcp::socket>(std::move(socket));
                boost::asio::co_spawn(ioc_, serve(client), boost::asio::detached);
            }
        }
    }

    void record(std::string_view bytes) {
        std::lock_guard lock(mutex_);
        raw_.append(bytes);
    }

    template <class Stream>
    task<void> write(Stream& s, std::string_view bytes) {
        co_await boost::asio::async_write(s, boost::asio::buffer(bytes), tuple);
    }

    template <class TlsStream>
    task<void> handshake_then_serve(std::shared_ptr<TlsStream> client) {
        auto [ec] = co_await client->async_handshake(TlsStream::server, tuple);
        if (ec) {
            ++ended_;
            co_return;
        }
        co_await serve(client);
    }

    template <class Stream>
    task<void> serve(std::shared_ptr<Stream> client) {
        std::string header;
        auto [ec, n] = co_await boost::asio::async_read_until(
            *client, boost::asio::dynamic_buffer(header, 16 * 1024), "\r\n\r\n", tuple);
        record(header);
        if (ec) {
            ++ended_;
            co_return;
        }
        std::string required;
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(header.substr(0, n));
            required = required_authorization_;
        }
        if (!required.empty() &&
            header.find("\r\nProxy-Authorization: " + required + "\r\n") == std::string::npos) {
            co_await write(*client,
                           "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: "
                           "Basic realm=\"test\"\r\nContent-Length: 6\r\nConnection: close\r\n"
                           "\r\ndenied");
            ++ended_;
            co_return;
        }
        switch (mode.load()) {
            case behaviour::tunnel:
                co_await tunnel(client, header.substr(n));
                break;
            case behaviour::refuse:
                co_await write(*client, "HTTP/1.1 " + std::to_string(refuse_status.load()) +
                                            " No\r\nContent-Length: 2\r\n\r\nno");
                break;
            case behaviour::close_after_200:
                co_await write(*client, "HTTP/1.1 200 Connection established\r\n\r\n");
                break;
            case behaviour::stall:
                co_await drain(*client);
                break;
            case behaviour::endless_header:
                co_await endless(*client);
                break;
            case behaviour::body_after_200:
                co_await write(*client, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
                co_await drain(*client);
                break;
            case behaviour::bytes_after_200:
                co_await write(*client, "HTTP/1.1 200 OK\r\n\r\n\x16\x03\x03junk");
                co_await drain(*client);
                break;
        }
        ++ended_;
    }

    // Reads (and records) until the client closes.
    template <class Stream>
    task<void> drain(Stream& s) {
        char buf[4096];
        for (;;) {
            auto [ec, n] = co_await s.async_read_some(boost::asio::buffer(buf), tuple);
            record(std::string_view(buf, n));
            if (ec) {
                co_return;
            }
        }
    }

    template <class Stream>
    task<void> endless(Stream& s) {
        co_await write(s, "HTTP/1.1 200 OK\r\n");
        const std::string line = "X-Filler: " + std::string(100, 'x') + "\r\n";
        for (;;) {
            auto [ec, _] = co_await boost::asio::async_write(s, boost::asio::buffer(line), tuple);
            if (ec) {
                co_return;
            }
            endless_sent_ += line.size();
            if (endless_sent_ > 64 * 1024 * 1024) {
                co_return;  // the client never stopped reading: the test fails on the count
            }
        }
    }

    template <class From, class To>
    task<void> relay(std::shared_ptr<From> from, std::shared_ptr<To> to, bool from_client) {
        char buf[16 * 1024];
        for (;;) {
            auto [ec, n] = co_await from->async_read_some(boost::asio::buffer(buf), tuple);
            if (from_client) {
                record(std::string_view(buf, n));
            }
            if (ec) {
                break;
            }
            auto [wec, _] =
                co_await boost::asio::async_write(*to, boost::asio::buffer(buf, n), tuple);
            if (wec) {
                break;
            }
        }
        boost::system::error_code ignored;
        to->lowest_layer().shutdown(tcp::socket::shutdown_send, ignored);
    }

    template <class Stream>
    task<void> tunnel(std::shared_ptr<Stream> client, std::string early) {
        auto upstream = std::make_shared<tcp::socket>(ioc_);
        auto [ec] = co_await upstream->async_connect(
            {boost::asio::ip::make_address("127.0.0.1"), upstream_port_}, tuple);
        if (ec) {
            co_await write(*client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
            co_return;
        }
        co_await write(*client, "HTTP/1.1 200 Connection established\r\n\r\n");
        if (!early.empty()) {
            co_await write(*upstream, early);  // sent before the 200: pass it on
        }
        boost::asio::co_spawn(ioc_, relay(upstream, client, false), boost::asio::detached);
        co_await relay(client, upstream, true);
    }

    std::uint16_t upstream_port_;
    std::optional<boost::asio::ssl::context> tls_;
    boost::asio::io_context ioc_;
    tcp::acceptor acceptor_;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::string raw_;
    std::vector<std::string> requests_;
    std::string required_authorization_;
    std::atomic<std::size_t> connections_{0};
    std::atomic<std::size_t> endless_sent_{0};
    std::atomic<std::size_t> ended_{0};
};

}  // namespace stytch::test
