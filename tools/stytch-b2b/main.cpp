// stytch-b2b: command-line front end for the Stytch B2B client.

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/system/system_error.hpp>

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include <stytch/stytch.hpp>

namespace {

// Exit codes, documented in --help and README.
constexpr int exit_ok = 0;
constexpr int exit_api_error = 1;
constexpr int exit_usage = 2;
constexpr int exit_failure = 3;

constexpr std::string_view usage_text =
    R"(usage: stytch-b2b delete-external-id ORGANIZATION_ID [--session-token T | --session-jwt J]
       stytch-b2b --help

Deletes the external id of a Stytch B2B organization
(DELETE /v1/b2b/organizations/{organization_id}/external_id).

ORGANIZATION_ID     organization id, slug or external id (percent-encoded on the wire)
--session-token T   run with the permissions of the member owning session token T
--session-jwt J     run with the permissions of the member owning session JWT J

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
                     auto (default), 1.1 (never offer h2) or 2 (require h2; this build
                     speaks HTTP/1.1 only, so 2 fails)
  https_proxy, HTTPS_PROXY
                     proxy as http[s]://[user:password@]host[:port] (lowercase name first,
                     as curl); its credentials are never printed
  no_proxy, NO_PROXY hosts reached directly: names, domain suffixes, IPs, CIDR blocks, *

Output and exit status:
  0  success: the response as one JSON object on stdout
  1  API error: the error as one JSON object on stdout (status_code, request_id, error_type,
     error_message, error_url, error_details)
  2  usage or configuration error: a one-line reason on stderr; nothing was sent
  3  transport or decode failure (connect, TLS, timeout, protocol, body too large, a 2xx
     answer that does not decode, a proxy that refuses or breaks the tunnel): a one-line
     reason on stderr
)";

int fail(int code, std::string_view reason) {
    std::cerr << "stytch-b2b: " << reason << '\n';
    return code;
}

std::string describe(const boost::system::error_code& ec) {
    return ec.message() + " [" + ec.category().name() + ":" + std::to_string(ec.value()) + "]";
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

struct arguments {
    std::string organization_id;
    stytch::b2b::delete_external_id_options options;
};

// Returns the reason when the arguments are unusable.
std::optional<std::string> parse_arguments(int argc, char** argv, arguments& out) {
    if (argc < 2) {
        return "missing command (try --help)";
    }
    if (std::string_view(argv[1]) != "delete-external-id") {
        return "unknown command '" + std::string(argv[1]) + "' (try --help)";
    }
    bool have_id = false;
    bool options_done = false;
    for (int i = 2; i < argc; ++i) {
        std::string_view arg = argv[i];
        auto value_of = [&](std::string_view name) -> std::optional<std::string> {
            if (arg.size() > name.size() && arg.substr(0, name.size()) == name &&
                arg[name.size()] == '=') {
                return std::string(arg.substr(name.size() + 1));
            }
            if (arg == name && i + 1 < argc) {
                return std::string(argv[++i]);
            }
            return std::nullopt;
        };
        if (!options_done && arg == "--") {
            options_done = true;
        } else if (!options_done && arg.starts_with("--session-token")) {
            auto v = value_of("--session-token");
            if (!v || out.options.session_token) {
                return "--session-token needs exactly one value";
            }
            out.options.session_token = std::move(v);
        } else if (!options_done && arg.starts_with("--session-jwt")) {
            auto v = value_of("--session-jwt");
            if (!v || out.options.session_jwt) {
                return "--session-jwt needs exactly one value";
            }
            out.options.session_jwt = std::move(v);
        } else if (!options_done && arg.starts_with("-") && arg.size() > 1) {
            return "unknown option '" + std::string(arg) + "' (try --help)";
        } else if (have_id) {
            return "more than one ORGANIZATION_ID given";
        } else {
            out.organization_id = std::string(arg);
            have_id = true;
        }
    }
    if (!have_id) {
        return "missing ORGANIZATION_ID";
    }
    if (out.options.session_token && out.options.session_jwt) {
        return "--session-token and --session-jwt are mutually exclusive";
    }
    return std::nullopt;
}

bool is_usage_error(const boost::system::error_code& ec) {
    return ec == stytch::condition::config_error || ec == stytch::condition::invalid_request;
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") {
            std::cout << usage_text;
            return exit_ok;
        }
    }
    arguments args;
    if (auto reason = parse_arguments(argc, argv, args)) {
        return fail(exit_usage, *reason);
    }

    stytch::client_config cfg;
    cfg.project_id = env("STYTCH_PROJECT_ID");
    cfg.secret = env("STYTCH_SECRET");
    cfg.base_url = env("STYTCH_BASE_URL");
    cfg.ca_file = env("STYTCH_CA_FILE");
    cfg.client_certificate_file = env("STYTCH_CLIENT_CERT");
    cfg.client_key_file = env("STYTCH_CLIENT_KEY");
    cfg.proxy_from_environment();
    if (auto timeout = env("STYTCH_TIMEOUT_MS"); !timeout.empty()) {
        std::chrono::milliseconds::rep ms = 0;
        auto [end, ec] = std::from_chars(timeout.data(), timeout.data() + timeout.size(), ms);
        if (ec == std::errc::result_out_of_range && end == timeout.data() + timeout.size() &&
            timeout.front() != '-') {
            ms = std::chrono::milliseconds::max().count();  // more digits than a clock holds
        } else if (ec != std::errc{} || end != timeout.data() + timeout.size() || ms <= 0) {
            return fail(exit_usage, "STYTCH_TIMEOUT_MS must be a positive number of milliseconds");
        }
        cfg.request_timeout = std::chrono::milliseconds(ms);
    }
    if (auto version = env("STYTCH_HTTP_VERSION"); version == "1.1") {
        cfg.http_version = stytch::http_version::http1_1;
    } else if (version == "2") {
        cfg.http_version = stytch::http_version::http2;
    } else if (!version.empty() && version != "auto") {
        return fail(exit_usage, "STYTCH_HTTP_VERSION must be auto, 1.1 or 2");
    }
    cfg.max_connections = 1;

    if (auto ec = cfg.validate()) {
        auto without_proxy = cfg;
        without_proxy.proxy.clear();
        if (!without_proxy.validate()) {  // never print the URL: it may hold a password
            return fail(exit_usage,
                        "configuration: https_proxy/HTTPS_PROXY is not a usable "
                        "http[s]://[user:password@]host[:port] URL");
        }
        return fail(exit_usage, "configuration: " + describe(ec));
    }

    boost::asio::io_context ioc;
    std::optional<stytch::client> client;
    try {
        client.emplace(ioc.get_executor(), cfg);
    } catch (const boost::system::system_error& e) {
        return fail(exit_usage,
                    "configuration: cannot use STYTCH_CA_FILE, STYTCH_CLIENT_CERT or "
                    "STYTCH_CLIENT_KEY: " +
                        describe(e.code()));
    }

    int status = exit_failure;
    stytch::api_error details;
    client->organizations().async_delete_external_id(
        {args.organization_id}, args.options, details,
        [&](boost::system::error_code ec, stytch::b2b::delete_external_id_response response) {
            if (!ec) {
                std::cout << boost::json::serialize(boost::json::value_from(response)) << '\n';
                status = exit_ok;
            } else if (ec == stytch::condition::api_error) {
                std::cout << boost::json::serialize(boost::json::value_from(details)) << '\n';
                status = exit_api_error;
            } else if (is_usage_error(ec)) {
                status = fail(exit_usage, "invalid request: " + describe(ec));
            } else if (ec == stytch::error::proxy_refused) {
                status = fail(exit_failure, "request failed: " + describe(ec) + " with status " +
                                                std::to_string(details.status_code));
            } else {
                status = fail(exit_failure, "request failed: " + describe(ec));
            }
            client->close();
        });
    ioc.run();
    std::cout.flush();
    return status;
}
