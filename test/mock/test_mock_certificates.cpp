// The mock's run-time CA and server certificate (stytch/mock/certificates.hpp), checked with
// OpenSSL's own verification, and a client refusing an expired one.

#include <boost/test/unit_test.hpp>

#include <stytch/mock/certificates.hpp>
#include <stytch/mock/server.hpp>

#include "mock/raw_tls_client.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "support/server.hpp"

using namespace std::chrono_literals;
using namespace stytch::mock;
using namespace stytch::mock::testing;
using stytch::test::eventually;

namespace {

struct x509_deleter {
    void operator()(X509* p) const { X509_free(p); }
};
using x509_ptr = std::unique_ptr<X509, x509_deleter>;

x509_ptr load_certificate(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    BOOST_TEST_REQUIRE(bio != nullptr);
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    BOOST_TEST_REQUIRE(cert != nullptr);
    return x509_ptr(cert);
}

/// X509_verify_cert of `leaf` against `ca` alone; returns X509_V_OK or the error.
int verify(X509* ca, X509* leaf) {
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, ca);
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, leaf, nullptr);
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
    const int ok = X509_verify_cert(ctx);
    const int result = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(certificates)

BOOST_AUTO_TEST_CASE(ca_verifies_leaf_with_san_and_server_auth) {
    const auto id = stytch::mock::make_tls_identity();
    auto ca = load_certificate(id.ca_certificate_pem);
    auto leaf = load_certificate(id.certificate_pem);

    BOOST_TEST(verify(ca.get(), leaf.get()) == X509_V_OK);
    BOOST_TEST(X509_check_ca(ca.get()) >= 1);
    BOOST_TEST(X509_check_ca(leaf.get()) == 0);
    BOOST_TEST((X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN) != 0u);
    BOOST_TEST((X509_get_extended_key_usage(leaf.get()) & XKU_SSL_SERVER) != 0u);
    BOOST_TEST(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr) == 1);
    BOOST_TEST(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0) == 1);
    BOOST_TEST(X509_check_host(leaf.get(), "example.com", 0, 0, nullptr) != 1);

    // The private key belongs to the leaf.
    BIO* bio =
        BIO_new_mem_buf(id.private_key_pem.data(), static_cast<int>(id.private_key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    BOOST_TEST_REQUIRE(key != nullptr);
    BOOST_TEST(X509_check_private_key(leaf.get(), key) == 1);
    BOOST_TEST(EVP_PKEY_get_base_id(key) == EVP_PKEY_EC);
    EVP_PKEY_free(key);

    // Every call makes a fresh CA.
    const auto other = stytch::mock::make_tls_identity();
    auto other_ca = load_certificate(other.ca_certificate_pem);
    BOOST_TEST(verify(other_ca.get(), leaf.get()) != X509_V_OK);
}

BOOST_AUTO_TEST_CASE(custom_names) {
    stytch::mock::certificate_options options;
    options.dns_names = {"mock.test", "*.mock.test"};
    options.ip_addresses = {"::1", "10.1.2.3"};
    const auto id = stytch::mock::make_tls_identity(options);
    auto ca = load_certificate(id.ca_certificate_pem);
    auto leaf = load_certificate(id.certificate_pem);
    BOOST_TEST(verify(ca.get(), leaf.get()) == X509_V_OK);
    BOOST_TEST(X509_check_host(leaf.get(), "mock.test", 0, 0, nullptr) == 1);
    BOOST_TEST(X509_check_host(leaf.get(), "api.mock.test", 0, 0, nullptr) == 1);
    BOOST_TEST(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr) != 1);
    BOOST_TEST(X509_check_ip_asc(leaf.get(), "::1", 0) == 1);
    BOOST_TEST(X509_check_ip_asc(leaf.get(), "10.1.2.3", 0) == 1);
    BOOST_TEST(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0) != 1);
}

BOOST_AUTO_TEST_CASE(common_name_without_any_san) {
    stytch::mock::certificate_options options;
    options.dns_names.clear();
    options.ip_addresses.clear();
    options.common_name = "localhost";
    auto leaf = load_certificate(stytch::mock::make_tls_identity(options).certificate_pem);
    BOOST_TEST(X509_get_ext_by_NID(leaf.get(), NID_subject_alt_name, -1) == -1);
    std::array<char, 64> cn{};
    BOOST_TEST(X509_NAME_get_text_by_NID(X509_get_subject_name(leaf.get()), NID_commonName,
                                         cn.data(), static_cast<int>(cn.size())) > 0);
    BOOST_TEST(std::string(cn.data()) == "localhost");
    // Matches only when a verifier falls back to the CN.
    BOOST_TEST(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr) == 1);
    BOOST_TEST(X509_check_host(leaf.get(), "localhost", 0, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
                               nullptr) != 1);
}

BOOST_AUTO_TEST_CASE(invalid_ip_address_throws) {
    stytch::mock::certificate_options options;
    options.ip_addresses = {"not-an-ip"};
    BOOST_CHECK_THROW(stytch::mock::make_tls_identity(options), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(expired_and_not_yet_valid) {
    stytch::mock::certificate_options expired;
    expired.not_before_offset = -48h;
    expired.validity = 24h;
    auto id = stytch::mock::make_tls_identity(expired);
    BOOST_TEST(verify(load_certificate(id.ca_certificate_pem).get(),
                      load_certificate(id.certificate_pem).get()) == X509_V_ERR_CERT_HAS_EXPIRED);

    stytch::mock::certificate_options negative;
    negative.not_before_offset = 0s;
    negative.validity = -1h;
    id = stytch::mock::make_tls_identity(negative);
    BOOST_TEST(verify(load_certificate(id.ca_certificate_pem).get(),
                      load_certificate(id.certificate_pem).get()) == X509_V_ERR_CERT_HAS_EXPIRED);

    stytch::mock::certificate_options future;
    future.not_before_offset = 1h;
    id = stytch::mock::make_tls_identity(future);
    BOOST_TEST(verify(load_certificate(id.ca_certificate_pem).get(),
                      load_certificate(id.certificate_pem).get()) == X509_V_ERR_CERT_NOT_YET_VALID);
}

BOOST_AUTO_TEST_CASE(client_rejects_server_with_expired_certificate) {
    stytch::mock::certificate_options expired;
    expired.not_before_offset = -48h;
    expired.validity = 1h;
    server_options opts;
    opts.identity = stytch::mock::make_tls_identity(expired);
    server srv(opts);
    tls_client client(srv);
    BOOST_TEST(client.connect().failed());
    client.close();
    BOOST_TEST(eventually([&] { return srv.connections_open() == 0; }));
    BOOST_TEST(srv.requests().empty());
}

BOOST_AUTO_TEST_SUITE_END()
