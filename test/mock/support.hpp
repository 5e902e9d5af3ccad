#pragma once

// Helpers shared by the mock_server test files.

#include <stytch/mock/server.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace stytch::mock::testing {

/// The first organization of the sample seed (see seeded_server) under its three keys.
inline const std::string acme_id = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931";
inline const std::string acme_slug = "acme-corp";
inline const std::string acme_external_id = "acme-crm-000482";

inline std::string base64(std::string_view in) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                           (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (in.size() - i == 1) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += "==";
    } else if (in.size() - i == 2) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                           (static_cast<unsigned char>(in[i + 1]) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

/// A server with the sample organizations of tools/stytch-mock/organizations.json.
inline std::unique_ptr<server> seeded_server(server_options opts = {}) {
    auto srv = std::make_unique<server>(std::move(opts));
    srv->load_organizations(STYTCH_MOCK_SAMPLE_SEED, server::seed_check::complete);
    return srv;
}

}  // namespace stytch::mock::testing
