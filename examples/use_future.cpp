// Synchronous code: the io_context runs on a background thread, the caller blocks on a future.
// Usage: STYTCH_PROJECT_ID=... STYTCH_SECRET=... example_use_future ORGANIZATION_ID...
// (optional: STYTCH_BASE_URL, STYTCH_CA_FILE)

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>

#include <cstdlib>
#include <iostream>
#include <thread>

#include <stytch/stytch.hpp>

#include "config_from_environment.hpp"

namespace asio = boost::asio;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: example_use_future ORGANIZATION_ID...\n";
        return 2;
    }
    asio::io_context ioc;
    auto work = asio::make_work_guard(ioc);  // keeps run() going between calls
    std::thread io_thread([&] { ioc.run(); });

    stytch::client_config cfg = config_from_environment();
    int status = 0;
    {
        stytch::client client(ioc.get_executor(), cfg);
        for (int i = 1; i < argc; ++i) {
            // as_result: the future holds a stytch::result, whose value() throws
            // stytch::error_with_details (a boost::system::system_error with the server's
            // details) for a failed call. A plain use_future would throw Asio's system_error,
            // with the error code only.
            auto future = client.organizations().async_delete_external_id(
                {argv[i]}, {}, stytch::as_result(asio::use_future));
            try {
                // get() blocks this thread; the call runs on io_thread.
                auto response = future.get().value();
                std::cout << argv[i] << ": deleted, request " << response.request_id << '\n';
            } catch (const stytch::error_with_details& e) {
                status = 1;
                if (e.code() == stytch::condition::api_error) {
                    std::cout << argv[i] << ": API error " << e.details().status_code << ' '
                              << e.details().error_type << ", request " << e.details().request_id
                              << '\n';
                } else {
                    std::cout << argv[i] << ": failed: " << e.code().message() << '\n';
                }
            }
        }
    }  // the client closes here; nothing is in flight any more
    work.reset();
    io_thread.join();
    return status;
}
