// stytch-mock: serves the mock Stytch B2B DeleteExternalId endpoint over HTTPS on 127.0.0.1
// until SIGINT or SIGTERM.

#include <stytch/mock/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace {

// The sample organizations installed with the executable (see CMakeLists.txt).
std::string default_seed() {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) {
        return {};
    }
    return (exe.parent_path() / STYTCH_MOCK_SEED_FROM_BINDIR).lexically_normal().string();
}

// The defaults shown are the ones in effect: server_options' and the installed seed's.
std::string usage() {
    const stytch::mock::server_options defaults;
    return R"(usage: stytch-mock [options]

Serves DELETE <prefix>/v1/b2b/organizations/{organization_id}/external_id over HTTPS on
127.0.0.1 until SIGINT or SIGTERM. Prints one line "listening on https://127.0.0.1:<port>".
A client authenticates with Basic base64(project_id:secret) of the accepted credentials.

options:
  --port N          port to listen on (default 0: an ephemeral port)
  --seed FILE       organizations to serve: a JSON array or {"organizations": [...]}; every
                    member the client requires must be present (the first one missing is
                    named at start). --seed '' serves none.
                    (default: the sample installed with stytch-mock,
                    )" +
           default_seed() + R"()
  --ca-out FILE     write the generated CA certificate (PEM) to FILE
  --cert FILE       server certificate chain (PEM) to use instead of generating one
  --key FILE        private key (PEM) of --cert
  --project-id ID   accepted project id (default )" +
           defaults.project_id + R"()
  --secret SECRET   accepted secret (default )" +
           defaults.secret + R"()
  --prefix PATH     serve under PATH, e.g. /stytch
  --delay-ms N      every answer waits N milliseconds (0 to 3600000; default 0), without
                    holding up other connections: latency on one machine
  --http2           answer over HTTP/2 when the client offers h2 (ALPN), HTTP/1.1 otherwise
  --help, -h        show this help

With the defaults, a client uses:
  STYTCH_PROJECT_ID=)" +
           defaults.project_id + R"(
  STYTCH_SECRET=)" +
           defaults.secret +
           R"(
  STYTCH_BASE_URL=<the URL printed>  STYTCH_CA_FILE=<the --ca-out FILE>
)";
}

struct usage_error {
    std::string message;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot open '" + path + "'");
    }
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
}

/// A decimal number in [0, max]; `option` names it in the error.
unsigned long parse_number(std::string_view option, const std::string& text, unsigned long max) {
    unsigned long value = 0;
    bool valid = !text.empty() && text.size() <= 9;
    for (char c : text) {
        valid = valid && c >= '0' && c <= '9';
        value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    if (!valid || value > max) {
        throw usage_error{std::string(option) + ": not a number from 0 to " + std::to_string(max) +
                          ": '" + text + "'"};
    }
    return value;
}

}  // namespace

int main(int argc, char** argv) {
    stytch::mock::server_options options;
    std::string seed = default_seed();
    std::optional<std::string> ca_out;
    std::optional<std::string> cert_file;
    std::optional<std::string> key_file;

    try {
        for (int i = 1; i < argc; ++i) {
            const std::string_view arg = argv[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= argc) {
                    throw usage_error{std::string(arg) + " needs a value"};
                }
                return argv[++i];
            };
            if (arg == "--help" || arg == "-h") {
                std::cout << usage();
                return 0;
            } else if (arg == "--port") {
                options.port = static_cast<std::uint16_t>(parse_number("--port", value(), 65535));
            } else if (arg == "--seed") {
                seed = value();
            } else if (arg == "--ca-out") {
                ca_out = value();
            } else if (arg == "--cert") {
                cert_file = value();
            } else if (arg == "--key") {
                key_file = value();
            } else if (arg == "--project-id") {
                options.project_id = value();
            } else if (arg == "--secret") {
                options.secret = value();
            } else if (arg == "--prefix") {
                options.path_prefix = value();
            } else if (arg == "--http2") {
                options.alpn = {"h2", "http/1.1"};
            } else if (arg == "--delay-ms") {
                options.answer_delay =
                    std::chrono::milliseconds(parse_number("--delay-ms", value(), 3'600'000));
            } else {
                throw usage_error{"unknown option '" + std::string(arg) + "'"};
            }
        }
        if (cert_file.has_value() != key_file.has_value()) {
            throw usage_error{"--cert and --key go together"};
        }
    } catch (const usage_error& e) {
        std::cerr << "stytch-mock: " << e.message << "\n\n" << usage();
        return 2;
    }

    try {
        if (cert_file) {
            options.identity =
                stytch::mock::tls_identity{"", read_file(*cert_file), read_file(*key_file)};
        }

        // Signals first, so a SIGTERM sent as soon as the line below is read is handled.
        boost::asio::io_context signals_context;
        boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
        signals.async_wait([](const boost::system::error_code&, int) {});

        stytch::mock::server server(std::move(options));
        if (!seed.empty()) {
            server.load_organizations(seed, stytch::mock::server::seed_check::complete);
        }
        if (ca_out && !cert_file) {
            server.write_ca_file(*ca_out);
        } else if (ca_out) {
            std::cerr << "stytch-mock: --ca-out ignored with --cert\n";
        }

        std::cout << "listening on https://127.0.0.1:" << server.port() << std::endl;

        signals_context.run();
        server.stop();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "stytch-mock: " << e.what() << '\n';
        return 1;
    }
}
