#pragma once

// TLS over an Asio TCP socket, with OpenSSL driven directly. asio::ssl::stream keeps 68 KiB of
// buffers per connection (two 17 KiB engine buffers and a BIO pair of two more) and runs each
// record through a chain of composed operations; here a BIO of our own reads from and writes to
// two small buffers that the socket fills and drains, so an idle connection holds a few KiB and a
// record is copied once less each way. Socket I/O stays ordinary async_read_some/async_write
// (readiness is never awaited separately), and errors are mapped as asio::ssl maps them.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stytch/error.hpp>

#include "transport/record_framing.hpp"

namespace stytch::detail {

/// The bytes between OpenSSL and the socket: ciphertext read but not yet consumed by OpenSSL,
/// and ciphertext OpenSSL produced but not yet written.
struct tls_buffers {
    boost::beast::flat_buffer in;
    std::string out;
    record_framing taken;  ///< of the ciphertext OpenSSL took from `in`
};

/// A new SSL object for `ctx` whose BIO reads from `b.in` and writes to `b.out`.
/// @throws std::bad_alloc when OpenSSL cannot allocate.
SSL* new_buffered_ssl(SSL_CTX* ctx, tls_buffers& b);

/// What the peer of an idle TLS connection did since its last answer, checked without waiting:
/// what the socket `fd` holds is read into `b.in` and given to OpenSSL. Empty when nothing but
/// records without application data arrived (TLS 1.3 session tickets, key updates: absorbed);
/// otherwise `error::unsolicited_answer` for data or part of a record, `asio::error::eof` for
/// close_notify or EOF, the TLS error for an alert, the socket's error for a reset.
boost::system::error_code check_idle_tls(SSL* ssl, tls_buffers& b, int fd) noexcept;

/// check_idle_tls for a session carried over another one (`lower` with its buffers `lb`, TLS
/// to an https proxy): what the socket holds goes through `lower`, whose plaintext is this
/// session's ciphertext; the lower session must be left with nothing pending either.
boost::system::error_code check_idle_tls_over(SSL* ssl, tls_buffers& b, SSL* lower, tls_buffers& lb,
                                              int fd) noexcept;

/// The error for an OpenSSL failure, as asio::ssl reports it. `ssl_error` is SSL_get_error's
/// answer, `lib_error` the first entry of the OpenSSL error queue (0 if none).
boost::system::error_code map_tls_error(int ssl_error, unsigned long lib_error);

/// Empties this thread's OpenSSL error queue for SSL_get_error. Looks first: it is nearly
/// always empty, and ERR_clear_error resets every slot.
inline void clear_tls_errors() noexcept {
    if (ERR_peek_error() != 0) {
        ERR_clear_error();
    }
}

template <class Executor>
class tls_stream {
  public:
    using socket_type = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;
    template <class T>
    using task = boost::asio::awaitable<T, Executor>;

    tls_stream(const Executor& ex, boost::asio::ssl::context& ctx)
        : socket_(ex), ssl_(new_buffered_ssl(ctx.native_handle(), buffers_)) {}

    tls_stream(const tls_stream&) = delete;  // the BIO points at buffers_
    tls_stream& operator=(const tls_stream&) = delete;

    /// The TCP socket under this session (under `lower` when carried over one).
    socket_type& socket() noexcept { return lower_ ? lower_->socket() : socket_; }

    /// From now on this session's ciphertext travels through `lower` instead of the socket:
    /// TLS to the API inside TLS to an HTTPS proxy. `lower` must outlive this stream.
    void carry_over(tls_stream& lower) noexcept { lower_ = &lower; }

    /// Gives OpenSSL's record buffers (about 33 KiB) back to the heap; it allocates them again
    /// when the connection is next used. Kept otherwise: SSL_MODE_RELEASE_BUFFERS would free
    /// and allocate them on every record.
    void release_buffers() noexcept {
        SSL_free_buffers(ssl_.get());
        buffers_.in.shrink_to_fit();
        sending_.shrink_to_fit();
    }
    SSL* native_handle() noexcept { return ssl_.get(); }

    /// True while ciphertext is being written to the socket (cancelling the socket's
    /// operations then would cut a record).
    bool writing() const noexcept { return flushing_ || (lower_ && lower_->writing()); }

    /// True when ciphertext or plaintext received waits in our buffer or inside OpenSSL (of
    /// this session or of the one it is carried over).
    bool holds_input() const noexcept {
        return buffers_.in.size() != 0 || !buffers_.taken.at_boundary() ||
               SSL_has_pending(ssl_.get()) != 0 || (lower_ && lower_->holds_input());
    }

    /// See check_idle_tls (check_idle_tls_over when carried over another session). Call only
    /// while no operation is pending.
    boost::system::error_code check_idle() noexcept {
        if (lower_) {
            return check_idle_tls_over(ssl_.get(), buffers_, lower_->ssl_.get(), lower_->buffers_,
                                       lower_->socket().native_handle());
        }
        return check_idle_tls(ssl_.get(), buffers_, socket_.native_handle());
    }

    /// The client side of the handshake (peer verification as configured on the SSL object).
    task<std::pair<boost::system::error_code, std::size_t>> async_handshake() {
        SSL_set_connect_state(ssl_.get());
        return perform(op::handshake, nullptr, 0);
    }

    /// Writes all of `data` (OpenSSL writes whole records unless partial writes are enabled).
    /// Seals `data` before returning when OpenSSL can (it nearly always can once the handshake
    /// is done): then only the socket write is left to await, one coroutine frame less.
    task<std::pair<boost::system::error_code, std::size_t>> async_write(std::string_view data) {
        char* bytes = const_cast<char*>(data.data());
        const sealing s = seal(op::write, bytes, data.size());
        if (s.ec) {
            return failed(s.ec);
        }
        if (s.err != SSL_ERROR_NONE) {
            return perform(op::write, bytes, data.size());  // OpenSSL asks for the same call again
        }
        return flush_output(s.done);
    }

    /// Sends a close_notify alert and writes it, without waiting for the peer's (the caller
    /// closes the socket soon after). Writing after it fails.
    task<boost::system::error_code> async_shutdown() {
        clear_tls_errors();
        // 0: ours is sealed into the output, the peer's not received; 1: both. Below 0 the
        // session failed before: nothing polite is left to say.
        if (SSL_shutdown(ssl_.get()) < 0) {
            const unsigned long lib_error = ERR_get_error();
            clear_tls_errors();
            co_return map_tls_error(SSL_ERROR_SSL, lib_error);
        }
        auto [wec, _] = co_await flush_output();
        co_return wec;
    }

    /// Reads at least one byte of plaintext into `buffer`.
    task<std::pair<boost::system::error_code, std::size_t>> async_read_some(
        boost::asio::mutable_buffer buffer) {
        return perform(op::read, static_cast<char*>(buffer.data()), buffer.size());
    }

  private:
    enum class op { handshake, read, write };
    static constexpr auto use_tuple =
        boost::asio::as_tuple(boost::asio::use_awaitable_t<Executor>{});
    // Ciphertext asked of each socket read: a few-KB answer arrives in one read, and the
    // buffer an idle connection keeps stays small.
    static constexpr std::size_t read_size = 4 * 1024;
    // Sealed bytes not yet written, beyond what the current write itself seals: far above a
    // burst of HTTP/2 control frames, far below what a flood would pile up.
    static constexpr std::size_t max_unsent = 256 * 1024;

    struct ssl_free {
        void operator()(SSL* s) const noexcept { SSL_free(s); }
    };

    int call(op o, char* data, std::size_t size, std::size_t& done) {
        switch (o) {
            case op::handshake:
                return SSL_do_handshake(ssl_.get());
            case op::read:
                return SSL_read_ex(ssl_.get(), data, size, &done);
            case op::write:
                return SSL_write_ex(ssl_.get(), data, size, &done);
        }
        return 0;
    }

    // What one call into OpenSSL did: `err` is SSL_ERROR_NONE or asks to wait for the socket,
    // unless `ec` says the operation failed.
    struct sealing {
        int err;
        std::size_t done;
        boost::system::error_code ec;
    };

    sealing seal(op o, char* data, std::size_t size) {
        std::size_t done = 0;
        clear_tls_errors();
        const int r = call(o, data, size, done);
        const int err = r > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), r);
        const unsigned long lib_error = err == SSL_ERROR_NONE ? 0 : ERR_get_error();
        if (err != SSL_ERROR_NONE && err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            return {err, 0, map_tls_error(err, lib_error)};
        }
        // What the peer made OpenSSL seal (answers to KeyUpdate requests) while another
        // operation's write is stuck on a peer that reads nothing: bounded.
        if (buffers_.out.size() > max_unsent + (o == op::write ? size : 0)) {
            return {err, 0, error::send_buffer_limit};
        }
        return {err, done, {}};
    }

    static task<std::pair<boost::system::error_code, std::size_t>> failed(
        boost::system::error_code ec) {
        co_return std::pair{ec, std::size_t{0}};
    }

    // Runs one OpenSSL operation to completion: what it writes goes to the socket, what it
    // wants to read comes from the socket.
    task<std::pair<boost::system::error_code, std::size_t>> perform(op o, char* data,
                                                                    std::size_t size) {
        namespace asio = boost::asio;
        for (;;) {
            const sealing s = seal(o, data, size);
            if (s.ec) {
                co_return std::pair{s.ec, std::size_t{0}};
            }
            if (!buffers_.out.empty()) {
                if (auto [wec, _] = co_await flush_output(); wec) {
                    co_return std::pair{wec, std::size_t{0}};
                }
            }
            const int err = s.err;
            if (err == SSL_ERROR_NONE) {
                co_return std::pair{boost::system::error_code{}, s.done};
            }
            if (err == SSL_ERROR_WANT_READ) {
                boost::system::error_code rec;
                std::size_t n = 0;
                if (lower_) {
                    std::tie(rec, n) =
                        co_await lower_->async_read_some(buffers_.in.prepare(read_size));
                } else {
                    std::tie(rec, n) =
                        co_await socket_.async_read_some(buffers_.in.prepare(read_size), use_tuple);
                }
                buffers_.in.commit(n);
                if (rec == asio::error::eof) {
                    // The peer closed in the middle of a record or without close_notify.
                    rec = (SSL_get_shutdown(ssl_.get()) & SSL_RECEIVED_SHUTDOWN)
                              ? rec
                              : boost::system::error_code(asio::ssl::error::stream_truncated);
                }
                if (rec) {
                    co_return std::pair{rec, std::size_t{0}};
                }
            }
        }
    }

    // Writes what OpenSSL sealed, in order. A read and a write may be pending at once (HTTP/2)
    // and both can make OpenSSL seal records (a read: the answer to a TLS 1.3 KeyUpdate); only
    // one of them writes to the socket at a time, and it also sends what the other sealed
    // meanwhile, so records leave in the order of their sequence numbers. The bytes move to
    // `sending_` first: OpenSSL may append to `out` while they are being written. Yields
    // `done` unless the socket write failed (the plaintext those records sealed).
    task<std::pair<boost::system::error_code, std::size_t>> flush_output(std::size_t done = 0) {
        namespace asio = boost::asio;
        if (flushing_) {
            co_return std::pair{boost::system::error_code{}, done};  // sent by the running flush
        }
        flushing_ = true;
        boost::system::error_code wec;
        while (!wec && !buffers_.out.empty()) {
            sending_.swap(buffers_.out);
            if (lower_) {
                std::tie(wec, std::ignore) = co_await lower_->async_write(sending_);
            } else {
                std::tie(wec, std::ignore) =
                    co_await asio::async_write(socket_, asio::buffer(sending_), use_tuple);
            }
            sending_.clear();
        }
        flushing_ = false;
        co_return std::pair{wec, wec ? std::size_t{0} : done};
    }

    socket_type socket_;  // unused when lower_ is set
    tls_stream* lower_ = nullptr;
    tls_buffers buffers_;
    std::string sending_;    // ciphertext being written (see flush_output)
    bool flushing_ = false;  // a flush_output is writing
    std::unique_ptr<SSL, ssl_free> ssl_;
};

}  // namespace stytch::detail
