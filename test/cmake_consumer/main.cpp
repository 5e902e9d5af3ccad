// An outside program using the installed (or add_subdirectory'd) stytch package. With the mock
// library it starts a stytch::mock::server on an ephemeral port, seeds an organization, trusts
// the server's CA, and checks a real call; without it, it only builds the client and the call.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdio>
#include <filesystem>
#include <string>

#include <stytch/stytch.hpp>
#ifdef CONSUMER_WITH_MOCK
#include <stytch/mock/server.hpp>
#endif

namespace asio = boost::asio;

namespace {

asio::awaitable<stytch::result<stytch::b2b::delete_external_id_response>> delete_one(
    stytch::client& client, std::string id) {
    co_return co_await client.organizations().async_delete_external_id(
        {id}, {}, stytch::as_result(asio::use_awaitable));
}

int check(bool ok, const char* what) {
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    asio::io_context ioc;
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
    auto future =
        asio::co_spawn(ioc, delete_one(client, "organization-test-consumer"), asio::use_future);
    ioc.run();
    auto result = future.get();

#ifdef CONSUMER_WITH_MOCK
    failures +=
        check(result && result->organization.organization_id == "organization-test-consumer",
              "call to the mock server succeeded");
    failures += check(mock.requests().size() == 1, "mock recorded one request");
    failures += check(!mock.find_organization("organization-test-consumer")
                           ->at("organization_external_id")
                           .is_string(),
                      "mock deleted the external id");
    std::filesystem::remove(ca);
#else
    failures += check(!result && result.error().code == asio::error::connection_refused,
                      "call without a server fails with connection_refused");
#endif
    return failures == 0 ? 0 : 1;
}
