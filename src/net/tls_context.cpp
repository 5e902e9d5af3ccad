#include "net/tls_context.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace stytch::detail {

namespace ssl = boost::asio::ssl;

ssl::context make_tls_context(const client_config& cfg) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    // A TLS 1.2 server may ask to renegotiate at any time, an idle connection included; like
    // Go's default client, refuse (a warning alert), so a server's handshake never starts in
    // the middle of the client's own reads.
    SSL_CTX_set_options(ctx.native_handle(), SSL_OP_NO_RENEGOTIATION);
    ctx.set_verify_mode(ssl::verify_peer);

    boost::system::error_code ec;
    ctx.set_default_verify_paths(ec);  // a machine without a trust store still works with ca_file
    if (!cfg.ca_file.empty()) {
        ctx.load_verify_file(cfg.ca_file, ec);
        if (ec) {
            BOOST_THROW_EXCEPTION(boost::system::system_error(ec, "loading ca_file"));
        }
    }
    return ctx;
}

bool set_expected_peer(SSL* ssl, const std::string& host) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    // The SAN only, never the subject CN (RFC 6125 §6.4.4; browsers, Go since 1.15).
    X509_VERIFY_PARAM_set_hostflags(
        param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    if (!ec) {
        // RFC 6066: no SNI for IP literals; the certificate must carry the IP as a SAN.
        return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
    }
    return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 &&
           X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1;
}

}  // namespace stytch::detail
