// Whose answer is it (engine/answer_owner.hpp) and what judging an answer makes of one for
// another organization (engine/outcome.hpp): without sockets.

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

#include <stytch/config.hpp>
#include <stytch/error.hpp>

#include "engine/answer_owner.hpp"
#include "engine/outcome.hpp"
#include "unit/test_support.hpp"

using namespace stytch::detail;
using stytch::error;
using stytch::b2b::organization;

namespace {

constexpr const char* own_id = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931";
constexpr const char* other_id = "organization-test-2f1c9e44-5b7a-4d0e-8f63-9a1b2c3d4e5f";

organization org(std::string id, std::string slug, std::optional<std::string> external = {}) {
    organization o;
    o.organization_id = std::move(id);
    o.organization_slug = std::move(slug);
    o.organization_external_id = std::move(external);
    return o;
}

/// The sample answer, for organization `id` with `slug` and no external id (deleted).
std::string answer_body(const std::string& id, const std::string& slug) {
    auto dom = stytch::test::full_dom();
    auto& o = stytch::test::org_of(dom);
    o["organization_id"] = id;
    o["organization_slug"] = slug;
    o["organization_external_id"] = nullptr;
    return boost::json::serialize(dom);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(answer_owner_rule)

BOOST_AUTO_TEST_CASE(the_requested_id_or_slug_names_the_answers_organization) {
    const auto acme = org(own_id, "acme-corp");
    BOOST_TEST((owner_of(acme, own_id) == answer_owner::asked_for));
    BOOST_TEST((owner_of(acme, "acme-corp") == answer_owner::asked_for));
    // Compared as the request path carries the value: percent-encoded.
    BOOST_TEST((owner_of(org(own_id, "acme corp"), "acme%20corp") == answer_owner::asked_for));
    BOOST_TEST((owner_of(org(own_id, "acme corp"), "acme corp") != answer_owner::asked_for));
}

BOOST_AUTO_TEST_CASE(an_organization_id_must_be_the_answers) {
    BOOST_TEST((owner_of(org(other_id, "globex"), own_id) == answer_owner::another));
    BOOST_TEST((owner_of(org(other_id, "globex", "globex-42"), own_id) == answer_owner::another));
    BOOST_TEST((owner_of(org(own_id + std::string("0"), "x"), own_id) == answer_owner::another));
    BOOST_TEST((owner_of(org("organization-live-1", "x"), "organization-live-2") ==
                answer_owner::another));
    // A slug that looks like an id still names its organization.
    BOOST_TEST((owner_of(org(other_id, own_id), own_id) == answer_owner::asked_for));
}

BOOST_AUTO_TEST_CASE(another_value_may_be_the_deleted_external_id_and_cannot_be_checked) {
    // The answer of a successful DeleteExternalId carries no external id any more.
    BOOST_TEST((owner_of(org(other_id, "globex"), "acme-crm-000482") == answer_owner::unchecked));
    BOOST_TEST((owner_of(org(other_id, "globex", ""), "acme-corp") == answer_owner::unchecked));
    // One that still carries an external id names the organization only by it.
    BOOST_TEST((owner_of(org(own_id, "acme-corp", "acme-crm-000482"), "acme-crm-000482") ==
                answer_owner::asked_for));
    BOOST_TEST((owner_of(org(other_id, "globex", "globex-42"), "acme-crm-000482") ==
                answer_owner::another));
    // Not of the form of an organization id: "organization-" alone is not enough.
    BOOST_TEST((owner_of(org(other_id, "globex"), "organization-acme") == answer_owner::unchecked));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(judging_an_answer_for_another_organization)

BOOST_AUTO_TEST_CASE(a_success_for_the_requested_organization_is_delivered) {
    const stytch::client_config cfg;
    const std::string body = answer_body(own_id, "acme-corp");
    for (const char* requested : {own_id, "acme-corp", "acme-crm-000482"}) {
        stytch::b2b::delete_external_id_response into;
        const auto o = judge_answer(http_answer{200, body, {}}, true, into, cfg, requested);
        BOOST_TEST(!o.ec, requested << ": " << o.ec.message());
        BOOST_TEST((o.verdict != verdict::resend));
        BOOST_TEST(into.organization.organization_id == own_id);
    }
}

BOOST_AUTO_TEST_CASE(a_success_for_another_organization_is_never_delivered) {
    const stytch::client_config cfg;
    const std::string body = answer_body(other_id, "globex");
    for (const bool reused : {true, false}) {
        stytch::b2b::delete_external_id_response into;
        const auto o = judge_answer(http_answer{200, body, {}}, reused, into, cfg, own_id);
        BOOST_TEST((o.ec == error::answer_for_another_organization));
        BOOST_TEST((o.ec == stytch::condition::protocol_error));
        // The connection goes, the call is sent again (once, not as a retry of the policy).
        BOOST_TEST((o.verdict == verdict::resend));
        BOOST_TEST(o.http_status == 200);
        BOOST_TEST_REQUIRE(o.details != nullptr);
        BOOST_TEST(o.details->status_code == 200);
        BOOST_TEST(o.details->request_id == "request-id-test-b05c992f-ebdc-489d-a754-c7e70ba13141");
        BOOST_TEST((into == stytch::b2b::delete_external_id_response{}));  // nothing of it kept
    }
}

BOOST_AUTO_TEST_CASE(an_error_answer_names_no_organization_and_is_judged_as_before) {
    const stytch::client_config cfg;
    const std::string body = R"({"status_code":404,"request_id":"r","error_type":)"
                             R"("organization_not_found","error_message":"m"})";
    stytch::b2b::delete_external_id_response into;
    const auto o = judge_answer(http_answer{404, body, {}}, true, into, cfg, own_id);
    BOOST_TEST((o.ec == error::organization_not_found));
    BOOST_TEST((o.verdict != verdict::resend));
}

BOOST_AUTO_TEST_CASE(over_http2_it_is_the_servers_answer_and_no_connection_is_out_of_step) {
    const stytch::client_config cfg;
    h2_result r;
    r.outcome = h2_outcome::answered;
    r.status = 200;
    r.body = answer_body(other_id, "globex");
    r.answer_started = true;
    stytch::b2b::delete_external_id_response into;
    const auto o = judge_stream(r, true, {}, into, cfg, own_id);
    BOOST_TEST((o.ec == error::answer_for_another_organization));
    BOOST_TEST((o.verdict != verdict::resend));
    BOOST_TEST((o.verdict == verdict::final));
    BOOST_TEST((into == stytch::b2b::delete_external_id_response{}));

    r.body = answer_body(own_id, "acme-corp");
    const auto own = judge_stream(r, true, {}, into, cfg, own_id);
    BOOST_TEST(!own.ec);
    BOOST_TEST(into.organization.organization_id == own_id);
}

BOOST_AUTO_TEST_SUITE_END()
