// Group membership in AD as the service account: allowed on the groups under OU=Groups (on-premises
// license groups), idempotent both ways.
import assert from "node:assert/strict";
import { DirectoryClient, DirectoryError } from "../../lib/directory/client";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";

describe("integration: license-group membership in AD", function () {
  this.timeout(60_000);
  let samba: SambaUnderTest;
  let svc: DirectoryClient;

  before(function () {
    samba = sambaOrSkip(this);
    svc = new DirectoryClient(samba.serviceAccount());
  });
  after(async () => svc?.close());

  it("adds and removes a member of an on-premises license group, twice without error", async () => {
    const group = await svc.findGroupByName("LIC-M365-E5-ReachBack");
    assert.ok(group, "the reach-back group is seeded");
    const canary = await svc.findUserByUpn("reachback.canary@fabrikam.example");
    assert.ok(canary);
    await svc.addGroupMember(group.dn, canary.dn);
    await svc.addGroupMember(group.dn, canary.dn);
    assert.deepEqual((await svc.findGroupByName("LIC-M365-E5-ReachBack"))?.memberDns, [canary.dn]);
    await svc.removeGroupMember(group.dn, canary.dn);
    await svc.removeGroupMember(group.dn, canary.dn);
    assert.deepEqual((await svc.findGroupByName("LIC-M365-E5-ReachBack"))?.memberDns, []);
  });

  it("finds nothing for a name that is a filter injection", async () => {
    assert.equal(await svc.findGroupByName("LIC-*"), undefined);
    assert.equal(await svc.findGroupByName("*)(sAMAccountName=*"), undefined);
  });

  it("refuses a group outside its scope without asking the server", async () => {
    const err = await svc
      .addGroupMember(`CN=Domain Admins,CN=Users,${samba.connection.baseDn}`, `CN=x,${samba.fabrikamOu}`)
      .then(
        () => undefined,
        (e) => e,
      );
    assert.ok(err instanceof DirectoryError);
    assert.match(err.message, /outside this client's scope/);
  });
});
