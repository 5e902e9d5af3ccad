// The organizations API the mock serves: the store of organizations (seeded, looked up by id,
// slug or external id), the routing of DELETE .../organizations/{id}/external_id, and the
// answers, successes and Stytch-shaped errors.

#include "http_text.hpp"
#include "organization_schema.hpp"
#include "server_impl.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace stytch::mock {

using detail::basic_credentials;
using detail::percent_decode;

namespace {

constexpr std::string_view api_path = "/v1/b2b/organizations/";
constexpr std::string_view api_suffix = "/external_id";

const json::string* string_field(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v != nullptr ? v->if_string() : nullptr;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("stytch::mock: cannot open '" + path + "'");
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw std::runtime_error("stytch::mock: cannot read '" + path + "'");
    }
    return std::move(text).str();
}

void validate_organization(const json::object& organization) {
    const json::string* id = string_field(organization, "organization_id");
    if (id == nullptr || id->empty()) {
        throw std::invalid_argument(
            "stytch::mock::server: an organization needs a non-empty string organization_id");
    }
}

}  // namespace

std::string server::impl::new_request_id() {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    {
        std::lock_guard lock(mutex);
        hi = rng();
        lo = rng();
    }
    // A version-4 UUID layout.
    hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
    lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
    char text[64];
    std::snprintf(text, sizeof text, "request-id-test-%08x-%04x-%04x-%04x-%012llx",
                  static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xffff),
                  static_cast<unsigned>(hi & 0xffff), static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return text;
}

reply server::impl::error(int status, std::string_view type, std::string_view message) {
    json::object body;
    body["status_code"] = status;
    body["request_id"] = new_request_id();
    body["error_type"] = type;
    body["error_message"] = message;
    body["error_url"] =
        "https://stytch.com/docs/api/errors/" + std::to_string(status) + "#" + std::string(type);
    reply r;
    r.status = status;
    r.body = json::serialize(body);
    return r;
}

reply server::impl::handle(const recorded_request& request) {
    std::string_view path = request.target;
    path = path.substr(0, path.find_first_of("?#"));
    auto not_found = [&] {
        return error(404, "route_not_found",
                     "Route not found: " + request.method + " " + std::string(path) + ".");
    };
    std::string_view rest = path;
    if (!prefix.empty()) {
        if (!rest.starts_with(prefix)) {
            return not_found();
        }
        rest.remove_prefix(prefix.size());
    }
    if (!rest.starts_with(api_path)) {
        return not_found();
    }
    rest.remove_prefix(api_path.size());
    const auto slash = rest.find('/');
    if (slash == 0 || slash == std::string_view::npos || rest.substr(slash) != api_suffix) {
        return not_found();
    }
    const std::string_view segment = rest.substr(0, slash);
    if (request.method != "DELETE") {
        reply r = error(405, "method_not_allowed",
                        "Method " + request.method + " is not allowed on this route.");
        r.headers.emplace_back("Allow", "DELETE");
        return r;
    }

    const auto credentials = basic_credentials(request.header("Authorization"));
    if (!credentials || *credentials != expected_credentials) {
        return error(401, "unauthorized_credentials", "Unauthorized credentials.");
    }

    const auto id = percent_decode(segment);
    if (!id || id->empty()) {
        return error(400, "bad_request", "The organization_id in the path is malformed.");
    }

    std::optional<json::object> organization;
    {
        std::lock_guard lock(mutex);
        if (json::object* stored = find_locked(*id)) {
            // The real API's organization then has no external id: the member is left out (its
            // schema has it as an optional string, never null), in the store and the answer.
            stored->erase("organization_external_id");
            organization = *stored;
        }
    }
    if (!organization) {
        return error(404, "organization_not_found", "Organization could not be found.");
    }

    json::object body;
    body["request_id"] = new_request_id();
    body["status_code"] = 200;
    body["organization"] = std::move(*organization);
    reply r;
    r.status = 200;
    r.body = json::serialize(body);
    return r;
}

json::object* server::impl::find_locked(std::string_view key) {
    if (auto it = organizations.find(key); it != organizations.end()) {
        return &it->second;
    }
    for (const char* field : {"organization_slug", "organization_external_id"}) {
        for (auto& [id, organization] : organizations) {
            const json::string* value = string_field(organization, field);
            if (value != nullptr && *value == key) {
                return &organization;
            }
        }
    }
    return nullptr;
}

void server::impl::add_locked(json::object organization) {
    const json::string* id = string_field(organization, "organization_id");
    std::string key(id->data(), id->size());
    organizations.insert_or_assign(std::move(key), std::move(organization));
}

void server::add_organization(json::object organization, seed_check check) {
    validate_organization(organization);
    if (check == seed_check::complete) {
        if (auto reason = detail::incomplete_member(organization)) {
            throw std::invalid_argument(
                "stytch::mock::server: the client could not decode this organization: " + *reason);
        }
    }
    std::lock_guard lock(impl_->mutex);
    impl_->add_locked(std::move(organization));
}

void server::load_organizations(const std::string& json_file, seed_check check) {
    const std::string text = read_file(json_file);
    boost::system::error_code ec;
    json::value document = json::parse(text, ec);
    if (ec) {
        throw std::runtime_error("stytch::mock: '" + json_file + "' is not JSON: " + ec.message());
    }
    const json::array* list = document.if_array();
    if (list == nullptr) {
        if (const json::object* o = document.if_object()) {
            if (const json::value* v = o->if_contains("organizations")) {
                list = v->if_array();
            }
        }
    }
    if (list == nullptr) {
        throw std::runtime_error("stytch::mock: '" + json_file +
                                 "' holds neither an array of organizations nor "
                                 "{\"organizations\": [...]}");
    }
    std::vector<json::object> loaded;
    for (const json::value& v : *list) {
        const json::object* o = v.if_object();
        if (o == nullptr) {
            throw std::runtime_error("stytch::mock: '" + json_file +
                                     "': every organization must be a JSON object");
        }
        try {
            validate_organization(*o);
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error("stytch::mock: '" + json_file + "': " + e.what());
        }
        if (check == seed_check::complete) {
            if (auto reason = detail::incomplete_member(*o)) {
                throw std::runtime_error("stytch::mock: '" + json_file + "': organizations[" +
                                         std::to_string(loaded.size()) + "]: " + *reason);
            }
        }
        loaded.push_back(*o);
    }
    std::lock_guard lock(impl_->mutex);
    for (auto& o : loaded) {
        impl_->add_locked(std::move(o));
    }
}

std::optional<json::object> server::find_organization(
    std::string_view id_slug_or_external_id) const {
    std::lock_guard lock(impl_->mutex);
    if (const json::object* o = impl_->find_locked(id_slug_or_external_id)) {
        return *o;
    }
    return std::nullopt;
}

}  // namespace stytch::mock
