#include "transport/tls_stream.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include <stytch/error.hpp>

#include <algorithm>
#include <cstring>
#include <new>

#include <sys/socket.h>
#include <sys/types.h>
#include <cerrno>

#include <openssl/bio.h>
#include <openssl/err.h>

namespace stytch::detail {

namespace {

tls_buffers& buffers_of(BIO* bio) {
    return *static_cast<tls_buffers*>(BIO_get_data(bio));
}

int bio_write(BIO* bio, const char* data, std::size_t size, std::size_t* written) {
    BIO_clear_retry_flags(bio);
    buffers_of(bio).out.append(data, size);
    *written = size;
    return 1;
}

int bio_read(BIO* bio, char* data, std::size_t size, std::size_t* read) {
    BIO_clear_retry_flags(bio);
    auto& in = buffers_of(bio).in;
    if (in.size() == 0) {
        BIO_set_retry_read(bio);  // SSL_get_error then says SSL_ERROR_WANT_READ
        *read = 0;
        return 0;
    }
    const std::size_t n = std::min(size, in.size());
    std::memcpy(data, in.data().data(), n);
    buffers_of(bio).taken.consume(reinterpret_cast<const unsigned char*>(data), n);
    in.consume(n);
    *read = n;
    return 1;
}

long bio_ctrl(BIO*, int cmd, long, void*) {
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;  // writes are flushed by the stream, not the BIO
}

int bio_create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

// Created once, kept for the life of the process, like OpenSSL's own methods.
const BIO_METHOD* buffered_bio_method() {
    static const BIO_METHOD* method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "stytch");
        if (m == nullptr || BIO_meth_set_write_ex(m, bio_write) != 1 ||
            BIO_meth_set_read_ex(m, bio_read) != 1 || BIO_meth_set_ctrl(m, bio_ctrl) != 1 ||
            BIO_meth_set_create(m, bio_create) != 1) {
            BIO_meth_free(m);
            return static_cast<BIO_METHOD*>(nullptr);
        }
        return m;
    }();
    return method;
}

}  // namespace

SSL* new_buffered_ssl(SSL_CTX* ctx, tls_buffers& b) {
    const BIO_METHOD* method = buffered_bio_method();
    SSL* ssl = method ? SSL_new(ctx) : nullptr;
    BIO* bio = ssl ? BIO_new(method) : nullptr;
    if (bio == nullptr) {
        SSL_free(ssl);
        throw std::bad_alloc();
    }
    BIO_set_data(bio, &b);
    SSL_set_bio(ssl, bio, bio);  // one reference, owned by the SSL object
    return ssl;
}

namespace {

// A session ticket or key update is a few hundred bytes; more than a full record is never
// quiet, so reading stops there.
constexpr std::size_t quiet_step = 4 * 1024;
constexpr std::size_t quiet_enough = 16 * 1024;

// Whatever the socket holds, taken into `b.in` without waiting: an error on EOF, reset, a
// closed socket, or no memory for the bytes.
boost::system::error_code take_available(tls_buffers& b, int fd) noexcept {
    try {
        while (b.in.size() < quiet_enough) {
            auto space = b.in.prepare(quiet_step);
            const ssize_t n = ::recv(fd, space.data(), space.size(), MSG_DONTWAIT);
            if (n > 0) {
                b.in.commit(static_cast<std::size_t>(n));
                continue;
            }
            if (n == 0) {
                return boost::asio::error::eof;
            }
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return {};
            }
            return {errno, boost::system::system_category()};
        }
    } catch (const std::exception&) {
        return make_error_code(boost::system::errc::not_enough_memory);
    }
    return {};
}

// Gives what `b.in` holds to OpenSSL: empty when it was only records without application data.
boost::system::error_code only_records_without_data(SSL* ssl, tls_buffers& b) noexcept {
    if (b.in.size() == 0 && b.taken.at_boundary() && SSL_has_pending(ssl) == 0) {
        return {};
    }
    char byte;
    std::size_t got = 0;
    clear_tls_errors();
    const int r = SSL_read_ex(ssl, &byte, 1, &got);
    const int err = r == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl, r);
    const unsigned long lib_error = err == SSL_ERROR_NONE ? 0 : ERR_get_error();
    clear_tls_errors();
    if (err != SSL_ERROR_NONE && err != SSL_ERROR_WANT_READ) {
        return map_tls_error(err, lib_error);  // close_notify, an alert
    }
    if (err == SSL_ERROR_NONE || b.in.size() != 0 || !b.taken.at_boundary() ||
        SSL_has_pending(ssl) != 0) {
        return error::unsolicited_answer;  // data, or part of a record
    }
    return {};
}

}  // namespace

boost::system::error_code check_idle_tls(SSL* ssl, tls_buffers& b, int fd) noexcept {
    // What arrived before an EOF or reset says more than the end itself.
    const auto end = take_available(b, fd);
    const auto news = only_records_without_data(ssl, b);
    return news ? news : end;
}

boost::system::error_code check_idle_tls_over(SSL* ssl, tls_buffers& b, SSL* lower, tls_buffers& lb,
                                              int fd) noexcept {
    const auto end = take_available(lb, fd);
    // The lower session's plaintext is this session's ciphertext: decrypt all it holds.
    try {
        for (;;) {
            auto space = b.in.prepare(quiet_step);
            std::size_t got = 0;
            clear_tls_errors();
            const int r = SSL_read_ex(lower, space.data(), space.size(), &got);
            const int err = r == 1 ? SSL_ERROR_NONE : SSL_get_error(lower, r);
            const unsigned long lib_error = err == SSL_ERROR_NONE ? 0 : ERR_get_error();
            clear_tls_errors();
            if (err == SSL_ERROR_WANT_READ) {
                break;
            }
            if (err != SSL_ERROR_NONE) {
                return map_tls_error(err, lib_error);  // the proxy's close_notify or alert
            }
            if (b.in.size() + got >= quiet_enough) {
                return error::unsolicited_answer;  // too much to be a ticket
            }
            b.in.commit(got);
        }
    } catch (const std::exception&) {
        return make_error_code(boost::system::errc::not_enough_memory);
    }
    if (lb.in.size() != 0 || !lb.taken.at_boundary() || SSL_has_pending(lower) != 0) {
        return error::unsolicited_answer;
    }
    const auto news = only_records_without_data(ssl, b);
    return news ? news : end;
}

boost::system::error_code map_tls_error(int ssl_error, unsigned long lib_error) {
    namespace asio = boost::asio;
    switch (ssl_error) {
        case SSL_ERROR_ZERO_RETURN:
            return asio::error::eof;  // close_notify
        case SSL_ERROR_SYSCALL:
            if (lib_error == 0) {
                return asio::ssl::error::stream_truncated;
            }
            break;
        default:
            if (ERR_GET_REASON(lib_error) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
                return asio::ssl::error::stream_truncated;
            }
            break;
    }
    if (lib_error == 0) {
        return asio::ssl::error::unspecified_system_error;
    }
    return {static_cast<int>(lib_error), asio::error::get_ssl_category()};
}

}  // namespace stytch::detail
