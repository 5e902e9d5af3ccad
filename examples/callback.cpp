// One DeleteExternalId call with a callback, in a complete program that exits once it is done.
// Self-contained (README shows it whole): copy it, link stytch::stytch, run it.
// Usage: STYTCH_PROJECT_ID=... STYTCH_SECRET=... example_callback ORGANIZATION_ID
// (optional: STYTCH_BASE_URL and STYTCH_CA_FILE, e.g. to call stytch-mock)

#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

#include <stytch/stytch.hpp>

static std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: example_callback ORGANIZATION_ID\n";
        return 2;
    }
    stytch::client_config cfg;
    cfg.project_id = env("STYTCH_PROJECT_ID");
    cfg.secret = env("STYTCH_SECRET");
    cfg.base_url = env("STYTCH_BASE_URL");  // empty: derived from the project id
    cfg.ca_file = env("STYTCH_CA_FILE");    // empty: the system trust store only

    boost::asio::io_context ioc;                     // the application's own event loop
    stytch::client client(ioc.get_executor(), cfg);  // throws system_error for a bad cfg
    stytch::api_error details;                       // filled for API errors; outlives the call
    client.organizations().async_delete_external_id(
        {argv[1]}, {}, details,
        [&](boost::system::error_code ec, stytch::b2b::delete_external_id_response response) {
            if (!ec) {
                std::cout << "deleted external id of " << response.organization.organization_id
                          << '\n';
            } else if (ec == stytch::condition::api_error) {
                std::cout << "API error " << details.status_code << ": " << details.error_type
                          << '\n';
            } else {
                std::cout << "failed: " << ec.message() << '\n';
            }
        });
    ioc.run();  // returns once the call has completed: an idle client keeps nothing pending
}
