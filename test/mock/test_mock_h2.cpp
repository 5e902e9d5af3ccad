// The mock over HTTP/2: a real TLS connection on 127.0.0.1 selecting h2 by ALPN, driven by the
// library's sans-io client session (src/net/h2_session.hpp).

#include <boost/test/unit_test.hpp>

#include <stytch/mock/server.hpp>

#include "mock/support.hpp"
#include "net/h2_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using stytch::detail::h2_outcome;
using stytch::detail::h2_result;
using stytch::mock::reply;
using stytch::mock::server;
using stytch::mock::server_options;
using stytch::mock::testing::base64;
using stytch::mock::testing::seeded_server;

namespace {

const std::string acme_id = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931";

server_options h2_options() {
    server_options opts;
    opts.alpn = {"h2", "http/1.1"};
    return opts;
}

/// A TLS client offering only h2, moving bytes between the socket and an h2_session; every
/// wait is bounded by the io_context's run_for.
class h2_client {
  public:
    explicit h2_client(const server& srv) {
        ctx_.add_certificate_authority(asio::buffer(srv.identity().ca_certificate_pem));
        stream_.set_verify_mode(ssl::verify_peer);
        static constexpr unsigned char offer[] = {2, 'h', '2'};
        SSL_set_alpn_protos(stream_.native_handle(), offer, sizeof offer);
        stream_.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), srv.port()});
        stream_.handshake(ssl::stream_base::client);
        const unsigned char* selected = nullptr;
        unsigned size = 0;
        SSL_get0_alpn_selected(stream_.native_handle(), &selected, &size);
        selected_.assign(reinterpret_cast<const char*>(selected), size);
    }

    const std::string& selected() const { return selected_; }
    stytch::detail::h2_session& session() { return session_; }

    std::int32_t submit(const std::string& organization, const std::string& secret = "",
                        const std::string& extra_header_value = "") {
        const server_options defaults;
        const std::string auth = "Basic " + base64(defaults.project_id + ":" +
                                                   (secret.empty() ? defaults.secret : secret));
        const std::vector<stytch::detail::h2_field> fields{
            {":method", "DELETE"},
            {":scheme", "https"},
            {":authority", "127.0.0.1"},
            {":path", "/v1/b2b/organizations/" + organization + "/external_id"},
            {"authorization", auth},
            {"content-type", "application/json"}};
        auto all = fields;
        if (!extra_header_value.empty()) {
            all.push_back({"x-extra", extra_header_value});
        }
        return session_.submit(all);
    }

    /// Exchanges bytes until `count` streams have finished (or the connection closed, or
    /// `limit` passed); returns the finished streams by id.
    std::map<std::int32_t, h2_result> run(std::size_t count,
                                          std::chrono::milliseconds limit = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (done_.size() < count && session_.state() != stytch::detail::h2_state::closed &&
               std::chrono::steady_clock::now() < deadline) {
            std::string out;
            session_.take_output(out);
            if (!out.empty()) {
                asio::write(stream_, asio::buffer(out));
            }
            std::array<char, 16 * 1024> buffer;
            boost::system::error_code read_ec;
            std::size_t got = 0;
            bool completed = false;
            stream_.async_read_some(asio::buffer(buffer),
                                    [&](boost::system::error_code ec, std::size_t n) {
                                        read_ec = ec;
                                        got = n;
                                        completed = true;
                                    });
            ioc_.restart();
            ioc_.run_for(deadline - std::chrono::steady_clock::now());
            if (!completed) {
                stream_.lowest_layer().cancel();
                ioc_.restart();
                ioc_.run();
                break;
            }
            if (read_ec) {
                session_.connection_lost();
            } else {
                session_.receive({buffer.data(), got});
            }
            collect();
        }
        collect();
        return done_;
    }

  private:
    void collect() {
        for (auto& r : session_.take_finished()) {
            done_[r.stream_id] = std::move(r);
        }
    }

    asio::io_context ioc_;
    ssl::context ctx_{ssl::context::tls_client};
    ssl::stream<tcp::socket> stream_{ioc_, ctx_};
    std::string selected_;
    stytch::detail::h2_session session_;
    std::map<std::int32_t, h2_result> done_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(http2)

BOOST_AUTO_TEST_CASE(delete_is_answered_with_the_organization_over_h2) {
    auto srv = seeded_server(h2_options());
    h2_client client(*srv);
    BOOST_TEST(client.selected() == "h2");
    const auto id = client.submit(acme_id);
    auto done = client.run(1);
    BOOST_TEST_REQUIRE(done.count(id) == 1u);
    const h2_result& r = done[id];
    BOOST_TEST((r.outcome == h2_outcome::answered));
    BOOST_TEST(r.status == 200);
    const json::value body = json::parse(r.body);
    BOOST_TEST(body.at("organization").at("organization_id").as_string() == acme_id);
    BOOST_TEST(body.at("organization").at("organization_external_id").is_null());
    const auto requests = srv->requests();
    BOOST_TEST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].method == "DELETE");
    BOOST_TEST(requests[0].target == "/v1/b2b/organizations/" + acme_id + "/external_id");
    BOOST_TEST(requests[0].header("content-type") == "application/json");
}

BOOST_AUTO_TEST_CASE(store_miss_and_bad_credentials_answer_their_errors_over_h2) {
    auto srv = seeded_server(h2_options());
    h2_client client(*srv);
    const auto missing = client.submit("organization-test-does-not-exist");
    const auto unauthorized = client.submit(acme_id, "wrong-secret");
    auto done = client.run(2);
    BOOST_TEST_REQUIRE(done.size() == 2u);
    BOOST_TEST(done[missing].status == 404);
    BOOST_TEST(json::parse(done[missing].body).at("error_type").as_string() ==
               "organization_not_found");
    BOOST_TEST(done[unauthorized].status == 401);
    BOOST_TEST(srv->find_organization(acme_id)->at("organization_external_id").is_string());
}

BOOST_AUTO_TEST_CASE(override_hook_answers_streams_with_its_status_and_headers) {
    auto srv = seeded_server(h2_options());
    srv->set_override([](const stytch::mock::recorded_request&) -> std::optional<reply> {
        reply r;
        r.status = 429;
        r.headers = {{"Retry-After", "7"}, {"Connection", "close"}};
        r.body = R"({"status_code":429})";
        return r;
    });
    h2_client client(*srv);
    const auto id = client.submit(acme_id);
    auto done = client.run(1);
    BOOST_TEST((done[id].outcome == h2_outcome::answered));
    BOOST_TEST(done[id].status == 429);
    BOOST_TEST(done[id].retry_after == "7");
    BOOST_TEST(done[id].body == R"({"status_code":429})");
}

BOOST_AUTO_TEST_CASE(delayed_streams_are_answered_concurrently) {
    constexpr auto delay = 300ms;
    constexpr int streams = 10;
    server_options opts = h2_options();
    opts.threads = 1;
    opts.answer_delay = delay;
    auto srv = seeded_server(opts);
    h2_client client(*srv);
    std::vector<std::int32_t> ids;
    const auto begin = std::chrono::steady_clock::now();
    for (int i = 0; i < streams; ++i) {
        ids.push_back(client.submit(i % 2 == 0 ? acme_id : "organization-test-missing"));
    }
    auto done = client.run(streams);
    const auto took = std::chrono::steady_clock::now() - begin;
    BOOST_TEST_REQUIRE(done.size() == std::size_t(streams));
    for (int i = 0; i < streams; ++i) {
        BOOST_TEST(done[ids[i]].status == (i % 2 == 0 ? 200 : 404));
    }
    BOOST_TEST(took >= delay);
    BOOST_TEST(
        took < 2 * delay, "10 streams took "
                              << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                              << " ms");
}

BOOST_AUTO_TEST_CASE(max_concurrent_streams_is_announced) {
    server_options opts = h2_options();
    opts.h2_max_concurrent_streams = 1;
    auto srv = seeded_server(opts);
    h2_client client(*srv);
    const auto first = client.submit(acme_id);
    auto done = client.run(1);
    BOOST_TEST(client.session().max_concurrent_streams() == 1u);
    BOOST_TEST(done[first].status == 200);
}

BOOST_AUTO_TEST_CASE(goaway_after_n_streams_leaves_later_ones_unprocessed) {
    server_options opts = h2_options();
    opts.h2_goaway_after = 2;
    auto srv = seeded_server(opts);
    h2_client client(*srv);
    std::vector<std::int32_t> ids;
    for (int i = 0; i < 4; ++i) {
        ids.push_back(client.submit("organization-test-missing-" + std::to_string(i)));
    }
    auto done = client.run(4);
    BOOST_TEST_REQUIRE(done.size() == 4u);
    BOOST_TEST(client.session().goaway_last_stream_id() == ids[1]);
    BOOST_TEST(done[ids[0]].status == 404);
    BOOST_TEST(done[ids[1]].status == 404);
    BOOST_TEST((done[ids[2]].outcome == h2_outcome::not_processed));
    BOOST_TEST((done[ids[3]].outcome == h2_outcome::not_processed));
    BOOST_TEST(srv->requests_received() == 2u);
    BOOST_TEST((client.session().state() == stytch::detail::h2_state::closed));
}

BOOST_AUTO_TEST_CASE(refused_stream_is_reset_while_others_are_answered) {
    server_options opts = h2_options();
    opts.h2_refuse_stream = 2;
    auto srv = seeded_server(opts);
    h2_client client(*srv);
    std::vector<std::int32_t> ids;
    for (int i = 0; i < 3; ++i) {
        ids.push_back(client.submit("organization-test-missing-" + std::to_string(i)));
    }
    auto done = client.run(3);
    BOOST_TEST_REQUIRE(done.size() == 3u);
    BOOST_TEST(done[ids[0]].status == 404);
    BOOST_TEST((done[ids[1]].outcome == h2_outcome::refused));
    BOOST_TEST(done[ids[2]].status == 404);
    BOOST_TEST(srv->requests_received() == 2u);
}

BOOST_AUTO_TEST_CASE(a_header_list_over_the_limit_resets_only_that_stream) {
    auto srv = seeded_server(h2_options());
    h2_client client(*srv);
    const auto big = client.submit(acme_id, "", std::string(9 * 1024, 'x'));
    const auto small = client.submit("organization-test-missing");
    auto done = client.run(2);
    BOOST_TEST_REQUIRE(done.size() == 2u);
    BOOST_TEST((done[big].outcome == h2_outcome::reset));
    BOOST_TEST(done[small].status == 404);
    BOOST_TEST(srv->requests_received() == 1u);
    BOOST_TEST(srv->find_organization(acme_id)->at("organization_external_id").is_string());
}

BOOST_AUTO_TEST_CASE(without_h2_in_alpn_the_server_selects_nothing_for_an_h2_offer) {
    auto srv = seeded_server({});
    h2_client client(*srv);
    BOOST_TEST(client.selected().empty());
}

BOOST_AUTO_TEST_SUITE_END()
