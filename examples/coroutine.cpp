// Coroutine use: co_await one DeleteExternalId call.
// Usage: STYTCH_PROJECT_ID=... STYTCH_SECRET=... example_coroutine ORGANIZATION_ID

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <iostream>

#include <stytch/stytch.hpp>

#include "config_from_environment.hpp"

namespace asio = boost::asio;

asio::awaitable<void> run(stytch::client& client, std::string organization_id) {
    // No member session (project scope); as_result: a stytch::result with the server's details
    // on failure, instead of an exception.
    auto result = co_await client.organizations().async_delete_external_id(
        {organization_id}, {}, stytch::as_result(asio::use_awaitable));
    if (result) {
        std::cout << "deleted external id of " << result->organization.organization_name << '\n';
    } else {
        std::cout << "failed: " << result.error().code.message() << " ("
                  << result.error().details.error_type << ")\n";
    }
}

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: example_coroutine ORGANIZATION_ID\n";
        return 2;
    }
    asio::io_context ioc;
    const stytch::client_config cfg = config_from_environment();
    stytch::client client(ioc.get_executor(), cfg);
    asio::co_spawn(ioc, run(client, argv[1]), asio::detached);
    ioc.run();  // returns once the call has completed: an idle client keeps nothing pending
}
