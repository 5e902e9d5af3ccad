#pragma once

// A small blocking HTTPS client written directly on Beast, for the mock_server tests that must
// see the mock's bytes and connections as they are (the client library is deliberately not
// used), and the requests and answer checks those tests share.

#include <stytch/mock/server.hpp>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/object.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace stytch::mock::testing {

using request_type = boost::beast::http::request<boost::beast::http::string_body>;
using response_type = boost::beast::http::response<boost::beast::http::string_body>;

std::string basic_auth(const std::string& user, const std::string& password);

/// The path of the mock's one endpoint for the organization `id`.
std::string api_target(std::string_view id, std::string_view prefix = "");

/// A DELETE of `target` with the credentials of `opts`.
request_type delete_request(const server_options& opts, std::string target);

/// A minimal blocking-style HTTPS client: each call runs the client's own io_context until the
/// operation completes or its timeout (a beast::tcp_stream expiry) fires.
class tls_client {
  public:
    using error_code = boost::system::error_code;
    using milliseconds = std::chrono::milliseconds;

    explicit tls_client(const server& srv);
    explicit tls_client(const std::string& ca_pem);
    ~tls_client();
    tls_client(const tls_client&) = delete;
    tls_client& operator=(const tls_client&) = delete;

    void set_port(std::uint16_t port);

    error_code connect(milliseconds timeout = std::chrono::seconds(10));
    error_code connect_tcp_only(milliseconds timeout = std::chrono::seconds(10));
    error_code handshake(milliseconds timeout = std::chrono::seconds(10));
    error_code write(request_type& req, milliseconds timeout = std::chrono::seconds(10));
    error_code write_raw(const std::string& bytes, milliseconds timeout = std::chrono::seconds(10));
    /// Writes on the TCP socket under TLS.
    error_code write_plain(const std::string& bytes,
                           milliseconds timeout = std::chrono::seconds(10));
    error_code read(response_type& res, milliseconds timeout = std::chrono::seconds(10));
    /// Reads on the TCP socket under TLS until it fails (e.g. the server closes).
    error_code read_plain_until_error(milliseconds timeout = std::chrono::seconds(10));
    /// One read of the TLS stream (at most one TLS record's plaintext) into `out`.
    error_code read_some(std::string& out, milliseconds timeout = std::chrono::seconds(10));
    /// Writes `req` and reads the answer; throws when either fails.
    response_type exchange(request_type req, milliseconds timeout = std::chrono::seconds(10));
    void close();

  private:
    template <class Initiate>
    error_code run(Initiate initiate, milliseconds timeout);

    // The Beast stream and its io_context stay in the .cpp: the test files that include this
    // header need not parse Asio's TLS and timer machinery.
    struct state;
    std::unique_ptr<state> state_;
};

/// A tls_client connected to `srv`; the test stops when it cannot connect.
struct connected_client : tls_client {
    explicit connected_client(const server& srv);
};

/// `text` parsed as JSON; the test stops when it is not an object.
boost::json::object parse_object(const std::string& text);

/// `res` is the mock's Stytch-shaped error answer for `status` and `type`.
void check_stytch_error(const response_type& res, int status, std::string_view type);

}  // namespace stytch::mock::testing
