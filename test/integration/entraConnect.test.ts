// The emulated Entra Connect against the real AD (Samba): writes in AD reach the emulated source
// tenant after a sync cycle, with proxy calculation deciding which addresses survive.
import assert from "node:assert/strict";
import type { EntraConnectSync } from "../../emulator/entraConnect";
import { makePrimarySmtp } from "../../lib/addresses/proxyAddresses";
import { DirectoryClient, type DirectoryUser } from "../../lib/directory/client";
import { GraphRequestError } from "../../lib/graph/client";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import { emulatedPair, emulatorAdmin, type TenantPairUnderTest } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;
const SELECT =
  "$select=id,userPrincipalName,mail,proxyAddresses,onPremisesSyncEnabled,onPremisesImmutableId,onPremisesSamAccountName,onPremisesUserPrincipalName,displayName";
const UPN = "emeka.nwosu@fabrikam.example";

describe("integration: Entra Connect sync from AD into the emulated source tenant", function () {
  this.timeout(120_000);
  let samba: SambaUnderTest;
  let pair: TenantPairUnderTest;
  let engine: EntraConnectSync;
  let ad: DirectoryClient;
  let original: DirectoryUser;

  const graph = () => pair.graph("source");
  const admin = async (method: string, path: string, body?: unknown) =>
    (await emulatorAdmin(pair, "source", method, path, body)) as GraphJson;
  const cycle = () => admin("POST", "/entraConnect/cycle");
  const cloudUser = async (upn = UPN) => {
    const found = await graph().get<GraphJson>(`/users?$filter=userPrincipalName eq '${upn}'&${SELECT}`);
    assert.equal(found.value.length, 1, `${upn} in the emulated tenant`);
    return found.value[0];
  };

  before(async function () {
    samba = sambaOrSkip(this);
    pair = await emulatedPair(["User.ReadWrite.All", "Group.Read.All"], { source: "fabrikam.example" });
    assert.ok(pair.emulator);
    engine = pair.emulator.attachEntraConnect(
      pair.connections.source.tenantId,
      samba.admin({ baseDn: samba.fabrikamOu }),
    );
    ad = new DirectoryClient(samba.serviceAccount());
    const u = await ad.findUserByUpn(UPN);
    assert.ok(u, `${UPN} is seeded`);
    original = u;
  });

  after(async () => {
    if (ad && original) {
      await ad.writeExchangeAttributes(original.dn, {
        mail: original.mail ?? null,
        proxyAddresses: original.proxyAddresses,
        targetAddress: original.targetAddress ?? null,
        msExchRecipientDisplayType: original.msExchRecipientDisplayType ?? null,
        msExchRecipientTypeDetails: original.msExchRecipientTypeDetails ?? null,
        msExchRemoteRecipientType: original.msExchRemoteRecipientType ?? null,
      });
      await ad.close();
    }
    await pair?.close();
  });

  it("projects AD's users on the first cycle as synced members anchored on objectGUID", async () => {
    const result = await cycle();
    assert.equal(result.kind, "initial");
    assert.ok(result.usersAdded >= 15, JSON.stringify(result));
    const user = await cloudUser();
    assert.equal(user.onPremisesSyncEnabled, true);
    assert.equal(user.onPremisesImmutableId, original.immutableId);
    assert.equal(user.onPremisesSamAccountName, "emeka.nwosu");
    assert.equal(user.onPremisesUserPrincipalName, UPN, "the default sync rule writes it");
    assert.equal(user.mail, UPN);
    assert.ok(user.proxyAddresses.includes(`SMTP:${UPN}`));
    assert.ok(
      user.proxyAddresses.some((p: string) => p.startsWith("SIP:")),
      "SIP survives",
    );
  });

  it("a write in AD reaches Graph only after the next cycle", async () => {
    await ad.writeExchangeAttributes(original.dn, {
      proxyAddresses: [...original.proxyAddresses, "smtp:emeka.n@fabrikam.example"],
    });
    assert.ok(!(await cloudUser()).proxyAddresses.includes("smtp:emeka.n@fabrikam.example"));
    const result = await cycle();
    assert.equal(result.kind, "delta");
    assert.ok(result.usersUpdated >= 1 && result.usersUpdated < 5, "a delta cycle reads only what changed");
    assert.ok((await cloudUser()).proxyAddresses.includes("smtp:emeka.n@fabrikam.example"));
  });

  it("scrubs an unverified-domain primary SMTP from a remote mailbox (seed 000's trigger)", async () => {
    const target = "emeka.nwosu@contoso.example";
    await ad.writeExchangeAttributes(original.dn, {
      mail: target,
      proxyAddresses: makePrimarySmtp(original.proxyAddresses, target),
    });
    await cycle();
    const user = await cloudUser();
    assert.ok(
      !user.proxyAddresses.some((p: string) => p.toLowerCase().includes("contoso.example")),
      user.proxyAddresses,
    );
    assert.notEqual(user.mail, target);
    const state = await admin("GET", "/entraConnect");
    const removed = state.lastRemovedAddresses[user.id] as Array<{ value: string; reason: string }>;
    assert.ok(
      removed.some((r) => r.value.toLowerCase() === `smtp:${target}` && /not verified/.test(r.reason)),
      JSON.stringify(removed),
    );
  });

  it("keeps the same address once the user is a mail user without an Exchange plan", async () => {
    const target = "emeka.nwosu@contoso.example";
    await ad.writeExchangeAttributes(original.dn, {
      msExchRecipientDisplayType: 6,
      msExchRecipientTypeDetails: 128,
      msExchRemoteRecipientType: null,
      targetAddress: "SMTP:emeka.nwosu@contoso.mail.onmicrosoft.com",
    });
    await cycle();
    const user = await cloudUser();
    assert.equal(user.mail, target);
    assert.ok(user.proxyAddresses.includes(`SMTP:${target}`), user.proxyAddresses);
  });

  it("still scrubs it when the mail user holds an Exchange Online plan", async () => {
    await admin("PATCH", "/entraConnect/settings", { exchangeLicensed: [original.immutableId] });
    await cycle();
    assert.ok(!(await cloudUser()).proxyAddresses.some((p: string) => p.includes("contoso.example")));
    await admin("PATCH", "/entraConnect/settings", { exchangeLicensed: [] });
    await cycle();
    assert.ok((await cloudUser()).proxyAddresses.includes("SMTP:emeka.nwosu@contoso.example"));
  });

  it("refuses Graph writes to on-premises-mastered attributes of a synced user, with Graph's error", async () => {
    const user = await cloudUser();
    const err = await graph()
      .patch(`/users/${user.id}`, { displayName: "Changed in the cloud" })
      .then(
        () => undefined,
        (e) => e,
      );
    assert.ok(err instanceof GraphRequestError);
    assert.equal(err.status, 400);
    assert.match(err.message, /on-premises mastered Directory Sync objects/);
    await graph().patch(`/users/${user.id}`, { usageLocation: "GB" }); // cloud-mastered: allowed
  });

  it("leaves onPremisesUserPrincipalName out with the modified sync rule (needed before B2B conversion)", async () => {
    await admin("PATCH", "/entraConnect/settings", { writeOnPremisesUserPrincipalName: false });
    const result = await cycle();
    assert.equal(result.kind, "initial", "a sync rule change needs a full import");
    assert.equal((await cloudUser()).onPremisesUserPrincipalName, null);
    await admin("PATCH", "/entraConnect/settings", { writeOnPremisesUserPrincipalName: true });
    await cycle();
  });

  it("answers an onPremisesImmutableId filter only as an advanced query, as Graph does", async () => {
    // Base64 may hold "+" and "/": a "+" left as is reads as a space in a query string (Graph
    // asks for special characters in $filter values to be percent-encoded).
    const q = `/users?$filter=onPremisesImmutableId eq '${encodeURIComponent(original.immutableId)}'&$select=id`;
    const err = await graph()
      .get(q)
      .then(
        () => undefined,
        (e) => e,
      );
    assert.ok(err instanceof GraphRequestError);
    assert.equal(err.code, "Request_UnsupportedQuery");
    const body = await graph().get<GraphJson>(`${q}&$count=true`, { advanced: true });
    assert.equal(body["@odata.count"], 1);
    assert.equal(body.value.length, 1);
  });

  it("projects security groups with their members", async () => {
    const groups = await graph().get<GraphJson>("/groups?$filter=displayName eq 'LIC-M365-E5'");
    assert.equal(groups.value.length, 1);
    assert.equal(groups.value[0].onPremisesSyncEnabled, true);
    const members = await graph().list<GraphJson>(
      `/groups/${groups.value[0].id}/members?$select=userPrincipalName`,
    );
    assert.ok(members.length > 0);
  });

  it("lets requests that arrive during a cycle share the next one", async () => {
    const before = engine.history.length;
    const [a, b, c, d] = [
      engine.requestCycle(),
      engine.requestCycle(),
      engine.requestCycle(),
      engine.requestCycle(),
    ];
    const [ra, rb, rc, rd] = await Promise.all([a, b, c, d]);
    assert.notEqual(ra, rb);
    assert.equal(rb, rc);
    assert.equal(rc, rd);
    assert.equal(engine.history.length, before + 2);
  });

  it("keeps syncing after the domain controller restarts", async () => {
    samba.restart();
    await ad.writeExchangeAttributes(original.dn, {
      proxyAddresses: [...makePrimarySmtp(original.proxyAddresses, original.mail ?? UPN)],
    });
    const result = await engine.requestCycle();
    assert.equal(result.kind, "delta");
    assert.ok(!(await cloudUser()).proxyAddresses.includes("smtp:emeka.n@fabrikam.example"));
  });
});
