// Whether a user has an Exchange Online mailbox, as Graph v1.0 lets an app tell (the third-party
// path's precondition): GET /users/{id}/mailboxSettings answers for a mailbox and 404
// MailboxNotEnabledForRESTAPI without one; MailboxSettings.Read is needed. Through the product's
// Graph client and its reader (userApi.hasExchangeOnlineMailbox).
import assert from "node:assert/strict";
import { CsdlModel } from "../../emulator/csdl";
import { DEPLOYER_ROLES } from "../../emulator/tenantPair";
import { hasExchangeOnlineMailbox } from "../../lib/reachBack/userApi";
import { graphError } from "../support/graphError";
import { emulatedPair, emulatorAdmin, type TenantPairUnderTest } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;

describe("emulator: a user's mailbox through mailboxSettings (thirdParty precondition)", () => {
  let pair: TenantPairUnderTest;
  let withoutRole: TenantPairUnderTest;
  let userId: string;

  before(async () => {
    pair = await emulatedPair([...DEPLOYER_ROLES], { source: "fabrikam.example" }, { replicationDelayMs: 0 });
    withoutRole = await emulatedPair(
      DEPLOYER_ROLES.filter((r) => r !== "MailboxSettings.Read"),
      { source: "fabrikam.example" },
      { replicationDelayMs: 0 },
    );
    const u = (await emulatorAdmin(pair, "source", "POST", "/users", {
      userPrincipalName: "mailbox.owner@fabrikam.example",
      mail: "mailbox.owner@fabrikam.example",
    })) as GraphJson;
    userId = u.id;
  });

  after(async () => {
    await pair?.close();
    await withoutRole?.close();
  });

  it("answers 404 MailboxNotEnabledForRESTAPI, with a request id, for a user without a mailbox", async () => {
    const err = await graphError(pair.graph("source").get(`/users/${userId}/mailboxSettings`));
    assert.equal(err.status, 404);
    assert.equal(err.code, "MailboxNotEnabledForRESTAPI");
    assert.ok(err.requestId, "Graph's request id is kept");
    assert.equal(await hasExchangeOnlineMailbox(pair.graph("source"), userId), false);
  });

  it("answers the settings (CSDL mailboxSettings) once the user has a mailbox, and 404 again once it is removed", async () => {
    await emulatorAdmin(pair, "source", "PUT", `/users/${userId}/mailbox`);
    const settings = await pair.graph("source").get<GraphJson>(`/users/${userId}/mailboxSettings`);
    const { "@odata.context": _context, ...body } = settings;
    assert.deepEqual(CsdlModel.load().validate("microsoft.graph.mailboxSettings", body, "replace"), []);
    assert.equal(await hasExchangeOnlineMailbox(pair.graph("source"), userId), true);
    await emulatorAdmin(pair, "source", "DELETE", `/users/${userId}/mailbox`);
    assert.equal(await hasExchangeOnlineMailbox(pair.graph("source"), userId), false);
  });

  it("refuses an app without MailboxSettings.Read (403), which the reader does not take for no mailbox", async () => {
    const u = (await emulatorAdmin(withoutRole, "source", "POST", "/users", {
      userPrincipalName: "someone@fabrikam.example",
      mailbox: true,
    })) as GraphJson;
    const err = await graphError(hasExchangeOnlineMailbox(withoutRole.graph("source"), u.id));
    assert.equal(err.status, 403);
    assert.equal(err.code, "Authorization_RequestDenied");
  });

  it("answers 404 Request_ResourceNotFound for a user that does not exist", async () => {
    const err = await graphError(
      hasExchangeOnlineMailbox(pair.graph("source"), "00000000-0000-0000-0000-000000000001"),
    );
    assert.equal(err.status, 404);
    assert.equal(err.code, "Request_ResourceNotFound");
  });
});
