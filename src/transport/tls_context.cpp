#include "transport/tls_context.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

#include <stytch/error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <string_view>

namespace stytch::detail {

namespace ssl = boost::asio::ssl;

namespace {

// TLS >= 1.2, peer verification, the system trust store and `cfg.ca_file`.
ssl::context verifying_context(const client_config& cfg) {
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

// The index of the SSL_CTX ex_data slot holding the configured http_version (as an integer
// stored in the pointer); contexts without it are `automatic`.
int http_version_slot() {
    static const int slot = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return slot;
}

void offer_alpn(SSL_CTX* ctx, http_version v) {
    const std::string_view offer = alpn_offer(v);
    // Unlike most of OpenSSL, 0 means success here.
    if (SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(offer.data()),
                                static_cast<unsigned>(offer.size())) != 0 ||
        SSL_CTX_set_ex_data(ctx, http_version_slot(),
                            reinterpret_cast<void*>(static_cast<std::uintptr_t>(v) + 1)) != 1) {
        BOOST_THROW_EXCEPTION(boost::system::system_error(make_error_code(error::invalid_config),
                                                          "setting the ALPN protocols"));
    }
}

}  // namespace

boost::system::result<wire_protocol> negotiated_protocol(SSL* ssl) {
    const unsigned char* selected = nullptr;
    unsigned size = 0;
    SSL_get0_alpn_selected(ssl, &selected, &size);
    const auto stored = reinterpret_cast<std::uintptr_t>(
        SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), http_version_slot()));
    const auto wanted = stored == 0 ? http_version::automatic : http_version(stored - 1);
    return negotiated_protocol(
        wanted, std::string_view(reinterpret_cast<const char*>(selected), selected ? size : 0));
}

boost::system::error_code explain_handshake_failure(SSL* ssl, boost::system::error_code ec) {
    // Servers that cannot meet the ALPN offer (nginx since 1.21.4) refuse the handshake with
    // this alert rather than selecting nothing; with only h2 offered, that is the answer.
    const auto stored = reinterpret_cast<std::uintptr_t>(
        SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), http_version_slot()));
    if (stored == static_cast<std::uintptr_t>(http_version::http2) + 1 &&
        ec.category() == boost::asio::error::get_ssl_category() &&
        ERR_GET_REASON(static_cast<unsigned long>(ec.value())) ==
            SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL) {
        return error::http2_not_negotiated;
    }
    return ec;
}

ssl::context make_tls_context(const client_config& cfg) {
    ssl::context ctx = verifying_context(cfg);
    boost::system::error_code ec;
    if (!cfg.client_certificate_file.empty()) {
        const auto& key =
            cfg.client_key_file.empty() ? cfg.client_certificate_file : cfg.client_key_file;
        ctx.use_certificate_chain_file(cfg.client_certificate_file, ec);
        if (!ec) {
            ctx.use_private_key_file(key, ssl::context::pem, ec);
        }
        if (!ec && SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
            ec = error::invalid_config;  // the key does not belong to the certificate
        }
        if (ec) {
            BOOST_THROW_EXCEPTION(
                boost::system::system_error(ec, "loading client_certificate_file/client_key_file"));
        }
    }
    offer_alpn(ctx.native_handle(), cfg.http_version);
    if (cfg.tls_context_hook) {
        cfg.tls_context_hook(ctx.native_handle());
        if ((SSL_CTX_get_verify_mode(ctx.native_handle()) & SSL_VERIFY_PEER) == 0) {
            BOOST_THROW_EXCEPTION(
                boost::system::system_error(make_error_code(error::invalid_config),
                                            "tls_context_hook turned off verification"));
        }
    }
    return ctx;
}

ssl::context make_proxy_tls_context(const client_config& cfg) {
    return verifying_context(cfg);
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
