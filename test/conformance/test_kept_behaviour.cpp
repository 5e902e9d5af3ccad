// Behaviours of the HTTP/1.1 layer that already hold and must keep holding.

#include "faults/support.hpp"

using namespace stytch;
using namespace stytch::test;

BOOST_AUTO_TEST_SUITE(kept_behaviour)

BOOST_AUTO_TEST_CASE(close_delimited_http10_answer_is_read_to_the_end_and_not_pooled) {
    server_fixture f;
    auto org = f.server.find_organization(first_org);
    BOOST_REQUIRE(org);
    boost::json::object body{{"request_id", "request-id-close-delimited"}, {"status_code", 200}};
    body["organization"] = *org;
    mock::reply r;
    r.action = mock::reply::kind::raw;
    r.raw = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" +
            boost::json::serialize(body);
    r.close_after = true;
    f.server.set_override([r](const mock::recorded_request&) { return std::optional(r); });

    client c(f.ioc.get_executor(), fast_config(f));
    auto first = call(f, c);
    BOOST_REQUIRE(first.has_value());
    BOOST_TEST(first->request_id == "request-id-close-delimited");
    BOOST_TEST(first->organization.organization_id == first_org);
    auto second = call(f, c);
    BOOST_REQUIRE(second.has_value());
    BOOST_TEST(f.server.connections_accepted() == 2u);  // the first one was not pooled
}

BOOST_AUTO_TEST_SUITE_END()
