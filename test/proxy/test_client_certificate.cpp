// Mutual TLS against the mock requiring a client certificate, and the SSL_CTX hook.

#include <boost/asio/ssl/error.hpp>
#include <boost/system/system_error.hpp>

#include <openssl/ssl.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/calls.hpp"
#include "support/process.hpp"

using namespace stytch;
using namespace stytch::test;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Two client CAs, each with a client certificate (extendedKeyUsage clientAuth), made with
// the openssl command in a fresh directory.
struct client_pki {
    client_pki() : dir(fs::path(temp_path("stytch-mtls")).replace_extension()) {
        fs::create_directories(dir);
        std::ofstream(dir / "make.sh") << R"(set -e
for n in a b; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=client-ca-$n -keyout ca-$n.key -out ca-$n.pem \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=client-$n \
    -keyout client-$n.key -out client-$n.csr
  printf 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n' > client.ext
  openssl x509 -req -in client-$n.csr -CA ca-$n.pem -CAkey ca-$n.key -CAcreateserial \
    -days 2 -extfile client.ext -out client-$n.pem
done
)";
        const std::string run = "cd '" + dir.string() + "' && bash make.sh 2>/dev/null";
        BOOST_REQUIRE(std::system(run.c_str()) == 0);
    }
    ~client_pki() { fs::remove_all(dir); }
    std::string file(const std::string& name) const { return (dir / name).string(); }
    fs::path dir;
};

mock::server_options requiring(const client_pki& pki) {
    mock::server_options so;
    so.client_ca_pem = read_file(pki.file("ca-a.pem"));
    return so;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mutual_tls)

BOOST_AUTO_TEST_CASE(a_client_certificate_from_the_trusted_ca_is_accepted) {
    client_pki pki;
    server_fixture f(requiring(pki));
    auto cfg = fast_config(f);
    cfg.client_certificate_file = pki.file("client-a.pem");
    cfg.client_key_file = pki.file("client-a.key");
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_TEST(r.has_value(), (r.has_value() ? "" : r.error().code.message()));
    BOOST_TEST(f.server.requests_received() == 1u);
}

BOOST_AUTO_TEST_CASE(no_certificate_or_another_ca_is_refused_by_the_server) {
    client_pki pki;
    for (const std::string which : {"", "b"}) {
        server_fixture f(requiring(pki));
        auto cfg = fast_config(f);
        cfg.retry.max_attempts = 1;
        if (!which.empty()) {
            cfg.client_certificate_file = pki.file("client-" + which + ".pem");
            cfg.client_key_file = pki.file("client-" + which + ".key");
        }
        client c(f.ioc.get_executor(), cfg);
        auto r = call(f, c);
        BOOST_REQUIRE(!r.has_value());
        // TLS 1.3: the server's alert arrives after the client's handshake: on the first read,
        // or already before the request, seen by the check for bytes out of turn.
        const auto ec = r.error().code;
        BOOST_TEST((ec.category() == boost::asio::error::get_ssl_category() ||
                    ec == boost::asio::ssl::error::stream_truncated ||
                    ec == boost::asio::error::connection_reset || ec == error::unsolicited_answer),
                   ec.message());
        BOOST_TEST(f.server.requests_received() == 0u);
    }
}

BOOST_AUTO_TEST_CASE(key_in_the_certificate_file_is_found) {
    client_pki pki;
    server_fixture f(requiring(pki));
    const std::string both = pki.file("both.pem");
    std::ofstream(both) << read_file(pki.file("client-a.pem"))
                        << read_file(pki.file("client-a.key"));
    auto cfg = fast_config(f);
    cfg.client_certificate_file = both;
    client c(f.ioc.get_executor(), cfg);
    BOOST_TEST(call(f, c).has_value());
}

BOOST_AUTO_TEST_CASE(unusable_files_fail_at_construction) {
    client_pki pki;
    server_fixture f;
    auto cfg = fast_config(f);
    cfg.client_certificate_file = pki.file("client-a.pem");
    cfg.client_key_file = pki.file("client-b.key");  // another key
    BOOST_CHECK_THROW(client(f.ioc.get_executor(), cfg), boost::system::system_error);
    cfg.client_key_file = pki.file("missing.key");
    BOOST_CHECK_THROW(client(f.ioc.get_executor(), cfg), boost::system::system_error);
    cfg.client_certificate_file = pki.file("missing.pem");
    cfg.client_key_file.clear();
    BOOST_CHECK_THROW(client(f.ioc.get_executor(), cfg), boost::system::system_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tls_context_hook)

BOOST_AUTO_TEST_CASE(runs_once_and_its_settings_apply) {
    server_fixture f;
    auto cfg = fast_config(f);
    cfg.retry.max_attempts = 1;
    auto calls = std::make_shared<std::atomic<int>>(0);
    // Pinning that pins nothing: every certificate is refused by the hook's callback.
    cfg.tls_context_hook = [calls](ssl_ctx_st* ctx) {
        ++*calls;
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 0; });
    };
    client c(f.ioc.get_executor(), cfg);
    BOOST_TEST(calls->load() == 1);
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error().code.category() == boost::asio::error::get_ssl_category()));
    BOOST_TEST(f.server.requests_received() == 0u);
    BOOST_TEST(calls->load() == 1);
}

BOOST_AUTO_TEST_CASE(a_hook_that_leaves_verification_on_changes_nothing_else) {
    server_fixture f;
    auto cfg = fast_config(f);
    cfg.tls_context_hook = [](ssl_ctx_st* ctx) {
        SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM");
        SSL_CTX_set_ciphersuites(ctx, "TLS_AES_256_GCM_SHA384");
    };
    client c(f.ioc.get_executor(), cfg);
    BOOST_TEST(call(f, c).has_value());
}

BOOST_AUTO_TEST_CASE(turning_verification_off_is_refused) {
    server_fixture f;
    auto cfg = fast_config(f);
    cfg.tls_context_hook = [](ssl_ctx_st* ctx) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    };
    try {
        client c(f.ioc.get_executor(), cfg);
        BOOST_FAIL("constructed");
    } catch (const boost::system::system_error& e) {
        BOOST_TEST((e.code() == error::invalid_config));
    }
}

BOOST_AUTO_TEST_SUITE_END()
