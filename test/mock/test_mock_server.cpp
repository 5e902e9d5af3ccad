// Tests of the mock Stytch server (stytch::mock), with a small raw Beast TLS client: the client
// library is deliberately not used here.

#define BOOST_TEST_MODULE mock_server
#include <boost/test/unit_test.hpp>

#include <stytch/mock/certificates.hpp>
#include <stytch/mock/server.hpp>

#include "mock/support.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <latch>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/organization_fields.hpp"
#include "support/process.hpp"
#include "support/server.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using boost::system::error_code;
using stytch::mock::reply;
using stytch::mock::server;
using stytch::mock::server_options;
using stytch::mock::testing::base64;
using stytch::mock::testing::seeded_server;
using stytch::test::eventually;
using stytch::test::status_kib;

namespace {

const std::string acme_id = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931";
const std::string acme_slug = "acme-corp";
const std::string acme_external_id = "acme-crm-000482";

// ---------------------------------------------------------------------------------------------
// Helpers

std::string basic_auth(const std::string& user, const std::string& password) {
    return "Basic " + base64(user + ":" + password);
}

std::string api_target(std::string_view id, std::string_view prefix = "") {
    return std::string(prefix) + "/v1/b2b/organizations/" + std::string(id) + "/external_id";
}

using request_type = http::request<http::string_body>;
using response_type = http::response<http::string_body>;

request_type delete_request(const server_options& opts, std::string target) {
    request_type req{http::verb::delete_, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, basic_auth(opts.project_id, opts.secret));
    req.set(http::field::content_type, "application/json");
    req.set(http::field::user_agent, "stytch-mock-test");
    req.prepare_payload();
    return req;
}

/// A minimal blocking-style HTTPS client: each call runs the client's own io_context until the
/// operation completes or its timeout (a beast::tcp_stream expiry) fires.
class tls_client {
  public:
    explicit tls_client(const server& srv) : tls_client(srv.identity().ca_certificate_pem) {
        port_ = srv.port();
    }
    explicit tls_client(const std::string& ca_pem) {
        ctx_.add_certificate_authority(asio::buffer(ca_pem));
        ctx_.set_verify_mode(ssl::verify_peer);
    }

    void set_port(std::uint16_t port) { port_ = port; }

    error_code connect(std::chrono::milliseconds timeout = 10s) {
        stream_.emplace(ioc_, ctx_);
        stream_->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
        const tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), port_};
        if (auto ec = run(
                [&](auto handler) {
                    beast::get_lowest_layer(*stream_).async_connect(endpoint, std::move(handler));
                },
                timeout)) {
            return ec;
        }
        return handshake(timeout);
    }

    error_code connect_tcp_only(std::chrono::milliseconds timeout = 10s) {
        stream_.emplace(ioc_, ctx_);
        const tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), port_};
        return run(
            [&](auto handler) {
                beast::get_lowest_layer(*stream_).async_connect(endpoint, std::move(handler));
            },
            timeout);
    }

    error_code handshake(std::chrono::milliseconds timeout = 10s) {
        return run(
            [&](auto handler) {
                stream_->async_handshake(ssl::stream_base::client, std::move(handler));
            },
            timeout);
    }

    error_code write(request_type& req, std::chrono::milliseconds timeout = 10s) {
        return run([&](auto handler) { http::async_write(*stream_, req, std::move(handler)); },
                   timeout);
    }

    error_code write_raw(const std::string& bytes, std::chrono::milliseconds timeout = 10s) {
        return run(
            [&](auto handler) {
                asio::async_write(*stream_, asio::buffer(bytes), std::move(handler));
            },
            timeout);
    }

    /// Writes on the TCP socket under TLS.
    error_code write_plain(const std::string& bytes, std::chrono::milliseconds timeout = 10s) {
        return run(
            [&](auto handler) {
                asio::async_write(beast::get_lowest_layer(*stream_), asio::buffer(bytes),
                                  std::move(handler));
            },
            timeout);
    }

    error_code read(response_type& res, std::chrono::milliseconds timeout = 10s) {
        res = {};
        return run(
            [&](auto handler) { http::async_read(*stream_, buffer_, res, std::move(handler)); },
            timeout);
    }

    /// Reads on the TCP socket under TLS until it fails (e.g. the server closes).
    error_code read_plain_until_error(std::chrono::milliseconds timeout = 10s) {
        std::array<char, 512> sink;
        for (;;) {
            if (auto ec = run(
                    [&](auto handler) {
                        beast::get_lowest_layer(*stream_).async_read_some(asio::buffer(sink),
                                                                          std::move(handler));
                    },
                    timeout)) {
                return ec;
            }
        }
    }

    /// One read of the TLS stream (at most one TLS record's plaintext) into `out`.
    error_code read_some(std::string& out, std::chrono::milliseconds timeout = 10s) {
        std::array<char, 64 * 1024> data;
        std::size_t got = 0;
        beast::get_lowest_layer(*stream_).expires_after(timeout);
        error_code result;
        stream_->async_read_some(asio::buffer(data), [&](error_code ec, std::size_t n) {
            result = ec;
            got = n;
        });
        ioc_.restart();
        ioc_.run();
        out.assign(data.data(), got);
        return result;
    }

    /// Writes `req` and reads the answer; throws when either fails.
    response_type exchange(request_type req, std::chrono::milliseconds timeout = 10s) {
        if (auto ec = write(req, timeout)) {
            throw boost::system::system_error(ec, "write");
        }
        response_type res;
        if (auto ec = read(res, timeout)) {
            throw boost::system::system_error(ec, "read");
        }
        return res;
    }

    void close() {
        if (stream_) {
            beast::get_lowest_layer(*stream_).close();
        }
    }

  private:
    template <class Initiate>
    error_code run(Initiate initiate, std::chrono::milliseconds timeout) {
        error_code result;
        beast::get_lowest_layer(*stream_).expires_after(timeout);
        initiate([&result](error_code ec, auto&&...) { result = ec; });
        ioc_.restart();
        ioc_.run();
        return result;
    }

    asio::io_context ioc_;
    ssl::context ctx_{ssl::context::tls_client};
    std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
    beast::flat_buffer buffer_;
    std::uint16_t port_ = 0;
};

/// A tls_client connected to `srv`; the test stops when it cannot connect.
struct connected_client : tls_client {
    explicit connected_client(const server& srv) : tls_client(srv) {
        BOOST_TEST_REQUIRE(!connect());
    }
};

json::object parse_object(const std::string& text) {
    json::value v = json::parse(text);
    BOOST_TEST_REQUIRE(v.is_object());
    return v.as_object();
}

void check_stytch_error(const response_type& res, int status, std::string_view type) {
    BOOST_TEST(res.result_int() == static_cast<unsigned>(status));
    BOOST_TEST(res[http::field::content_type] == "application/json");
    const json::object body = parse_object(res.body());
    BOOST_TEST(body.at("status_code").as_int64() == status);
    BOOST_TEST(body.at("error_type").as_string() == type);
    BOOST_TEST(body.at("request_id").as_string().starts_with("request-id-test-"));
    BOOST_TEST(!body.at("error_message").as_string().empty());
    BOOST_TEST(body.at("error_url").as_string() == "https://stytch.com/docs/api/errors/" +
                                                       std::to_string(status) + "#" +
                                                       std::string(type));
}

/// `srv` answers the requests marked `X-Fault: yes` with `answer` (the others normally), and
/// `client` sends one.
void send_marked(server& srv, tls_client& client, reply answer) {
    srv.set_override([answer = std::move(answer)](
                         const stytch::mock::recorded_request& r) -> std::optional<reply> {
        if (r.header("X-Fault") == "yes") {
            return answer;
        }
        return std::nullopt;
    });
    auto req = delete_request({}, api_target(acme_id));
    req.set("X-Fault", "yes");
    BOOST_TEST_REQUIRE(!client.write(req));
}

/// The server goes on serving: a new connection's call succeeds.
void check_still_serving(server& srv) {
    connected_client next(srv);
    BOOST_TEST(next.exchange(delete_request({}, api_target(acme_id))).result_int() == 200u);
}

// OpenSSL helpers for the certificate tests.
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

std::filesystem::path temp_file(const std::string& name) {
    return std::filesystem::temp_directory_path() /
           ("stytch-mock-test-" + std::to_string(::getpid()) + "-" + name);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(normal_handling)

BOOST_AUTO_TEST_CASE(seed_file_has_three_complete_organizations) {
    auto srv = seeded_server();
    std::vector<std::string> fields = stytch::test::required_org_fields;
    fields.insert(fields.end(), stytch::test::optional_org_fields.begin(),
                  stytch::test::optional_org_fields.end());
    for (const char* key : {"acme-corp", "globex", "initech"}) {
        const auto org = srv->find_organization(key);
        BOOST_TEST_REQUIRE(org.has_value(), key);
        for (const auto& field : fields) {
            BOOST_TEST_CONTEXT(key << "." << field) {
                BOOST_TEST_REQUIRE(org->contains(field));
                BOOST_TEST(!org->at(field).is_null());
            }
        }
        BOOST_TEST(org->at("trusted_metadata").is_object());
        BOOST_TEST(org->at("allowed_oauth_tenants").is_object());
        BOOST_TEST(org->at("scim_active_connection").is_object());
    }
    const auto acme = srv->find_organization(acme_id);
    BOOST_TEST_REQUIRE(acme.has_value());
    BOOST_TEST(acme->at("sso_active_connections").as_array().size() >= 1u);
    const auto& role = acme->at("custom_roles").as_array().at(0).as_object();
    BOOST_TEST(!role.at("permissions").as_array().at(0).at("actions").as_array().empty());
    BOOST_TEST(acme->at("organization_external_id").as_string() == acme_external_id);
}

BOOST_AUTO_TEST_CASE(delete_external_id_success) {
    auto srv = seeded_server();
    const auto before = srv->find_organization(acme_id);
    BOOST_TEST_REQUIRE(before.has_value());
    BOOST_TEST(srv->find_organization(acme_external_id).has_value());
    BOOST_TEST(srv->find_organization(acme_slug)->at("organization_id").as_string() == acme_id);

    connected_client client(*srv);
    const auto res = client.exchange(delete_request({}, api_target(acme_id)));
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(res[http::field::content_type] == "application/json");
    BOOST_TEST(res[http::field::content_length] == std::to_string(res.body().size()));
    BOOST_TEST(res.keep_alive());

    const json::object body = parse_object(res.body());
    BOOST_TEST(body.at("status_code").as_int64() == 200);
    const std::string first_request_id(body.at("request_id").as_string());
    BOOST_TEST(first_request_id.starts_with("request-id-test-"));

    // As the real API: the organization has no organization_external_id member any more, in
    // the answer and in the store alike (not null, not ""), and nothing else changed.
    BOOST_TEST_REQUIRE(before->at("organization_external_id").is_string());
    json::object expected = *before;
    expected.erase("organization_external_id");
    BOOST_TEST(!body.at("organization").as_object().contains("organization_external_id"));
    BOOST_TEST(!srv->find_organization(acme_id)->contains("organization_external_id"));
    BOOST_TEST(body.at("organization").as_object() == expected);
    BOOST_TEST(*srv->find_organization(acme_id) == expected);
    BOOST_TEST(!srv->find_organization(acme_external_id).has_value());

    // It stays deleted; a second call succeeds again, with a new request id.
    const auto again = client.exchange(delete_request({}, api_target(acme_id)));
    BOOST_TEST(again.result_int() == 200u);
    const json::object again_body = parse_object(again.body());
    BOOST_TEST(again_body.at("organization").as_object() == expected);
    BOOST_TEST(again_body.at("request_id").as_string() != first_request_id);

    // The other organizations are untouched.
    BOOST_TEST(srv->find_organization("globex")->at("organization_external_id").as_string() ==
               "globex-42");
}

BOOST_AUTO_TEST_CASE(path_accepts_slug_and_external_id) {
    auto srv = seeded_server();
    connected_client client(*srv);
    auto res = client.exchange(delete_request({}, api_target("globex-42")));
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(parse_object(res.body()).at("organization").at("organization_slug").as_string() ==
               "globex");
    res = client.exchange(delete_request({}, api_target("initech")));
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(!srv->find_organization("initech")->contains("organization_external_id"));
}

BOOST_AUTO_TEST_CASE(id_is_percent_decoded) {
    server srv;
    srv.add_organization(
        json::object{{"organization_id", "org/with space%"}, {"organization_external_id", "ext"}},
        server::seed_check::id_only);
    connected_client client(srv);
    auto res = client.exchange(delete_request({}, api_target("org%2Fwith%20space%25")));
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(parse_object(res.body()).at("organization").at("organization_id").as_string() ==
               "org/with space%");
    res = client.exchange(delete_request({}, api_target("org%zz")));
    check_stytch_error(res, 400, "bad_request");
}

BOOST_AUTO_TEST_CASE(unauthorized) {
    auto srv = seeded_server();
    connected_client client(*srv);

    auto req = delete_request({}, api_target(acme_id));
    req.erase(http::field::authorization);
    auto res = client.exchange(req);
    check_stytch_error(res, 401, "unauthorized_credentials");
    const json::object body = parse_object(res.body());
    BOOST_TEST(body.at("error_message").as_string() == "Unauthorized credentials.");
    BOOST_TEST(body.at("error_url").as_string() ==
               "https://stytch.com/docs/api/errors/401#unauthorized_credentials");

    const server_options defaults;
    for (const std::string& authorization :
         {basic_auth(defaults.project_id, "wrong-secret"),
          basic_auth("project-test-x", defaults.secret),
          "Bearer " + base64(defaults.project_id + ":" + defaults.secret), std::string("Basic !!!"),
          std::string("Basic")}) {
        BOOST_TEST_CONTEXT(authorization) {
            req.set(http::field::authorization, authorization);
            check_stytch_error(client.exchange(req), 401, "unauthorized_credentials");
        }
    }
    // Lowercase scheme is fine.
    req.set(http::field::authorization,
            "basic " + base64(defaults.project_id + ":" + defaults.secret));
    BOOST_TEST(client.exchange(req).result_int() == 200u);

    // The organization was not modified by the rejected calls... but by the last one.
    BOOST_TEST(!srv->find_organization(acme_id)->contains("organization_external_id"));
}

BOOST_AUTO_TEST_CASE(custom_credentials) {
    server_options opts;
    opts.project_id = "project-live-abc";
    opts.secret = "secret-live-xyz";
    server srv(opts);
    srv.add_organization(json::object{{"organization_id", "o1"}}, server::seed_check::id_only);
    connected_client client(srv);
    BOOST_TEST(client.exchange(delete_request(opts, api_target("o1"))).result_int() == 200u);
    check_stytch_error(client.exchange(delete_request({}, api_target("o1"))), 401,
                       "unauthorized_credentials");
}

BOOST_AUTO_TEST_CASE(not_found_and_wrong_method) {
    auto srv = seeded_server();
    connected_client client(*srv);

    check_stytch_error(client.exchange(delete_request({}, api_target("organization-test-nope"))),
                       404, "organization_not_found");
    for (const char* target :
         {"/", "/v1/b2b/organizations", "/v1/b2b/organizations//external_id",
          "/v1/b2b/organizations/acme-corp", "/v1/b2b/organizations/acme-corp/external_id/x",
          "/v1/b2b/organizations/a/b/external_id", "/v2/b2b/organizations/acme-corp/external_id"}) {
        BOOST_TEST_CONTEXT(target) {
            check_stytch_error(client.exchange(delete_request({}, target)), 404, "route_not_found");
        }
    }
    auto get = delete_request({}, api_target(acme_id));
    get.method(http::verb::get);
    const auto res = client.exchange(get);
    check_stytch_error(res, 405, "method_not_allowed");
    BOOST_TEST(res[http::field::allow] == "DELETE");
    // A query string is ignored.
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id) + "?x=1")).result_int() ==
               200u);
    // Everything on one keep-alive connection.
    BOOST_TEST(srv->connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(path_prefix) {
    server_options opts;
    opts.path_prefix = "stytch/";
    auto srv = seeded_server(opts);
    BOOST_TEST(srv->base_url() == "https://127.0.0.1:" + std::to_string(srv->port()) + "/stytch");
    connected_client client(*srv);
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id, "/stytch"))).result_int() ==
               200u);
    check_stytch_error(client.exchange(delete_request({}, api_target(acme_id))), 404,
                       "route_not_found");
    check_stytch_error(client.exchange(delete_request({}, api_target(acme_id, "/stytchx"))), 404,
                       "route_not_found");
}

BOOST_AUTO_TEST_CASE(base_url_and_port) {
    server srv;
    BOOST_TEST(srv.port() != 0u);
    BOOST_TEST(srv.base_url() == "https://127.0.0.1:" + std::to_string(srv.port()));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(connections)

BOOST_AUTO_TEST_CASE(keep_alive_reuses_one_connection) {
    auto srv = seeded_server();
    connected_client client(*srv);
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id))).result_int() == 200u);
    BOOST_TEST(client.exchange(delete_request({}, api_target("globex"))).result_int() == 200u);
    BOOST_TEST(srv->connections_accepted() == 1u);
    BOOST_TEST(srv->connections_open() == 1u);

    connected_client second(*srv);
    BOOST_TEST(second.exchange(delete_request({}, api_target("initech"))).result_int() == 200u);
    BOOST_TEST(srv->connections_accepted() == 2u);

    const auto requests = srv->requests();
    BOOST_TEST_REQUIRE(requests.size() == 3u);
    BOOST_TEST(requests[0].connection_id == 1u);
    BOOST_TEST(requests[1].connection_id == 1u);
    BOOST_TEST(requests[2].connection_id == 2u);
}

BOOST_AUTO_TEST_CASE(client_connection_close_is_honoured) {
    auto srv = seeded_server();
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    req.keep_alive(false);
    const auto res = client.exchange(req);
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(!res.keep_alive());
    BOOST_TEST(res[http::field::connection] == "close");
    response_type next;
    const error_code ec = client.read(next, 5s);
    BOOST_TEST((ec == http::error::end_of_stream), ec.message());
    client.close();
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0; }));
}

BOOST_AUTO_TEST_CASE(idle_connections_are_closed_after_keep_alive_timeout) {
    server_options opts;
    opts.keep_alive_timeout = 200ms;
    auto srv = seeded_server(opts);
    connected_client client(*srv);
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id))).result_int() == 200u);
    BOOST_TEST(srv->connections_open() == 1u);
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0; }));
    // The client sees the close.
    response_type res;
    const error_code ec = client.read(res, 5s);
    BOOST_TEST(ec.failed());
    BOOST_TEST((ec != beast::error::timeout));
    BOOST_TEST(srv->connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(connection_without_handshake_does_not_block_others) {
    auto srv = seeded_server();
    tls_client idle(*srv);
    BOOST_TEST_REQUIRE(!idle.connect_tcp_only());
    connected_client client(*srv);
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id))).result_int() == 200u);
    BOOST_TEST(eventually([&] { return srv->connections_open() == 2; }));
    idle.close();
    BOOST_TEST(eventually([&] { return srv->connections_open() == 1; }));
}

BOOST_AUTO_TEST_CASE(concurrent_clients_on_several_threads) {
    server_options opts;
    opts.threads = 4;
    auto srv = seeded_server(opts);
    constexpr int clients = 8;
    constexpr int calls = 20;
    std::atomic<int> successes{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) {
        threads.emplace_back([&] {
            tls_client client(*srv);
            if (client.connect()) {
                return;
            }
            for (int j = 0; j < calls; ++j) {
                try {
                    auto res = client.exchange(delete_request({}, api_target(acme_id)));
                    if (res.result_int() == 200u) {
                        ++successes;
                    }
                } catch (const std::exception&) {
                    return;
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    BOOST_TEST(successes.load() == clients * calls);
    BOOST_TEST(srv->connections_accepted() == std::size_t{clients});
    BOOST_TEST(srv->requests().size() == std::size_t{clients * calls});
}

BOOST_AUTO_TEST_CASE(answer_delay_applies_to_each_answer_without_blocking_others) {
    constexpr auto delay = 300ms;
    constexpr int clients = 8;
    server_options opts;
    opts.threads = 1;  // one thread: the delays overlap only if none of them blocks it
    opts.answer_delay = delay;
    auto srv = seeded_server(opts);
    srv->set_override([](const stytch::mock::recorded_request& r) -> std::optional<reply> {
        if (r.target.find("overridden") != std::string::npos) {
            return reply{.status = 503, .body = "{}"};
        }
        return std::nullopt;
    });
    std::vector<std::unique_ptr<tls_client>> connected;
    for (int i = 0; i < clients; ++i) {
        connected.push_back(std::make_unique<tls_client>(*srv));
        BOOST_TEST_REQUIRE(!connected.back()->connect());
    }
    std::latch start(clients);
    std::vector<std::chrono::steady_clock::duration> waited(clients);
    std::vector<unsigned> statuses(clients);
    std::vector<std::thread> threads;
    const auto begin = std::chrono::steady_clock::now();
    for (int i = 0; i < clients; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            const auto sent = std::chrono::steady_clock::now();
            try {
                statuses[i] = connected[i]
                                  ->exchange(delete_request(
                                      {}, api_target(i == 0 ? "overridden" : acme_slug)))
                                  .result_int();
            } catch (const std::exception&) {
            }
            waited[i] = std::chrono::steady_clock::now() - sent;
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    const auto total = std::chrono::steady_clock::now() - begin;
    BOOST_TEST(statuses[0] == 503u);  // an overridden answer waits too
    for (int i = 0; i < clients; ++i) {
        BOOST_TEST((waited[i] >= delay), "client " << i);
        if (i > 0) {
            BOOST_TEST(statuses[i] == 200u);
        }
    }
    // Served one after the other, they would take clients × delay = 2.4 s.
    BOOST_TEST((total < clients * delay / 2),
               std::chrono::duration_cast<std::chrono::milliseconds>(total).count() << " ms");
}

BOOST_AUTO_TEST_CASE(destruction_with_open_connections) {
    auto srv = seeded_server();
    std::atomic<bool> stalled{false};
    srv->set_override([&](const stytch::mock::recorded_request& r) -> std::optional<reply> {
        if (r.target.find("stall") != std::string::npos) {
            stalled = true;
            return reply{.action = reply::kind::stall};
        }
        return std::nullopt;
    });
    connected_client idle(*srv);
    tls_client tcp_only(*srv);
    BOOST_TEST_REQUIRE(!tcp_only.connect_tcp_only());

    // A stalled request, from another thread (the client blocks until the connection closes).
    connected_client staller(*srv);
    std::thread stall_thread([&] {
        auto req = delete_request({}, api_target("stall"));
        response_type res;
        if (!staller.write(req)) {
            (void)staller.read(res, 30s);
        }
    });
    BOOST_TEST(eventually([&] { return stalled.load(); }));
    BOOST_TEST(srv->connections_open() == 3u);

    const auto start = std::chrono::steady_clock::now();
    srv.reset();
    // Graceful: well under the server's internal 5 s fallback.
    BOOST_TEST((std::chrono::steady_clock::now() - start < 4s));
    stall_thread.join();

    response_type res;
    BOOST_TEST(idle.read(res, 5s).failed());
}

BOOST_AUTO_TEST_CASE(stop_is_idempotent_and_closes_listener) {
    server srv;
    const auto port = srv.port();
    srv.stop();
    srv.stop();
    BOOST_TEST(srv.connections_open() == 0u);
    tls_client client(srv.identity().ca_certificate_pem);
    client.set_port(port);
    BOOST_TEST(client.connect(2s).failed());
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(overrides)

BOOST_AUTO_TEST_CASE(respond_with_custom_status_and_headers) {
    auto srv = seeded_server();
    std::atomic<int> calls{0};
    srv->set_override([&](const stytch::mock::recorded_request&) -> std::optional<reply> {
        if (calls++ == 0) {
            reply r;
            r.status = 429;
            r.body = R"({"status_code":429,"error_type":"too_many_requests"})";
            r.headers = {{"Retry-After", "2"}, {"X-Test", "a"}, {"X-Test", "b"}};
            return r;
        }
        return std::nullopt;
    });
    connected_client client(*srv);
    auto res = client.exchange(delete_request({}, api_target(acme_id)));
    BOOST_TEST(res.result_int() == 429u);
    BOOST_TEST(res[http::field::retry_after] == "2");
    BOOST_TEST(res.count("X-Test") == 2u);
    BOOST_TEST(res[http::field::content_type] == "application/json");
    BOOST_TEST(res.body() == R"({"status_code":429,"error_type":"too_many_requests"})");
    BOOST_TEST(res.keep_alive());
    // The hook saw the request; the organization was not touched.
    BOOST_TEST(srv->find_organization(acme_id)->at("organization_external_id").is_string());

    res = client.exchange(delete_request({}, api_target(acme_id)));
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(srv->connections_accepted() == 1u);
    BOOST_TEST(calls.load() == 2);

    // Removing the hook.
    srv->set_override(nullptr);
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id))).result_int() == 200u);
    BOOST_TEST(calls.load() == 2);
}

BOOST_AUTO_TEST_CASE(respond_non_json_and_close_after) {
    auto srv = seeded_server();
    srv->set_override([](const stytch::mock::recorded_request&) -> std::optional<reply> {
        reply r;
        r.status = 502;
        r.body = "<html>Bad Gateway</html>";
        r.headers = {{"Content-Type", "text/html"}};
        r.close_after = true;
        return r;
    });
    connected_client client(*srv);
    const auto res = client.exchange(delete_request({}, api_target(acme_id)));
    BOOST_TEST(res.result_int() == 502u);
    BOOST_TEST(res[http::field::content_type] == "text/html");
    BOOST_TEST(res.body() == "<html>Bad Gateway</html>");
    BOOST_TEST(!res.keep_alive());
    response_type next;
    BOOST_TEST((client.read(next, 5s) == http::error::end_of_stream));
    client.close();
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0; }));
}

BOOST_AUTO_TEST_CASE(close_without_answer) {
    auto srv = seeded_server();
    connected_client client(*srv);
    send_marked(*srv, client, reply{.action = reply::kind::close_without_answer});
    response_type res;
    const error_code ec = client.read(res, 5s);
    BOOST_TEST(ec.failed());
    BOOST_TEST((ec != beast::error::timeout), ec.message());
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0; }));
    BOOST_TEST(srv->find_organization(acme_id)->at("organization_external_id").is_string());
    check_still_serving(*srv);
}

BOOST_AUTO_TEST_CASE(stall_until_client_gives_up) {
    auto srv = seeded_server();
    connected_client client(*srv);
    send_marked(*srv, client, reply{.action = reply::kind::stall});
    response_type res;
    const auto start = std::chrono::steady_clock::now();
    const error_code ec = client.read(res, 300ms);
    BOOST_TEST((ec == beast::error::timeout), ec.message());
    BOOST_TEST((std::chrono::steady_clock::now() - start >= 300ms));
    BOOST_TEST(srv->requests().size() == 1u);

    // beast::tcp_stream closed the client's socket on timeout: the server sees it and lets go.
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0; }));
    check_still_serving(*srv);
}

BOOST_AUTO_TEST_CASE(throwing_hook_answers_500) {
    auto srv = seeded_server();
    srv->set_override([](const stytch::mock::recorded_request&) -> std::optional<reply> {
        throw std::runtime_error("boom");
    });
    connected_client client(*srv);
    check_stytch_error(client.exchange(delete_request({}, api_target(acme_id))), 500,
                       "internal_server_error");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(recording)

BOOST_AUTO_TEST_CASE(requests_are_recorded_with_headers) {
    auto srv = seeded_server();
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    req.set("X-Stytch-Member-Session", "session-token-abc");
    req.body() = "{}";
    req.prepare_payload();
    BOOST_TEST(client.exchange(req).result_int() == 200u);
    auto req2 = delete_request({}, api_target("globex") + "?q=%20");
    req2.set("X-Stytch-Member-SessionJWT", "eyJ.x.y");
    BOOST_TEST(client.exchange(req2).result_int() == 200u);

    const auto requests = srv->requests();
    BOOST_TEST_REQUIRE(requests.size() == 2u);
    const auto& first = requests[0];
    BOOST_TEST(first.method == "DELETE");
    BOOST_TEST(first.target == api_target(acme_id));
    BOOST_TEST(first.body == "{}");
    BOOST_TEST(first.header("x-stytch-member-session") == "session-token-abc");
    BOOST_TEST(first.header("X-STYTCH-MEMBER-SESSION") == "session-token-abc");
    BOOST_TEST(first.header("authorization") ==
               basic_auth(server_options{}.project_id, server_options{}.secret));
    BOOST_TEST(first.header("Content-Type") == "application/json");
    BOOST_TEST(first.header("User-Agent") == "stytch-mock-test");
    BOOST_TEST(first.header("Host") == "127.0.0.1");
    BOOST_TEST(first.header("X-Absent") == "");
    BOOST_TEST(first.header("X-Stytch-Member-SessionJWT") == "");
    // Headers in order, names as sent.
    BOOST_TEST_REQUIRE(!first.headers.empty());
    BOOST_TEST(first.headers[0].first == "Host");

    BOOST_TEST(requests[1].target == api_target("globex") + "?q=%20");
    BOOST_TEST(requests[1].header("x-stytch-member-sessionjwt") == "eyJ.x.y");
    BOOST_TEST(requests[1].connection_id == first.connection_id);

    srv->clear_requests();
    BOOST_TEST(srv->requests().empty());
}

BOOST_AUTO_TEST_CASE(load_and_add_organizations) {
    server srv;
    const auto array_file = temp_file("array.json");
    {
        std::ofstream out(array_file);
        out << R"([{"organization_id":"o-1","organization_slug":"one"},
                   {"organization_id":"o-2","organization_external_id":"ext-2"}])";
    }
    srv.load_organizations(array_file.string());
    BOOST_TEST(srv.find_organization("o-1").has_value());
    BOOST_TEST(srv.find_organization("one").has_value());
    BOOST_TEST(srv.find_organization("ext-2")->at("organization_id").as_string() == "o-2");
    BOOST_TEST(!srv.find_organization("o-3").has_value());

    // Replacing by id.
    srv.add_organization(json::object{{"organization_id", "o-1"}, {"organization_slug", "uno"}},
                         server::seed_check::id_only);
    BOOST_TEST(!srv.find_organization("one").has_value());
    BOOST_TEST(srv.find_organization("uno").has_value());

    BOOST_CHECK_THROW(srv.add_organization(json::object{{"organization_slug", "x"}}),
                      std::invalid_argument);
    BOOST_CHECK_THROW(srv.add_organization(json::object{{"organization_id", 5}}),
                      std::invalid_argument);

    const auto bad_file = temp_file("bad.json");
    for (const char* text : {"{not json", R"({"orgs":[]})", R"([1])", R"([{"x":1}])"}) {
        BOOST_TEST_CONTEXT(text) {
            {
                std::ofstream out(bad_file);
                out << text;
            }
            BOOST_CHECK_THROW(srv.load_organizations(bad_file.string()), std::runtime_error);
        }
    }
    BOOST_CHECK_THROW(srv.load_organizations(temp_file("missing.json").string()),
                      std::runtime_error);
    std::filesystem::remove(array_file);
    std::filesystem::remove(bad_file);
}

BOOST_AUTO_TEST_CASE(a_complete_seed_check_names_the_first_incomplete_member) {
    const json::value sample = json::parse([] {
        std::ifstream in(STYTCH_MOCK_SAMPLE_SEED);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }());
    const json::array& orgs = sample.at("organizations").as_array();
    BOOST_TEST_REQUIRE(orgs.size() >= 2u);
    struct seed_case {
        std::size_t org;                           // which organization is spoiled
        std::function<void(json::object&)> spoil;  // how
        std::string reason;                        // what the error names
    };
    const std::vector<seed_case> cases = {
        {0, [](json::object& o) { o.erase("organization_name"); },
         "organizations[0]: organization_name is missing"},
        {1, [](json::object& o) { o["mfa_policy"] = nullptr; },
         "organizations[1]: mfa_policy is missing"},
        {1, [](json::object& o) { o["email_allowed_domains"] = "a.example.com"; },
         "organizations[1]: email_allowed_domains is not an array"},
        {0,
         [](json::object& o) {
             o["custom_roles"]
                 .as_array()[1]
                 .as_object()["permissions"]
                 .as_array()[0]
                 .as_object()
                 .erase("resource_id");
         },
         "organizations[0]: custom_roles[1].permissions[0].resource_id is missing"},
        {0, [](json::object& o) { o["allowed_auth_methods"].as_array().push_back(7); },
         "organizations[0]: allowed_auth_methods[3] is not a string"},
        {0,
         [](json::object& o) {
             o["scim_active_connection"] = json::object{{"display_name", "x"}};
         },
         "organizations[0]: scim_active_connection.connection_id is missing"},
    };
    const auto file = temp_file("incomplete.json");
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.reason) {
            json::array spoiled = orgs;
            c.spoil(spoiled[c.org].as_object());
            {
                std::ofstream out(file);
                out << json::serialize(spoiled);
            }
            server srv;
            try {
                srv.load_organizations(file.string(), server::seed_check::complete);
                BOOST_ERROR("accepted");
            } catch (const std::runtime_error& e) {
                BOOST_TEST(std::string(e.what()).ends_with(c.reason), e.what());
            }
            // All or none: the complete organizations before it were not added either.
            BOOST_TEST(
                !srv.find_organization(orgs[0].at("organization_id").as_string()).has_value());
            // The default check serves it anyway (tests may want a partial answer).
            srv.load_organizations(file.string());
            BOOST_TEST(
                srv.find_organization(orgs[c.org].at("organization_id").as_string()).has_value());
        }
    }
    std::filesystem::remove(file);
}

BOOST_AUTO_TEST_CASE(write_ca_file) {
    server srv;
    const auto path = temp_file("ca.pem");
    srv.write_ca_file(path.string());
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    BOOST_TEST(text.str() == srv.identity().ca_certificate_pem);
    std::filesystem::remove(path);
    BOOST_CHECK_THROW(srv.write_ca_file("/nonexistent-dir/ca.pem"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(given_identity_is_used) {
    stytch::mock::certificate_options names;
    names.dns_names = {"mock.internal"};
    names.ip_addresses = {};
    const auto identity = stytch::mock::make_tls_identity(names);
    server_options opts;
    opts.identity = identity;
    server srv(opts);
    BOOST_TEST(srv.identity().certificate_pem == identity.certificate_pem);
    // The client checks for 127.0.0.1, which this certificate does not name.
    tls_client client(srv);
    BOOST_TEST(client.connect().failed());

    server_options broken;
    broken.identity = stytch::mock::tls_identity{"", "not a pem", "not a pem"};
    BOOST_CHECK_THROW(server{broken}, std::runtime_error);
    broken.identity = stytch::mock::tls_identity{"", identity.certificate_pem,
                                                 stytch::mock::make_tls_identity().private_key_pem};
    BOOST_CHECK_THROW(server{broken}, std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(robustness)

BOOST_AUTO_TEST_CASE(garbage_instead_of_tls) {
    auto srv = seeded_server();
    tls_client raw(*srv);
    BOOST_TEST_REQUIRE(!raw.connect_tcp_only());
    BOOST_TEST(!raw.write_plain("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    const error_code ec = raw.read_plain_until_error(5s);
    BOOST_TEST((ec != beast::error::timeout), ec.message());
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0; }));
    BOOST_TEST(srv->requests().empty());
}

BOOST_AUTO_TEST_CASE(garbage_http_gets_400_and_close) {
    auto srv = seeded_server();
    connected_client client(*srv);
    BOOST_TEST(!client.write_raw("THIS IS NOT HTTP\r\n\r\n"));
    response_type res;
    BOOST_TEST_REQUIRE(!client.read(res));
    check_stytch_error(res, 400, "bad_request");
    BOOST_TEST(!res.keep_alive());
    BOOST_TEST((client.read(res, 5s) == http::error::end_of_stream));
    BOOST_TEST(srv->requests().empty());
}

BOOST_AUTO_TEST_CASE(header_limit) {
    auto srv = seeded_server();
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    req.set("X-Big", std::string(9000, 'a'));
    response_type res;
    (void)client.write(req);  // the server may answer and close before all is written
    BOOST_TEST_REQUIRE(!client.read(res));
    check_stytch_error(res, 431, "request_header_too_large");
    BOOST_TEST(!res.keep_alive());

    // Just under the limit is fine.
    connected_client ok(*srv);
    req.set("X-Big", std::string(7000, 'a'));
    BOOST_TEST(ok.exchange(req).result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(body_limit) {
    auto srv = seeded_server();
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    req.body() = std::string(64 * 1024 + 1, 'x');
    req.prepare_payload();
    response_type res;
    (void)client.write(req);
    BOOST_TEST_REQUIRE(!client.read(res));
    check_stytch_error(res, 413, "request_too_large");

    connected_client ok(*srv);
    req.body() = std::string(64 * 1024, 'x');
    req.prepare_payload();
    BOOST_TEST(ok.exchange(req).result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(abrupt_close_mid_request) {
    auto srv = seeded_server();
    {
        connected_client client(*srv);
        BOOST_TEST(!client.write_raw("DELETE /v1/b2b/organizations/x/external_id HTTP/1.1\r\nHo"));
        client.close();
    }
    {
        connected_client client(*srv);
        BOOST_TEST(!client.write_plain(std::string(100, '\x17')));  // broken TLS records
        (void)client.read_plain_until_error(5s);
    }
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0; }));
    BOOST_TEST(srv->requests().empty());

    connected_client client(*srv);
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id))).result_int() == 200u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(scripts)

using stytch::mock::script_step;

namespace {

/// A server whose first request is answered by `steps`, the others normally.
std::unique_ptr<server> scripted_server(std::vector<script_step> steps) {
    auto srv = seeded_server();
    auto first = std::make_shared<std::atomic<bool>>(true);
    srv->set_override(
        [steps, first](const stytch::mock::recorded_request&) -> std::optional<reply> {
            if (!first->exchange(false)) {
                return std::nullopt;
            }
            return reply{.action = reply::kind::script, .script = steps};
        });
    return srv;
}

/// Reads single TLS records until `total` bytes came; returns each read's size.
std::vector<std::size_t> record_sizes(tls_client& client, std::size_t total, std::string& all) {
    std::vector<std::size_t> sizes;
    while (all.size() < total) {
        std::string piece;
        if (client.read_some(piece, 5s)) {
            break;
        }
        sizes.push_back(piece.size());
        all += piece;
    }
    return sizes;
}

}  // namespace

BOOST_AUTO_TEST_CASE(records_are_written_with_the_scripted_boundaries) {
    const std::string prelude = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n";
    const std::string big(20000, 'z');
    auto srv = scripted_server({script_step::write(prelude, 0ms, 1),
                                script_step::write("abcdefgh", 0ms, 4), script_step::write(big)});
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    BOOST_TEST_REQUIRE(!client.write(req));
    std::string all;
    const auto sizes = record_sizes(client, prelude.size() + 8 + big.size(), all);
    std::vector<std::size_t> expected(prelude.size(), 1);
    expected.insert(expected.end(), {4, 4, 16384, 20000 - 16384});
    BOOST_TEST(sizes == expected, boost::test_tools::per_element());
    BOOST_TEST(all == prelude + "abcdefgh" + big);  // raw bytes: nothing added
    BOOST_TEST(eventually([&] { return srv->script_steps_completed() == 3u; }));
    // The script did not close: the next request on the connection is served normally.
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id))).result_int() == 200u);
    BOOST_TEST(srv->connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(delays_happen_in_order_and_steps_count_once_acknowledged) {
    auto srv = scripted_server(
        {script_step::write("a"), script_step::write("b", 150ms), script_step::write("c", 100ms)});
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    BOOST_TEST_REQUIRE(!client.write(req));
    std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> reads;
    for (int i = 0; i < 3; ++i) {
        std::string piece;
        BOOST_TEST_REQUIRE(!client.read_some(piece, 5s));
        reads.emplace_back(piece, std::chrono::steady_clock::now());
        if (i == 0) {
            // "a" was acknowledged before the delay began.
            BOOST_TEST(eventually([&] { return srv->script_steps_completed() == 1u; }));
        }
    }
    BOOST_TEST(reads[0].first == "a");
    BOOST_TEST(reads[1].first == "b");
    BOOST_TEST(reads[2].first == "c");
    BOOST_TEST((reads[1].second - reads[0].second >= 140ms));
    BOOST_TEST((reads[2].second - reads[1].second >= 90ms));
    BOOST_TEST(eventually([&] { return srv->script_steps_completed() == 3u; }));
    BOOST_TEST(eventually([&] { return srv->scripts_running() == 0u; }));
}

BOOST_AUTO_TEST_CASE(normal_answer_then_a_rendered_unsolicited_one) {
    reply stale{.status = 404, .body = R"({"status_code":404})"};
    auto srv = scripted_server({script_step::normal_answer(), script_step::write(render(stale))});
    connected_client client(*srv);
    auto first = client.exchange(delete_request({}, api_target(acme_id)));
    BOOST_TEST(first.result_int() == 200u);
    BOOST_TEST(parse_object(first.body()).at("organization").at("organization_id").as_string() ==
               acme_id);
    // The normal handling ran: the store changed.
    BOOST_TEST(!srv->find_organization(acme_id)->contains("organization_external_id"));
    response_type second;
    BOOST_TEST_REQUIRE(!client.read(second, 5s));
    BOOST_TEST(second.result_int() == 404u);
    BOOST_TEST(second.body() == R"({"status_code":404})");
    BOOST_TEST(second[http::field::content_length] == "19");
    BOOST_TEST(second.keep_alive());
    BOOST_TEST(srv->requests_received() == 1u);
}

BOOST_AUTO_TEST_CASE(a_flood_stops_when_the_client_closes_and_memory_stays_bounded) {
    const std::size_t piece = 64 * 1024;
    const std::size_t gib = 1024 * 1024 * 1024;
    auto srv = scripted_server({script_step::flood(std::string(piece, 'x'), gib / piece)});
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    BOOST_TEST_REQUIRE(!client.write(req));
    const long before = status_kib("VmRSS:");
    std::size_t received = 0;
    while (received < 8 * 1024 * 1024) {
        std::string data;
        BOOST_TEST_REQUIRE(!client.read_some(data, 5s));
        received += data.size();
    }
    const long during = status_kib("VmRSS:");
    const auto closed_at = std::chrono::steady_clock::now();
    client.close();
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0u; }));
    BOOST_TEST((std::chrono::steady_clock::now() - closed_at < 2s));  // not after 1 GiB
    BOOST_TEST(srv->script_steps_completed() == 0u);                  // the flood never finished
    BOOST_TEST(during - before < 16 * 1024, "VmRSS grew by " << during - before << " KiB");
}

BOOST_AUTO_TEST_CASE(endings_are_distinguishable_by_the_client) {
    auto read_after_x = [](script_step::kind ending) {
        auto srv = scripted_server({script_step::write("x"), script_step::of(ending)});
        connected_client client(*srv);
        auto req = delete_request({}, api_target(acme_id));
        BOOST_TEST_REQUIRE(!client.write(req));
        std::string data;
        BOOST_TEST_REQUIRE(!client.read_some(data, 5s));
        BOOST_TEST(data == "x");
        const error_code ec = client.read_some(data, 5s);
        BOOST_TEST(eventually([&] { return srv->script_steps_completed() == 2u; }));
        const std::size_t open_after = srv->connections_open();
        const error_code tcp = client.read_plain_until_error(300ms);
        client.close();
        BOOST_TEST(eventually([&] { return srv->connections_open() == 0u; }));
        return std::tuple(ec, open_after, tcp);
    };
    {
        auto [ec, open, tcp] = read_after_x(script_step::kind::close_notify);
        BOOST_TEST((ec == asio::error::eof), ec.message());
        BOOST_TEST(open == 1u);  // TCP stays open until the client closes
        BOOST_TEST((tcp == beast::error::timeout), tcp.message());
    }
    {
        auto [ec, open, tcp] = read_after_x(script_step::kind::shutdown);
        BOOST_TEST((ec == asio::error::eof), ec.message());
        BOOST_TEST((tcp == asio::error::eof), tcp.message());  // then FIN
    }
    {
        auto [ec, open, tcp] = read_after_x(script_step::kind::fin);
        BOOST_TEST((ec == ssl::error::stream_truncated), ec.message());
    }
    {
        auto [ec, open, tcp] = read_after_x(script_step::kind::reset);
        BOOST_TEST((ec == asio::error::connection_reset), ec.message());
    }
}

BOOST_AUTO_TEST_CASE(stop_ends_a_script_waiting_in_a_delay) {
    auto srv = scripted_server({script_step::write("a"), script_step::write("b", 60s)});
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    BOOST_TEST_REQUIRE(!client.write(req));
    std::string data;
    BOOST_TEST_REQUIRE(!client.read_some(data, 5s));
    BOOST_TEST(srv->scripts_running() == 1u);  // in its 60 s delay
    const auto started = std::chrono::steady_clock::now();
    srv->stop();
    BOOST_TEST((std::chrono::steady_clock::now() - started < 2s));
    BOOST_TEST(srv->script_steps_completed() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
