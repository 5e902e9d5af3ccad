// How OpenSSL failures become error codes in the client's own TLS layer: as asio::ssl reports
// them, so callers and the retry rules see the same codes either way.

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "transport/tls_stream.hpp"

namespace asio = boost::asio;
using stytch::detail::map_tls_error;

BOOST_AUTO_TEST_SUITE(tls_errors)

BOOST_AUTO_TEST_CASE(close_notify_is_eof) {
    BOOST_TEST((map_tls_error(SSL_ERROR_ZERO_RETURN, 0) == asio::error::eof));
}

BOOST_AUTO_TEST_CASE(a_close_without_close_notify_is_stream_truncated) {
    BOOST_TEST((map_tls_error(SSL_ERROR_SYSCALL, 0) == asio::ssl::error::stream_truncated));
    const auto unexpected_eof = ERR_PACK(ERR_LIB_SSL, 0, SSL_R_UNEXPECTED_EOF_WHILE_READING);
    BOOST_TEST(
        (map_tls_error(SSL_ERROR_SSL, unexpected_eof) == asio::ssl::error::stream_truncated));
}

BOOST_AUTO_TEST_CASE(protocol_and_verification_failures_keep_openssls_code) {
    const auto verify_failed = ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERTIFICATE_VERIFY_FAILED);
    const auto ec = map_tls_error(SSL_ERROR_SSL, verify_failed);
    BOOST_TEST((ec.category() == asio::error::get_ssl_category()));
    BOOST_TEST(static_cast<unsigned long>(ec.value()) == verify_failed);
}

BOOST_AUTO_TEST_CASE(a_failure_without_details_is_still_an_error) {
    BOOST_TEST((map_tls_error(SSL_ERROR_SSL, 0) == asio::ssl::error::unspecified_system_error));
}

BOOST_AUTO_TEST_SUITE_END()
