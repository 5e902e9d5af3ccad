// Many deletes with bounded concurrency: organization ids read from a file (one per line), at
// most CONCURRENCY calls in flight, over a pool of as many connections.
// Usage: STYTCH_PROJECT_ID=... STYTCH_SECRET=... example_bulk_delete IDS_FILE [CONCURRENCY]
// (optional: STYTCH_BASE_URL, STYTCH_CA_FILE). Exit status 0 when every call succeeded.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <stytch/stytch.hpp>

#include "config_from_environment.hpp"

namespace asio = boost::asio;

namespace {

// Shared by the workers. The io_context runs on one thread, so no locking is needed.
struct job {
    std::vector<std::string> ids;
    std::size_t next = 0;
    std::size_t succeeded = 0, api_errors = 0, other_errors = 0;
    std::size_t workers_left = 0;
};

// One worker: takes the next id until none is left. CONCURRENCY workers bound the calls in
// flight; the pool (max_connections) bounds the connections.
asio::awaitable<void> worker(stytch::client& client, job& j) {
    while (j.next < j.ids.size()) {
        const std::string& id = j.ids[j.next++];
        auto result = co_await client.organizations().async_delete_external_id(
            {id}, {}, stytch::as_result(asio::use_awaitable));
        if (result) {
            ++j.succeeded;
        } else if (result.error().code == stytch::condition::api_error) {
            ++j.api_errors;
            std::cout << id << ": " << result.error().details.status_code << ' '
                      << result.error().details.error_type << '\n';
        } else {
            ++j.other_errors;
            std::cout << id << ": " << result.error().code.message() << '\n';
        }
    }
    if (--j.workers_left == 0) {
        client.close();  // last worker: let ioc.run() return without waiting for idle timeouts
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::cerr << "usage: example_bulk_delete IDS_FILE [CONCURRENCY]\n";
        return 2;
    }
    job j;
    std::ifstream in(argv[1]);
    if (!in) {
        std::cerr << "cannot open " << argv[1] << '\n';
        return 2;
    }
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.front() != '#') {
            j.ids.push_back(line);
        }
    }
    const std::size_t concurrency = argc == 3 ? std::strtoul(argv[2], nullptr, 10) : 8;
    if (concurrency == 0 || j.ids.empty()) {
        std::cerr << "nothing to do (no ids, or CONCURRENCY 0)\n";
        return 2;
    }

    asio::io_context ioc;
    stytch::client_config cfg = config_from_environment();
    cfg.max_connections = concurrency;
    stytch::client client(ioc.get_executor(), cfg);

    j.workers_left = std::min(concurrency, j.ids.size());
    for (std::size_t i = 0; i < j.workers_left; ++i) {
        asio::co_spawn(ioc, worker(client, j), asio::detached);
    }
    ioc.run();
    std::cout << "succeeded " << j.succeeded << ", API errors " << j.api_errors << ", other errors "
              << j.other_errors << '\n';
    return j.api_errors + j.other_errors == 0 ? 0 : 1;
}
