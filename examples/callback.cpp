// Callback use inside an event loop the application already runs.
// Usage: STYTCH_PROJECT_ID=... STYTCH_SECRET=... example_callback ORGANIZATION_ID

#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <iostream>

#include <stytch/stytch.hpp>

#include "config_from_environment.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: example_callback ORGANIZATION_ID\n";
        return 2;
    }
    boost::asio::io_context ioc;  // the application's own loop
    const stytch::client_config cfg = config_from_environment();
    stytch::client client(ioc.get_executor(), cfg);

    // as_result: the handler gets a stytch::result, with the server's details on failure.
    client.organizations().async_delete_external_id(
        {argv[1]}, {},
        stytch::as_result([&](stytch::result<stytch::b2b::delete_external_id_response> r) {
            if (r) {
                std::cout << "deleted external id of " << r->organization.organization_id << '\n';
            } else if (const auto& [ec, details] = r.error(); ec == stytch::condition::api_error) {
                std::cout << "API error " << details.status_code << ": " << details.error_type
                          << '\n';
            } else {
                std::cout << "failed: " << ec.message() << '\n';
            }
            client.close();  // one call only: let ioc.run() return
        }));
    ioc.run();
}
