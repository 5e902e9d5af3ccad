#pragma once

// The examples' shared set-up: a client configuration from the same environment variables
// the stytch-b2b CLI reads (STYTCH_PROJECT_ID, STYTCH_SECRET, STYTCH_BASE_URL, STYTCH_CA_FILE).

#include <cstdlib>
#include <string>

#include <stytch/config.hpp>

inline stytch::client_config config_from_environment() {
    auto env = [](const char* name) -> std::string {
        const char* value = std::getenv(name);
        return value ? value : "";
    };
    stytch::client_config cfg;
    cfg.project_id = env("STYTCH_PROJECT_ID");
    cfg.secret = env("STYTCH_SECRET");
    cfg.base_url = env("STYTCH_BASE_URL");
    cfg.ca_file = env("STYTCH_CA_FILE");
    return cfg;
}
