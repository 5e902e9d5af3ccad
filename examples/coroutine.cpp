// Coroutine use: co_await one DeleteExternalId call.
// Usage: STYTCH_PROJECT_ID=... STYTCH_SECRET=... example_coroutine ORGANIZATION_ID

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <iostream>

#include <stytch/stytch.hpp>

#include "config_from_environment.hpp"

namespace asio = boost::asio;

asio::awaitable<void> run(stytch::client& client, std::string organization_id) {
    // Named request and options rather than temporaries inside `co_await`: g++ 12 can destroy
    // such temporaries twice.
    const stytch::b2b::delete_external_id_request request{std::move(organization_id)};
    const stytch::b2b::delete_external_id_options options;  // no member session: project scope
    auto result = co_await client.organizations().delete_external_id(request, options);
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
