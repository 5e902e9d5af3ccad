// Built by scripts/check-package with only `pkg-config --cflags --libs stytch`: the installed
// headers compile and libstytch links with the flags the .pc file gives.

#include <boost/asio/io_context.hpp>

#include <cstdio>

#include <stytch/stytch.hpp>

int main() {
    boost::asio::io_context ioc;
    stytch::client_config cfg;
    cfg.project_id = "project-test-pkgconfig";
    cfg.secret = "secret";
    stytch::client client(ioc.get_executor(), cfg);
    std::printf("stytch %s, user agent '%s'\n", STYTCH_VERSION_STRING,
                client.config().user_agent.c_str());
    return client.config().user_agent == "Stytch C++ v" STYTCH_VERSION_STRING ? 0 : 1;
}
