#pragma once

/// @file
/// An in-process mock of the Stytch B2B API endpoint
/// `DELETE /v1/b2b/organizations/{organization_id}/external_id`, served over HTTPS on
/// 127.0.0.1 by its own threads. Meant for tests: it records every request, and a hook can
/// replace any answer with a custom one, a dropped connection or no answer at all.
///
/// The header to include: it brings the whole API, whose parts live in the headers it
/// includes (`server_options.hpp`, `reply.hpp`, `recorded_request.hpp`, `certificates.hpp`).

#include <stytch/mock/certificates.hpp>
#include <stytch/mock/recorded_request.hpp>
#include <stytch/mock/reply.hpp>
#include <stytch/mock/server_options.hpp>

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stytch::mock {

/// The mock server. It binds and listens in the constructor and serves until `stop()` or
/// destruction.
///
/// Thread-safety: every public member may be called from any thread, concurrently, except
/// that `stop()` and the destructor must not be called from the override hook (they join the
/// server's threads).
///
/// Normal handling: only `DELETE <prefix>/v1/b2b/organizations/{id}/external_id` is served,
/// `{id}` percent-decoded and matched against organization_id, organization_slug and
/// organization_external_id. Answers use the Stytch error shape
/// `{status_code, request_id, error_type, error_message, error_url}`:
/// - other paths: 404 `route_not_found`; the path with another method: 405
///   `method_not_allowed`;
/// - Authorization other than `Basic base64(project_id:secret)`: 401 `unauthorized_credentials`;
/// - unknown id: 404 `organization_not_found`; undecodable id: 400 `bad_request`;
/// - success: the stored organization loses its organization_external_id member (as the
///   real API, whose organization has no external id then), and the answer, 200
///   `{request_id, status_code, organization}`, holds that stored record: without the member.
/// - malformed HTTP: 400 `bad_request`; headers over 8 KiB: 431 `request_header_too_large`;
///   body over 64 KiB: 413 `request_too_large`; each followed by closing the connection.
/// Responses are HTTP/1.1 keep-alive (unless the client asks for `Connection: close`) with
/// Content-Type: application/json and Content-Length.
class server {
  public:
    /// Binds, listens and starts the threads. Throws std::runtime_error (including
    /// boost::system::system_error) when it cannot.
    explicit server(server_options opts = {});
    /// Calls `stop()`.
    ~server();

    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Closes the listener and every connection, and joins the threads. Idempotent. Pending
    /// answers (stalls included) are abandoned; clients see the connection close.
    void stop();

    /// The bound port.
    std::uint16_t port() const;
    /// "https://<address>:<port><prefix>", e.g. "https://127.0.0.1:40123/stytch".
    std::string base_url() const;
    /// The TLS material in use; `.ca_certificate_pem` is the clients' trust anchor.
    const tls_identity& identity() const;
    /// Writes `identity().ca_certificate_pem` to `path`. Throws std::runtime_error on failure
    /// or when there is no CA certificate.
    void write_ca_file(const std::string& path) const;

    /// How much `add_organization` and `load_organizations` check of each organization.
    enum class seed_check {
        id_only,  ///< a non-empty string organization_id (tests may serve partial answers)
        /// What the client decodes: every member it requires, at every level, present, not
        /// null and of its JSON type, and every optional member it knows absent, null or of
        /// its JSON type.
        complete,
    };

    /// Adds or replaces (by organization_id) an organization. Throws std::invalid_argument
    /// when `organization_id` is missing or not a non-empty string, and, with
    /// `seed_check::complete` (the default), when the client could not decode the record: the
    /// message names the first faulty member, e.g. `custom_roles[0].role_id is missing` or
    /// `created_at is not a string`. Pass `seed_check::id_only` to serve a partial record on
    /// purpose.
    void add_organization(boost::json::object organization,
                          seed_check check = seed_check::complete);

    /// Adds every organization of a JSON file holding an array of organization objects or
    /// `{"organizations": [...]}`, all or none. Throws std::runtime_error on failure; with
    /// `seed_check::complete` its message names the first absent, null or mistyped required
    /// member, e.g. `organizations[2]: custom_roles[0].permissions[1].resource_id is missing`.
    void load_organizations(const std::string& json_file, seed_check check = seed_check::id_only);
    /// The stored organization whose organization_id, organization_slug or
    /// organization_external_id equals the argument (organization_id first).
    std::optional<boost::json::object> find_organization(
        std::string_view id_slug_or_external_id) const;

    /// Installs (or, with an empty function, removes) a hook called on a server thread for
    /// every request before normal handling; `std::nullopt` means normal handling. The hook
    /// may be called concurrently when `threads > 1`. If it throws, the answer is a 500.
    void set_override(std::function<std::optional<reply>(const recorded_request&)> hook);

    /// TCP connections accepted so far.
    std::size_t connections_accepted() const;
    /// TCP connections currently open.
    std::size_t connections_open() const;
    /// Steps of scripted answers (`reply::kind::script`) carried out so far, over all
    /// connections; a write step counts once the client's TCP has acknowledged its bytes.
    std::size_t script_steps_completed() const;
    /// Scripted answers under way: started, and neither through their last step nor ended by
    /// a failed write or `stop()` (a script ending in close_notify counts as through once the
    /// close_notify was acknowledged, while the server waits for the client to close).
    std::size_t scripts_running() const;
    /// HTTP/2 GOAWAY frames received from clients so far, over all connections.
    std::size_t goaways_received() const;
    /// Connections on which the client's TLS close_notify was received before the
    /// connection ended (a polite close, not an abrupt one); counted when the server is done
    /// with the connection.
    std::size_t close_notifies_received() const;
    /// The ALPN protocol lists offered by the clients' TLS handshakes so far, in order (none
    /// is recorded for a handshake without ALPN, nor when `record_requests` is off).
    std::vector<std::vector<std::string>> alpn_offers() const;
    /// Complete requests received so far (counted even when `record_requests` is off).
    std::size_t requests_received() const;
    /// Every complete request received, in order of arrival.
    std::vector<recorded_request> requests() const;
    /// Forgets the recorded requests; the counters (`requests_received()`, connections) stay.
    void clear_requests();

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace stytch::mock
