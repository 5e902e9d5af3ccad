// Built by scripts/check-package with only `pkg-config --cflags --libs stytch` (and -Wall
// -Wextra -Wpedantic -Werror): the installed headers compile and libstytch links with the flags
// the .pc file gives, which must not take away deprecated Asio names (io_service).

#include <boost/asio/io_service.hpp>

#include <cstdio>

#include <stytch/stytch.hpp>

int main() {
    boost::asio::io_service ioc;
    stytch::client client(ioc.get_executor(),
                          {.project_id = "project-test-pkgconfig", .secret = "secret"});
    std::printf("stytch %s, user agent '%s'\n", STYTCH_VERSION_STRING,
                client.config().user_agent.c_str());
    return client.config().user_agent == "Stytch C++ v" STYTCH_VERSION_STRING ? 0 : 1;
}
