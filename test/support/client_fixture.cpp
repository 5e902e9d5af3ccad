#include "support/client_fixture.hpp"

#include "support/tokens.hpp"

namespace stytch::test {

client_config fast_config(const server_fixture& f, attempt_log& log,
                          const client_fixture::tweak& changes) {
    auto cfg = fast_config(f);
    log.attach(cfg);
    if (changes) {
        changes(cfg);
    }
    return cfg;
}

void one_call_at_a_time(client_config& cfg) {
    cfg.max_connections = 1;
    cfg.max_streams_per_connection = 1;
}

client& client_fixture::make_client(const tweak& changes) {
    return make_client(fast_config(*this, log, changes));
}

client& client_fixture::make_client(client_config cfg) {
    return clients_.emplace_back(ioc.get_executor(), std::move(cfg));
}

client& client_fixture::make_client(client_config base, const tweak& changes) {
    changes(base);
    return make_client(std::move(base));
}

result<b2b::delete_external_id_response> client_fixture::run_call(
    const std::string& organization_id, const b2b::delete_external_id_options& options) {
    BOOST_TEST_REQUIRE(!clients_.empty(), "run_call before make_client");
    // A named request, not a temporary inside co_await (g++ 12, see README).
    const b2b::delete_external_id_request request{organization_id};
    return run(clients_.back().organizations().async_delete_external_id(request, options,
                                                                        awaitable_result));
}

std::size_t client_fixture::run_calls(client& c, std::size_t n) {
    call_batch calls;
    calls.start(c, n);
    run_until([&] { return calls.all_done(); });
    return calls.succeeded();
}

}  // namespace stytch::test
