#include "conformance_h2/fixture.hpp"

#include <cstdio>
#include <fstream>

#include "support/process.hpp"
#include "support/server.hpp"

namespace stytch::test::h2 {

void seen::until_closed(peer& p) {
    const bool gone = p.read_until_closed();
    std::lock_guard<std::mutex> held(mutex);
    if (const auto* f = p.first(h2::goaway)) {
        goaway = *f;
    }
    closed = gone;
    closed_at = p.closed_at();
}

void seen::reset_of(peer& p) {
    const auto f = p.expect(h2::rst_stream);
    std::lock_guard<std::mutex> held(mutex);
    rst = f;
}

script_client::script_client(const script_server& server, std::size_t attempts)
    : ca_file(temp_path("conformance-h2-ca")) {
    std::ofstream(ca_file) << server.ca_pem();
    cfg.project_id = "project-test-11111111-2222-3333-4444-555555555555";
    cfg.secret = "secret-test-mock";
    cfg.base_url = server.base_url();
    cfg.ca_file = ca_file;
    cfg.http_version = http_version::http2;
    cfg.request_timeout = std::chrono::seconds(5);
    cfg.connect_timeout = std::chrono::seconds(2);
    cfg.retry.max_attempts = attempts;
    cfg.retry.base_delay = milliseconds(1);
    cfg.retry.max_delay = milliseconds(2);
}

script_client::~script_client() {
    c.reset();
    std::remove(ca_file.c_str());
}

std::vector<outcome> script_client::calls(std::size_t n,
                                          const b2b::delete_external_id_options& options) {
    if (!c) {
        c = std::make_unique<client>(ioc.get_executor(), cfg);
    }
    std::vector<outcome> out(n);
    std::size_t left = n;
    const b2b::delete_external_id_request request{first_org};
    for (auto& o : out) {
        c->organizations().async_delete_external_id(
            request, options, as_result([&o, &left](result<b2b::delete_external_id_response> r) {
                o.done = clock::now();
                o.r = std::move(r);
                --left;
            }));
    }
    ioc.restart();
    while (left != 0 && ioc.run_one() != 0) {
    }
    return out;
}

bool script_client::finish(const script_server& server) {
    const auto until = clock::now() + std::chrono::seconds(10);
    ioc.restart();
    while (!server.wait_scripts(milliseconds(0)) && clock::now() < until) {
        ioc.run_for(milliseconds(5));
        ioc.restart();
    }
    return server.wait_scripts(milliseconds(0));
}

outcome script_client::call() {
    return calls(1).front();
}

}  // namespace stytch::test::h2
