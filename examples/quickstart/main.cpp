// docs/quickstart.md's program, whole: deletes the external id of one organization and prints
// the outcome. Configured from the environment, so the same binary calls stytch-mock or Stytch.
// Usage: STYTCH_PROJECT_ID=... STYTCH_SECRET=... [STYTCH_BASE_URL=... STYTCH_CA_FILE=...]
//        hello_stytch ORGANIZATION_ID

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

#include <stytch/stytch.hpp>

namespace asio = boost::asio;

std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

asio::awaitable<void> run(stytch::client& client, std::string organization_id, int& status) {
    auto result = co_await client.organizations().async_delete_external_id(
        {organization_id}, {}, stytch::as_result(asio::deferred));
    if (result) {
        std::cout << "deleted the external id of " << result->organization.organization_name << " ("
                  << result->organization.organization_id << ")\n";
        status = 0;
    } else {
        std::cout << "failed: " << result.error().code.message() << " "
                  << result.error().details.error_type << '\n';
    }
}

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: hello_stytch ORGANIZATION_ID\n";
        return 2;
    }
    stytch::client_config cfg;
    cfg.project_id = env("STYTCH_PROJECT_ID");
    cfg.secret = env("STYTCH_SECRET");
    cfg.base_url = env("STYTCH_BASE_URL");  // empty: Stytch's API for the project id
    cfg.ca_file = env("STYTCH_CA_FILE");    // stytch-mock's CA (its --ca-out file)

    asio::io_context ioc;
    stytch::client client(ioc.get_executor(), cfg);
    int status = 1;
    asio::co_spawn(ioc, run(client, argv[1], status), asio::detached);
    ioc.run();  // returns once the call is done
    return status;
}
