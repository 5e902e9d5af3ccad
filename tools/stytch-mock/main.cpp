// stytch-mock: serves the mock Stytch B2B DeleteExternalId endpoint over HTTPS on 127.0.0.1
// until SIGINT or SIGTERM.

#include <stytch/mock/server.hpp>

#include "request_log.hpp"
#include "scenario.hpp"

#include <boost/json/parse.hpp>

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
#include <stdexcept>
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
  --http2           answer over HTTP/2 when the client offers h2 (ALPN), HTTP/1.1 otherwise
  --log FILE|-      append one JSON object per request to FILE (- : stdout, after the
                    "listening" line): time, connection, method, path, protocol, headers
                    (credentials masked: "Basic ***"), status (null: none sent), duration_us
  --help, -h        show this help

faults (a scenario; later flags replace what earlier ones and --scenario set):
  --latency MS      every answer waits MS milliseconds (0 to 3600000), other connections
                    served meanwhile
  --delay-ms MS     the same as --latency
  --latency-uniform MIN:MAX
                    every answer waits a time drawn uniformly from MIN to MAX ms
  --sequence LIST   the n-th request (counted over all connections) gets the n-th step of the
                    comma-separated LIST; requests after it are served normally. Steps:
                      ok                   the normal answer
                      STATUS[:SECONDS]     an error answer (400-599) in Stytch's shape,
                                           with Retry-After: SECONDS if given (429:2)
                      drop                 close the connection, no answer (FIN)
                      reset                reset the connection, no answer (RST)
                      truncate[:BYTES]     a 200 whose body stops after BYTES (default half)
                                           of the announced Content-Length, then close
                      stray                the normal answer, then an unsolicited second one
                      slow_body[:PIECE:MS] the normal answer, its body PIECE bytes (64) every
                                           MS milliseconds (50)
                      stall                no answer at all
                    reset, truncate, stray and slow_body are HTTP/1.1 faults: on HTTP/2
                    they reset the stream.
  --repeat          play the sequence again and again
  --goaway-after N  HTTP/2: send GOAWAY when a connection's N-th request arrives (later
                    streams on that connection are not processed)
  --scenario FILE   the same as one JSON object, e.g.
                    {"latency_ms": {"min": 5, "max": 50}, "repeat": false, "goaway_after": 0,
                     "sequence": ["429:1", {"status": 503, "retry_after": 2}, "drop",
                                  {"fault": "slow_body", "piece": 16, "interval_ms": 20}, "ok"]}
                    ("latency_ms": MS for a fixed latency)

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
    std::optional<std::string> log_file;
    stytch::mock::detail::scenario scenario;

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
            } else if (arg == "--delay-ms" || arg == "--latency") {
                scenario.latency = std::chrono::milliseconds(parse_number(arg, value(), 3'600'000));
                scenario.latency_max = {};
            } else if (arg == "--latency-uniform") {
                stytch::mock::detail::parse_latency_range(value(), scenario);
            } else if (arg == "--sequence") {
                scenario.sequence = stytch::mock::detail::parse_sequence(value());
            } else if (arg == "--repeat") {
                scenario.repeat = true;
            } else if (arg == "--goaway-after") {
                scenario.goaway_after = parse_number(arg, value(), 1'000'000'000);
            } else if (arg == "--scenario") {
                const std::string file = value();
                boost::system::error_code ec;
                const auto document = boost::json::parse(read_file(file), ec);
                if (ec) {
                    throw usage_error{"--scenario: '" + file + "' is not JSON: " + ec.message()};
                }
                try {
                    stytch::mock::detail::merge_scenario(document, scenario);
                } catch (const std::invalid_argument& e) {
                    throw usage_error{"--scenario: '" + file + "': " + e.what()};
                }
            } else if (arg == "--log") {
                log_file = value();
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
    } catch (const std::invalid_argument& e) {  // a step, a range
        std::cerr << "stytch-mock: " << e.what() << "\n\n" << usage();
        return 2;
    } catch (const std::runtime_error& e) {  // --scenario FILE unreadable
        std::cerr << "stytch-mock: --scenario: " << e.what() << '\n';
        return 2;
    }

    try {
        if (cert_file) {
            options.identity =
                stytch::mock::tls_identity{"", read_file(*cert_file), read_file(*key_file)};
        }

        stytch::mock::detail::apply_to_options(scenario, options);
        // The log outlives the server, which reports abandoned requests when it stops.
        std::ofstream log_stream;
        std::optional<stytch::mock::detail::request_log> log;
        if (log_file == "-") {
            log.emplace(std::cout);
        } else if (log_file) {
            log_stream.open(*log_file, std::ios::app);
            if (!log_stream) {
                throw std::runtime_error("--log: cannot open '" + *log_file + "'");
            }
            log.emplace(log_stream);
        }
        if (log) {
            options.on_answered = [&log](const stytch::mock::answered_request& entry) {
                log->write(entry);
            };
        }

        // Signals first, so a SIGTERM sent as soon as the line below is read is handled.
        boost::asio::io_context signals_context;
        boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
        signals.async_wait([](const boost::system::error_code&, int) {});

        stytch::mock::server server(std::move(options));
        server.set_override(stytch::mock::detail::make_hook(scenario));
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
