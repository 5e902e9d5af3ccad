#pragma once

// TLS client settings: one SSL_CTX per client, peer verification always on.

#include <boost/asio/ssl/context.hpp>
#include <boost/system/result.hpp>

#include <string>

#include <stytch/config.hpp>

#include "transport/alpn.hpp"

namespace stytch::detail {

/// TLS >= 1.2, peer verification, system trust store plus `cfg.ca_file` when set, the client
/// certificate when set, the ALPN offer of `cfg.http_version`, then `cfg.tls_context_hook`.
/// @throws boost::system::system_error when a file cannot be loaded, the key does not match
/// the certificate, or the hook turned peer verification off.
boost::asio::ssl::context make_tls_context(const client_config& cfg);

/// For the session with an https proxy: TLS >= 1.2, peer verification against the system trust
/// store plus `cfg.ca_file`; no client certificate, no hook.
/// @throws boost::system::system_error when the CA file cannot be loaded.
boost::asio::ssl::context make_proxy_tls_context(const client_config& cfg);

/// Sets SNI (DNS names only) and the name or IP address the peer certificate must match.
/// @returns false when OpenSSL refuses the settings.
bool set_expected_peer(SSL* ssl, const std::string& host);

/// After the handshake of a session made from make_tls_context(): what the connection speaks,
/// given the server's ALPN choice and the context's `http_version`.
boost::system::result<wire_protocol> negotiated_protocol(SSL* ssl);

/// `ec`, a failed handshake of `ssl`, or `error::http2_not_negotiated` when the client required
/// HTTP/2 and the server refused the ALPN offer with a `no_application_protocol` alert.
boost::system::error_code explain_handshake_failure(SSL* ssl, boost::system::error_code ec);

}  // namespace stytch::detail
