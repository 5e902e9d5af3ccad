// stytch-b2b: command-line front end for the Stytch B2B client.

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/system/system_error.hpp>

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include <stytch/stytch.hpp>

#include "arguments.hpp"
#include "bulk.hpp"
#include "environment.hpp"
#include "report.hpp"

static_assert(std::string_view(STYTCH_VERSION_STRING) == STYTCH_PROJECT_VERSION,
              "include/stytch/version.hpp and the CMake project version disagree");

namespace {

// Exit codes, documented in --help and docs/cli.md.
constexpr int exit_ok = 0;
constexpr int exit_api_error = 1;
constexpr int exit_usage = 2;
constexpr int exit_failure = 3;

constexpr std::string_view usage_text =
    R"(usage: stytch-b2b delete-external-id ORGANIZATION_ID [--session-token T | --session-jwt J]
                  [--verbose]
       stytch-b2b delete-external-id --ids FILE|- [--concurrency N] [--resume RESULTS]
                  [--backoff MS] [--session-token T | --session-jwt J]
       stytch-b2b --help | --version

Deletes the external id of a Stytch B2B organization
(DELETE /v1/b2b/organizations/{organization_id}/external_id), or of many.

ORGANIZATION_ID     organization id, slug or external id (percent-encoded on the wire)
--session-token T   run with the permissions of the member owning session token T
--session-jwt J     run with the permissions of the member owning session JWT J
--verbose           print each attempt on stderr: number, retry reason, HTTP status or the
                    phase it failed in, latency, new or reused connection (never a
                    credential)
--version           print the version and exit
--help, -h          print this help and exit

Many organizations (one client, its connections shared by all calls):
--ids FILE|-        the ids, one a line (- for stdin); blank lines and lines starting with #
                    are skipped; an id with whitespace or a control character inside is
                    reported as an error and not sent
--concurrency N     calls at once, 1 to 1024 (default 16)
--resume RESULTS    skip the ids a previous run's output RESULTS reports as succeeded, e.g.
                      stytch-b2b delete-external-id --ids ids.txt --resume out.jsonl >>out.jsonl
--backoff MS        when the API answers 429, no new call starts for MS milliseconds
                    (default 1000) or its Retry-After if longer, doubled by each further
                    429 up to 30 s
Output: one JSON line per id on stdout, as each call ends, in completion order:
  {"id":"...","status":"success","request_id":"..."} or
  {"id":"...","status":"error","error":"..."[,"error_type":"..."][,"status_code":N]
   [,"request_id":"..."]}
stderr: a progress line when it is a terminal, and a summary line at the end. SIGINT or
SIGTERM (Ctrl-C) starts no new call and lets those in flight finish; a second one aborts them.
Exit status: 0 every id succeeded, 1 some failed or were not done, 2 usage or configuration
error (nothing sent).

Environment:
  STYTCH_PROJECT_ID  project id (required; project-live-* selects https://api.stytch.com,
                     anything else https://test.stytch.com)
  STYTCH_SECRET      project secret (required; never printed)
  STYTCH_BASE_URL    https base URL overriding the environment's, e.g. https://host:8443/prefix
  STYTCH_CA_FILE     extra trusted CA certificates (PEM), added to the system trust store
  STYTCH_TIMEOUT_MS  deadline for the whole call in milliseconds (default 30000); values
                     beyond what the clock can count mean no practical limit
  STYTCH_CLIENT_CERT client certificate (PEM) for mutual TLS
  STYTCH_CLIENT_KEY  its private key (PEM); default: read from STYTCH_CLIENT_CERT
  STYTCH_HTTP_VERSION
                     auto (default: offer h2 and http/1.1 by ALPN, speak what the
                     server selects), 1.1 (never offer h2) or 2 (require h2: a server
                     that does not select it fails the call, exit 3)
  https_proxy, HTTPS_PROXY
                     proxy as http[s]://[user:password@]host[:port] (lowercase name first,
                     as curl); its credentials are never printed
  no_proxy, NO_PROXY hosts reached directly: names, domain suffixes, IPs, CIDR blocks, *

Output and exit status of one call:
  0  success: the response as one JSON object on stdout
  1  API error: the error as one JSON object on stdout (status_code, request_id, error_type,
     error_message, error_url, error_details)
  2  usage or configuration error: a one-line reason on stderr naming the argument or
     variable to fix; nothing was sent
  3  transport or decode failure (connect, TLS, timeout, protocol, body too large, a 2xx
     answer that does not decode, a proxy that refuses or breaks the tunnel): a one-line
     reason on stderr naming host:port and the phase (connecting, TLS handshake, waiting
     for the answer), the timeout that passed, or the JSON path that did not decode
)";

int fail(int code, std::string_view reason) {
    std::cerr << "stytch-b2b: " << reason << '\n';
    return code;
}

bool is_usage_error(const boost::system::error_code& ec) {
    return ec == stytch::condition::config_error || ec == stytch::condition::invalid_request;
}

// delete-external-id --ids: reads the ids (and what a resumed run did), then runs them.
int run_ids(const stytch::cli::arguments& args, const stytch::client_config& cfg) {
    using namespace stytch::cli;
    bulk_options options;
    if (*args.ids_file == "-") {
        options.ids = read_ids(std::cin);
    } else if (std::ifstream in(*args.ids_file); in) {
        options.ids = read_ids(in);
    } else {
        return fail(exit_usage, "--ids: cannot read '" + *args.ids_file + "'");
    }
    if (args.resume_file) {
        std::ifstream in(*args.resume_file);
        if (!in) {
            return fail(exit_usage, "--resume: cannot read '" + *args.resume_file + "'");
        }
        const auto resumed = read_resume(in);
        const auto before = options.ids.size();
        std::erase_if(options.ids,
                      [&](const id_entry& e) { return resumed.succeeded.contains(e.id); });
        options.skipped = before - options.ids.size();
        if (resumed.unreadable_lines != 0) {
            std::cerr << "stytch-b2b: --resume: " << resumed.unreadable_lines << " line(s) of '"
                      << *args.resume_file
                      << "' are not results (cut short?); their ids are called again\n";
        }
    }
    options.concurrency = args.concurrency;
    options.first_pause = args.backoff;
    options.session_token = args.session_token;
    options.session_jwt = args.session_jwt;
    options.progress = ::isatty(STDERR_FILENO) == 1;
    try {
        return run_bulk(cfg, options, std::cout, std::cerr);
    } catch (const boost::system::system_error& e) {
        return fail(exit_usage, "configuration: " + tls_files_reason(cfg, e.code()));
    }
}

}  // namespace

int main(int argc, char** argv) {
    using namespace stytch::cli;
    arguments args;
    if (auto reason = parse_arguments(argc, argv, args)) {
        return fail(exit_usage, *reason);
    }
    if (args.what == arguments::action::help) {
        std::cout << usage_text;
        return exit_ok;
    }
    if (args.what == arguments::action::version) {
        std::cout << "stytch-b2b " STYTCH_VERSION_STRING "\n";
        return exit_ok;
    }

    stytch::client_config cfg;
    if (auto reason = config_from_environment(cfg)) {
        return fail(exit_usage, "configuration: " + *reason);
    }
    if (args.ids_file) {
        return run_ids(args, cfg);
    }
    call_trace trace(cfg, api_host_port(cfg));
    cfg.on_attempt = [&trace, verbose = args.verbose](const stytch::attempt_info& info) {
        const std::string line = trace.record(info);
        if (verbose) {
            std::cerr << "stytch-b2b: " << line << '\n';
        }
    };

    boost::asio::io_context ioc;
    std::optional<stytch::client> client;
    try {
        client.emplace(ioc.get_executor(), cfg);
    } catch (const boost::system::system_error& e) {
        return fail(exit_usage, "configuration: " + tls_files_reason(cfg, e.code()));
    }

    int status = exit_failure;
    const auto started = std::chrono::steady_clock::now();
    client->organizations().async_delete_external_id(
        {args.organization_id},
        {.session_token = args.session_token, .session_jwt = args.session_jwt},
        stytch::as_result([&](stytch::result<stytch::b2b::delete_external_id_response> r) {
            if (r) {
                std::cout << boost::json::serialize(boost::json::value_from(*r)) << '\n';
                status = exit_ok;
            } else if (const auto& [ec, details] = r.error(); ec == stytch::condition::api_error) {
                std::cout << boost::json::serialize(boost::json::value_from(details)) << '\n';
                status = exit_api_error;
            } else if (is_usage_error(ec)) {
                status = fail(exit_usage, "invalid request: " + describe(ec));
            } else {
                status = fail(exit_failure,
                              "request failed: " +
                                  trace.failure_reason(ec, details,
                                                       std::chrono::steady_clock::now() - started));
            }
            client->close();
        }));
    ioc.run();
    std::cout.flush();
    return status;
}
