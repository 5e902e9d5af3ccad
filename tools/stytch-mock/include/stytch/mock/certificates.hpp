#pragma once

/// @file
/// Run-time generation of TLS material for tests: a fresh self-signed CA and a server
/// certificate it signs. Nothing is read from or written to disk.

#include <chrono>
#include <string>
#include <vector>

namespace stytch::mock {

/// PEM-encoded TLS material for a server.
struct tls_identity {
    /// The CA that signed `certificate_pem`; give it to clients as their trust anchor.
    /// Empty when the identity was loaded from files without a CA.
    std::string ca_certificate_pem;
    /// The server (leaf) certificate, optionally followed by intermediates.
    std::string certificate_pem;
    /// The leaf's private key (PKCS#8, unencrypted).
    std::string private_key_pem;
};

/// What `make_tls_identity` puts in the leaf certificate.
struct certificate_options {
    /// subjectAltName DNS entries; the first one is also the subject's common name.
    std::vector<std::string> dns_names{"localhost"};
    /// subjectAltName IP entries (IPv4 or IPv6 text form). With no DNS and no IP entry the
    /// leaf has no subjectAltName extension at all.
    std::vector<std::string> ip_addresses{"127.0.0.1"};
    /// The subject's common name. Empty: the first DNS entry, else the first IP entry, else
    /// "stytch-mock".
    std::string common_name;
    /// notBefore, relative to now.
    std::chrono::seconds not_before_offset{-3600};
    /// notAfter - notBefore. With `not_before_offset + validity < 0` the leaf is already
    /// expired; with a positive `not_before_offset` it is not yet valid. The CA is always
    /// valid now, so verification fails on the leaf alone.
    std::chrono::seconds validity{std::chrono::hours(24)};
};

/// Generates a fresh self-signed CA (EC P-256, basicConstraints CA:TRUE, keyUsage keyCertSign)
/// and a leaf (EC P-256) it signs with the SAN entries of `options` and extendedKeyUsage
/// serverAuth. Thread-safe. Throws std::runtime_error on any failure (including an invalid
/// IP address).
tls_identity make_tls_identity(const certificate_options& options = {});

}  // namespace stytch::mock
