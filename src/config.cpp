// client_config::validate().

#include <stytch/config.hpp>
#include <stytch/error.hpp>

#include <cstdlib>

#include "codec/base_url.hpp"
#include "codec/proxy_url.hpp"
#include "codec/request_encoder.hpp"

namespace stytch {
namespace {

// The decoders recurse once per nesting level: this keeps the stack use small.
constexpr std::size_t max_json_depth_limit = 1024;

// The first of two environment variables that is set and not empty, else "".
std::string first_set(const char* preferred, const char* other) {
    for (const char* name : {preferred, other}) {
        const char* v = std::getenv(name);
        if (v != nullptr && *v != '\0') {
            return v;
        }
    }
    return {};
}

}  // namespace

void client_config::proxy_from_environment() {
    proxy = first_set("https_proxy", "HTTPS_PROXY");
    no_proxy = first_set("no_proxy", "NO_PROXY");
}

boost::system::error_code client_config::validate() const {
    if (project_id.empty()) {
        return error::missing_project_id;
    }
    if (secret.empty()) {
        return error::missing_secret;
    }
    if (!detail::is_valid_header_value(project_id) || !detail::is_valid_header_value(secret) ||
        !detail::is_valid_header_value(user_agent)) {
        return error::invalid_header_value;
    }

    const std::string_view url =
        base_url.empty() ? detail::default_base_url(project_id) : std::string_view(base_url);
    if (auto ep = detail::parse_base_url(url); !ep) {
        return ep.error();
    }

    using std::chrono::milliseconds;
    if (connect_timeout <= milliseconds::zero() || request_timeout <= milliseconds::zero() ||
        idle_timeout <= milliseconds::zero() || max_connections == 0 || max_response_body == 0 ||
        max_streams_per_connection == 0 || h2_ping_after_idle <= milliseconds::zero() ||
        h2_connection_window == 0 || h2_connection_window > 0x7fffffff || max_json_depth == 0 ||
        max_json_depth > max_json_depth_limit || retry.max_attempts == 0 ||
        retry.base_delay < milliseconds::zero() || retry.max_delay < retry.base_delay) {
        return error::invalid_config;
    }
    if (!proxy.empty() && !detail::parse_proxy_url(proxy)) {
        return error::invalid_config;
    }
    if (!client_key_file.empty() && client_certificate_file.empty()) {
        return error::invalid_config;
    }
    if (http_version != stytch::http_version::automatic &&
        http_version != stytch::http_version::http1_1 &&
        http_version != stytch::http_version::http2) {
        return error::invalid_config;  // a value cast from an integer
    }
    return {};
}

}  // namespace stytch
