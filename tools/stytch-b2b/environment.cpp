#include "environment.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <string_view>

#include <stytch/error.hpp>

namespace stytch::cli {
namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

// What client_config::validate() refuses in a header value.
bool has_control_character(std::string_view s) {
    for (const unsigned char c : s) {
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return true;
        }
    }
    return false;
}

bool readable(const std::string& path) {
    return std::ifstream(path).good();
}

}  // namespace

std::optional<std::string> config_from_environment(client_config& cfg) {
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
            return "STYTCH_TIMEOUT_MS must be a positive number of milliseconds";
        }
        cfg.request_timeout = std::chrono::milliseconds(ms);
    }
    if (auto version = env("STYTCH_HTTP_VERSION"); version == "1.1") {
        cfg.http_version = http_version::http1_1;
    } else if (version == "2") {
        cfg.http_version = http_version::http2;
    } else if (!version.empty() && version != "auto") {
        return "STYTCH_HTTP_VERSION must be auto, 1.1 or 2";
    }
    cfg.max_connections = 1;

    const auto ec = cfg.validate();
    if (!ec) {
        return std::nullopt;
    }
    if (ec == error::missing_project_id) {
        return "STYTCH_PROJECT_ID is empty: set it to your project id (project-test-... or "
               "project-live-...)";
    }
    if (ec == error::missing_secret) {
        return "STYTCH_SECRET is empty: set it to your project secret";
    }
    if (ec == error::invalid_header_value) {
        return has_control_character(cfg.project_id)
                   ? "STYTCH_PROJECT_ID contains a control character"
                   : "STYTCH_SECRET contains a control character";
    }
    if (ec == error::invalid_base_url) {
        return "STYTCH_BASE_URL is not a valid https://host[:port][/prefix] URL";
    }
    if (ec == error::insecure_base_url) {
        return "STYTCH_BASE_URL must use https://";
    }
    if (!cfg.proxy.empty()) {
        auto without_proxy = cfg;
        without_proxy.proxy.clear();
        if (!without_proxy.validate()) {  // never print the URL: it may hold a password
            return "https_proxy/HTTPS_PROXY is not a usable http[s]://[user:password@]host[:port] "
                   "URL";
        }
    }
    if (!cfg.client_key_file.empty() && cfg.client_certificate_file.empty()) {
        return "STYTCH_CLIENT_KEY is set but STYTCH_CLIENT_CERT is empty: set both";
    }
    return "unusable configuration: " + ec.message();
}

std::string tls_files_reason(const client_config& cfg, const boost::system::error_code& what) {
    for (const auto& [name, path] : {std::pair{"STYTCH_CA_FILE", &cfg.ca_file},
                                     std::pair{"STYTCH_CLIENT_CERT", &cfg.client_certificate_file},
                                     std::pair{"STYTCH_CLIENT_KEY", &cfg.client_key_file}}) {
        if (!path->empty() && !readable(*path)) {
            return std::string(name) + ": cannot read '" + *path + "'";
        }
    }
    return "cannot use STYTCH_CA_FILE, STYTCH_CLIENT_CERT or STYTCH_CLIENT_KEY (a PEM file "
           "that does not load, or a key that does not match the certificate): " +
           what.message();
}

std::string api_host_port(const client_config& cfg) {
    if (cfg.base_url.empty()) {
        return cfg.project_id.starts_with("project-live-") ? "api.stytch.com:443"
                                                           : "test.stytch.com:443";
    }
    std::string_view url = cfg.base_url;
    if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
        url.remove_prefix(scheme + 3);
    }
    std::string_view authority = url.substr(0, url.find_first_of("/?#"));
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        authority.remove_prefix(at + 1);
    }
    const auto colon = authority.rfind(':');
    const auto bracket = authority.rfind(']');
    const bool has_port =
        colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
    return std::string(authority) + (has_port ? "" : ":443");
}

}  // namespace stytch::cli
