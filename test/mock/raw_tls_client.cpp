#include "mock/raw_tls_client.hpp"

#include <boost/test/unit_test.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/parse.hpp>
#include <boost/system/system_error.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "mock/support.hpp"

namespace stytch::mock::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

std::string basic_auth(const std::string& user, const std::string& password) {
    return "Basic " + base64(user + ":" + password);
}

std::string api_target(std::string_view id, std::string_view prefix) {
    return std::string(prefix) + "/v1/b2b/organizations/" + std::string(id) + "/external_id";
}

request_type delete_request(const server_options& opts, std::string target) {
    request_type req{http::verb::delete_, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, basic_auth(opts.project_id, opts.secret));
    req.set(http::field::content_type, "application/json");
    req.set(http::field::user_agent, "stytch-mock-test");
    req.prepare_payload();
    return req;
}

struct tls_client::state {
    asio::io_context ioc;
    ssl::context ctx{ssl::context::tls_client};
    std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
    beast::flat_buffer buffer;
    std::uint16_t port = 0;
};

tls_client::tls_client(const server& srv) : tls_client(srv.identity().ca_certificate_pem) {
    state_->port = srv.port();
}

tls_client::tls_client(const std::string& ca_pem) : state_(std::make_unique<state>()) {
    state_->ctx.add_certificate_authority(asio::buffer(ca_pem));
    state_->ctx.set_verify_mode(ssl::verify_peer);
}

tls_client::~tls_client() = default;

void tls_client::set_port(std::uint16_t port) {
    state_->port = port;
}

template <class Initiate>
error_code tls_client::run(Initiate initiate, milliseconds timeout) {
    error_code result;
    beast::get_lowest_layer(*state_->stream).expires_after(timeout);
    initiate([&result](error_code ec, auto&&...) { result = ec; });
    state_->ioc.restart();
    state_->ioc.run();
    return result;
}

error_code tls_client::connect(milliseconds timeout) {
    state_->stream.emplace(state_->ioc, state_->ctx);
    state_->stream->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    const tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), state_->port};
    if (auto ec = run(
            [&](auto handler) {
                beast::get_lowest_layer(*state_->stream)
                    .async_connect(endpoint, std::move(handler));
            },
            timeout)) {
        return ec;
    }
    return handshake(timeout);
}

error_code tls_client::connect_tcp_only(milliseconds timeout) {
    state_->stream.emplace(state_->ioc, state_->ctx);
    const tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), state_->port};
    return run(
        [&](auto handler) {
            beast::get_lowest_layer(*state_->stream).async_connect(endpoint, std::move(handler));
        },
        timeout);
}

error_code tls_client::handshake(milliseconds timeout) {
    return run(
        [&](auto handler) {
            state_->stream->async_handshake(ssl::stream_base::client, std::move(handler));
        },
        timeout);
}

error_code tls_client::write(request_type& req, milliseconds timeout) {
    return run([&](auto handler) { http::async_write(*state_->stream, req, std::move(handler)); },
               timeout);
}

error_code tls_client::write_raw(const std::string& bytes, milliseconds timeout) {
    return run(
        [&](auto handler) {
            asio::async_write(*state_->stream, asio::buffer(bytes), std::move(handler));
        },
        timeout);
}

error_code tls_client::write_plain(const std::string& bytes, milliseconds timeout) {
    return run(
        [&](auto handler) {
            asio::async_write(beast::get_lowest_layer(*state_->stream), asio::buffer(bytes),
                              std::move(handler));
        },
        timeout);
}

error_code tls_client::read(response_type& res, milliseconds timeout) {
    res = {};
    return run(
        [&](auto handler) {
            http::async_read(*state_->stream, state_->buffer, res, std::move(handler));
        },
        timeout);
}

error_code tls_client::read_plain_until_error(milliseconds timeout) {
    std::array<char, 512> sink;
    for (;;) {
        if (auto ec = run(
                [&](auto handler) {
                    beast::get_lowest_layer(*state_->stream)
                        .async_read_some(asio::buffer(sink), std::move(handler));
                },
                timeout)) {
            return ec;
        }
    }
}

error_code tls_client::read_some(std::string& out, milliseconds timeout) {
    std::array<char, 64 * 1024> data;
    std::size_t got = 0;
    beast::get_lowest_layer(*state_->stream).expires_after(timeout);
    error_code result;
    state_->stream->async_read_some(asio::buffer(data), [&](error_code ec, std::size_t n) {
        result = ec;
        got = n;
    });
    state_->ioc.restart();
    state_->ioc.run();
    out.assign(data.data(), got);
    return result;
}

response_type tls_client::exchange(request_type req, milliseconds timeout) {
    if (auto ec = write(req, timeout)) {
        throw boost::system::system_error(ec, "write");
    }
    response_type res;
    if (auto ec = read(res, timeout)) {
        throw boost::system::system_error(ec, "read");
    }
    return res;
}

void tls_client::close() {
    if (state_->stream) {
        beast::get_lowest_layer(*state_->stream).close();
    }
}

connected_client::connected_client(const server& srv) : tls_client(srv) {
    BOOST_TEST_REQUIRE(!connect());
}

json::object parse_object(const std::string& text) {
    json::value v = json::parse(text);
    BOOST_TEST_REQUIRE(v.is_object());
    return v.as_object();
}

void check_stytch_error(const response_type& res, int status, std::string_view type) {
    BOOST_TEST(res.result_int() == static_cast<unsigned>(status));
    BOOST_TEST(res[http::field::content_type] == "application/json");
    const json::object body = parse_object(res.body());
    BOOST_TEST(body.at("status_code").as_int64() == status);
    BOOST_TEST(body.at("error_type").as_string() == type);
    BOOST_TEST(body.at("request_id").as_string().starts_with("request-id-test-"));
    BOOST_TEST(!body.at("error_message").as_string().empty());
    BOOST_TEST(body.at("error_url").as_string() == "https://stytch.com/docs/api/errors/" +
                                                       std::to_string(status) + "#" +
                                                       std::string(type));
}

}  // namespace stytch::mock::testing
