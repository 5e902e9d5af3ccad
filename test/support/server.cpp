#include "support/server.hpp"

#include "support/h2_run.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

namespace stytch::test {

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

mock::server_options serving(const mock::certificate_options& certificate) {
    mock::server_options so;
    so.identity = mock::make_tls_identity(certificate);
    return so;
}

mock::server_options speaking(std::vector<std::string> alpn) {
    mock::server_options so;
    so.alpn = std::move(alpn);
    return so;
}

void inject(mock::server& server, mock::reply reply, std::size_t times) {
    auto left = std::make_shared<std::atomic<std::size_t>>(times);
    server.set_override([reply = std::move(reply),
                         left](const mock::recorded_request&) -> std::optional<mock::reply> {
        auto n = left->load();
        while (n > 0 && !left->compare_exchange_weak(n, n - 1)) {
        }
        if (n == 0) {
            return std::nullopt;
        }
        return reply;
    });
}

std::string ok_body_for(const mock::server& server, const std::string& organization_id,
                        const std::string& request_id) {
    auto org = server.find_organization(organization_id);
    BOOST_REQUIRE(org);
    boost::json::object body{{"request_id", request_id}, {"status_code", 200}};
    body["organization"] = *org;
    return boost::json::serialize(body);
}

namespace {

// In the HTTP/2 run a server left at the default ALPN offers h2 (a test that set its own
// ALPN keeps it).
mock::server_options for_this_run(mock::server_options opts) {
    if (over_http2() && opts.alpn == mock::server_options{}.alpn) {
        opts.alpn = {"h2", "http/1.1"};
    }
    return opts;
}

}  // namespace

server_fixture::server_fixture(mock::server_options opts) : server(for_this_run(std::move(opts))) {
    server.load_organizations(STYTCH_SAMPLE_ORGANIZATIONS);
    server.write_ca_file(ca_file);
}

server_fixture::~server_fixture() {
    std::error_code ignored;
    std::filesystem::remove(ca_file, ignored);
}

void server_fixture::run_until_server(const std::function<bool()>& done) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < give_up) {
        ioc.restart();
        ioc.run_for(std::chrono::milliseconds(10));
    }
}

void server_fixture::run_beside(const std::function<void()>& body) {
    auto guard = boost::asio::make_work_guard(ioc);
    std::thread runner([this] { ioc.run(); });
    try {
        body();
    } catch (...) {
        // A failed requirement: stop the runner rather than leave its thread to terminate().
        ioc.stop();
        runner.join();
        throw;
    }
    guard.reset();
    runner.join();
}

client_config server_fixture::config() const {
    const mock::server_options defaults;
    client_config cfg;
    cfg.project_id = defaults.project_id;
    cfg.secret = defaults.secret;
    cfg.base_url = server.base_url();
    cfg.ca_file = ca_file;
    if (over_http2()) {
        cfg.http_version = http_version::http2;
    }
    return cfg;
}

}  // namespace stytch::test
