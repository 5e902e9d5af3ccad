// The library through a real proxy (Debian's tinyproxy, started here on 127.0.0.1): pooled
// connections are reused through it, one CONNECT for many calls, as its log shows.

#include <boost/asio/ip/tcp.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/attempt_log.hpp"
#include "support/calls.hpp"
#include "support/h2_run.hpp"
#include "support/process.hpp"

using namespace stytch;
using namespace stytch::test;
namespace fs = std::filesystem;

namespace {

// tinyproxy in the foreground with its own config and log in a fresh directory.
class tinyproxy {
  public:
    tinyproxy() : dir_(fs::path(temp_path("stytch-tinyproxy")).replace_extension()) {
        fs::create_directories(dir_);
        port_ = closed_port();
        std::ofstream(dir_ / "tinyproxy.conf")
            << "Port " << port_ << "\nListen 127.0.0.1\nTimeout 30\nLogFile \""
            << (dir_ / "tinyproxy.log").string() << "\"\nLogLevel Connect\nMaxClients 16\n"
            << "Allow 127.0.0.1\n";
        const std::string conf = (dir_ / "tinyproxy.conf").string();
        pid_ = ::fork();
        if (pid_ == 0) {
            ::execlp("tinyproxy", "tinyproxy", "-d", "-c", conf.c_str(), nullptr);
            ::_exit(127);
        }
        BOOST_REQUIRE_MESSAGE(pid_ > 0, "fork failed");
        BOOST_REQUIRE_MESSAGE(eventually([&] { return accepts(); }, std::chrono::seconds(10)),
                              "tinyproxy (Debian package tinyproxy-bin) did not start");
    }
    ~tinyproxy() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
        }
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    // CONNECT requests in the log.
    std::size_t connects() const {
        std::ifstream in(dir_ / "tinyproxy.log");
        std::string line;
        std::size_t n = 0;
        while (std::getline(in, line)) {
            n += line.find("): CONNECT ") != std::string::npos;
        }
        return n;
    }

  private:
    bool accepts() const {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            return false;  // exited
        }
        boost::asio::io_context ioc;
        boost::asio::ip::tcp::socket s(ioc);
        boost::system::error_code ec;
        s.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
        return !ec;
    }

    fs::path dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(real_proxy)

BOOST_AUTO_TEST_CASE(pooled_calls_through_tinyproxy_share_one_connect) {
    tinyproxy proxy;
    server_fixture f;  // https://127.0.0.1:port: tinyproxy connects there
    auto cfg = fast_config(f);
    cfg.proxy = proxy.url();
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    for (int i = 0; i < 5; ++i) {
        auto r = call(f, c);
        BOOST_TEST(r.has_value(), (r.has_value() ? "" : r.error().code.message()));
    }
    BOOST_TEST(f.server.requests_received() == 5u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
    BOOST_TEST(proxy.connects() == 1u);  // tinyproxy logs a CONNECT as it reads it
    const auto entries = log.entries();
    BOOST_REQUIRE_EQUAL(entries.size(), 5u);
    BOOST_TEST(entries[4].info.reused_connection);
    // ALPN ran inside the tunnel: the mock saw the client's offer. In the h2 run the request
    // came as an h2 stream (no content-length; over HTTP/1.1 a DELETE sends Content-Length: 0).
    BOOST_TEST(f.server.alpn_offers().size() == 1u);
    BOOST_TEST(f.server.requests().at(0).header("content-length").empty() == over_http2());
}

BOOST_AUTO_TEST_SUITE_END()
