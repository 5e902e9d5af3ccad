// One Organizations.DeleteExternalId call through the official Node SDK (npm package `stytch`).
// Usage: node sdk_call.js ORGANIZATION_ID [token TOKEN | jwt JWT]
// Environment: STYTCH_PROJECT_ID, STYTCH_SECRET, STYTCH_BASE_URL (custom_base_url); trust the
// test CA with NODE_EXTRA_CA_CERTS. Prints one JSON line: the outcome as the SDK reports it.
const stytch = require("stytch");

const [organizationId, kind, credential] = process.argv.slice(2);
const client = new stytch.B2BClient({
  project_id: process.env.STYTCH_PROJECT_ID,
  secret: process.env.STYTCH_SECRET,
  custom_base_url: process.env.STYTCH_BASE_URL,
});
let options;
if (kind === "token") options = { authorization: { session_token: credential } };
if (kind === "jwt") options = { authorization: { session_jwt: credential } };

client.organizations
  .deleteExternalId({ organization_id: organizationId }, options)
  .then((r) => {
    console.log(JSON.stringify({ ok: true, status_code: r.status_code,
                                 organization_id: r.organization.organization_id }));
  })
  .catch((e) => {
    if (e.status_code === undefined) {
      console.error(String(e));
      process.exit(3);
    }
    console.log(JSON.stringify({ ok: false, status_code: e.status_code, error_type: e.error_type }));
  });
