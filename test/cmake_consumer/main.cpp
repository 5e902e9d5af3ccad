// An outside program using the installed (or add_subdirectory'd) stytch package, compiled with
// -Wall -Wextra -Wpedantic -Werror. With the mock library it starts a stytch::mock::server on an
// ephemeral port, seeds an organization, trusts the server's CA, and checks a real call; without
// it, it only builds the client and the call. It uses a deprecated Asio name (io_service): the
// library's own Asio settings (BOOST_ASIO_NO_DEPRECATED) must not reach its users.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_service.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include <stytch/stytch.hpp>
#ifdef CONSUMER_WITH_MOCK
#include <stytch/mock/server.hpp>
#endif

namespace asio = boost::asio;

namespace {

// The coroutine form, the options given with a designated initializer (quiet under -Wextra's
// -Wmissing-field-initializers because the library's structs have default member initializers).
asio::awaitable<stytch::result<stytch::b2b::delete_external_id_response>> delete_one(
    stytch::client& client, std::string id, std::string session_token) {
    co_return co_await client.organizations().async_delete_external_id(
        {.organization_id = id}, {.session_token = session_token},
        stytch::as_result(asio::use_awaitable));
}

stytch::result<stytch::b2b::delete_external_id_response> run_call(asio::io_service& ioc,
                                                                  stytch::client& client,
                                                                  std::string id) {
    auto future = asio::co_spawn(ioc, delete_one(client, std::move(id), "session-token-consumer"),
                                 asio::use_future);
    ioc.restart();
    ioc.run();
    return future.get();
}

#ifdef CONSUMER_WITH_MOCK
bool has_header(const stytch::mock::recorded_request& request, std::string_view name,
                std::string_view value) {
    for (const auto& [n, v] : request.headers) {
        if (boost::beast::iequals(n, name) && v == value) {
            return true;
        }
    }
    return false;
}
#endif

int check(bool ok, const char* what) {
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    asio::io_service ioc;  // deprecated name of io_context, still valid in Boost 1.81
    stytch::client_config cfg;
    cfg.project_id = "project-test-11111111-2222-3333-4444-555555555555";
    cfg.secret = "secret-test-mock";
    int failures = check(!cfg.validate(), "configuration validates");

#ifdef CONSUMER_WITH_MOCK
    if (argc != 2) {
        std::fprintf(stderr, "usage: consumer SEED_JSON (the installed organizations.json)\n");
        return 2;
    }
    stytch::mock::server mock;  // ephemeral port, fresh CA, same default credentials
    mock.load_organizations(argv[1]);
    // Seed one more organization: a copy of a sample one under a new id.
    auto org = mock.find_organization("acme-corp");
    if (!org) {
        return check(false, "sample organization acme-corp loaded");
    }
    (*org)["organization_id"] = "organization-test-consumer";
    (*org)["organization_slug"] = "consumer";
    (*org)["organization_external_id"] = "ext-consumer";
    mock.add_organization(*org);
    auto ca = std::filesystem::temp_directory_path() / "stytch-consumer-ca.pem";
    mock.write_ca_file(ca.string());
    cfg.base_url = mock.base_url();
    cfg.ca_file = ca.string();
#else
    (void)argc;
    (void)argv;
    cfg.base_url = "https://127.0.0.1:1";  // nothing listens: the call fails fast
    cfg.retry.max_attempts = 1;
#endif

    stytch::client client(ioc.get_executor(), cfg);
    auto result = run_call(ioc, client, "organization-test-consumer");

#ifdef CONSUMER_WITH_MOCK
    failures +=
        check(result && result->organization.organization_id == "organization-test-consumer",
              "call to the mock server succeeded");
    failures += check(mock.requests().size() == 1, "mock recorded one request");
    failures += check(
        mock.requests().size() == 1 &&
            has_header(mock.requests()[0], "X-Stytch-Member-Session", "session-token-consumer"),
        "the session token of the designated initializer was sent");
    failures += check(
        !mock.find_organization("organization-test-consumer")->contains("organization_external_id"),
        "mock deleted the external id");

    // A Beast error made inside libstytch equals the program's own: error categories are
    // compared by address, so the library must share Beast's category object with the program
    // (not keep a hidden copy, as a shared library built with -fvisibility=hidden would).
    cfg.max_response_body = 64;  // far less than an organization
    stytch::client small_client(ioc.get_executor(), cfg);
    auto too_big = run_call(ioc, small_client, "acme-corp");
    failures += check(!too_big && too_big.error().code == boost::beast::http::error::body_limit,
                      "a too large answer fails with beast::http::error::body_limit");
    std::filesystem::remove(ca);
#else
    failures += check(!result && result.error().code == asio::error::connection_refused,
                      "call without a server fails with connection_refused");
#endif
    return failures == 0 ? 0 : 1;
}
