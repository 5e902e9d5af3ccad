// client_config::validate().

#include <stytch/config.hpp>
#include <stytch/error.hpp>

#include "codec/base_url.hpp"
#include "codec/request_encoder.hpp"

namespace stytch {
namespace {

// The decoders recurse once per nesting level: this keeps the stack use small.
constexpr std::size_t max_json_depth_limit = 1024;

}  // namespace

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
        max_json_depth == 0 || max_json_depth > max_json_depth_limit || retry.max_attempts == 0 ||
        retry.base_delay < milliseconds::zero() || retry.max_delay < retry.base_delay) {
        return error::invalid_config;
    }
    return {};
}

}  // namespace stytch
