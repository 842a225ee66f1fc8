// Concurrent look-ups of one DirectoryClient share searches (a wave's users in one provider
// process): findUserByUpn as an OR of UPN equalities, getUser as an OR of distinguishedName
// equalities, each caller getting exactly its own answer; against Samba AD over LDAPS.
import assert from "node:assert/strict";
import { DirectoryClient } from "../../lib/directory/client";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";

describe("directory client: concurrent look-ups coalesced (Samba AD)", function () {
  this.timeout(60_000);
  let samba: SambaUnderTest;
  let ad: DirectoryClient;
  const scratches: ScratchOu[] = [];
  const users: Array<{ dn: string; upn: string }> = [];

  before(async function () {
    samba = sambaOrSkip(this);
    const reader = new DirectoryClient(samba.admin());
    try {
      for (let i = 0; i < 3; i++) {
        const s = await createScratchOu(samba.admin(), `coal${i}`);
        scratches.push(s);
        for (const dn of [s.userDn, s.outsideUserDn]) {
          const u = await reader.getUser(dn);
          assert.ok(u?.userPrincipalName, `${dn} has a UPN`);
          users.push({ dn: u.dn, upn: u.userPrincipalName });
        }
      }
    } finally {
      await reader.close();
    }
    ad = new DirectoryClient(samba.admin());
  });

  after(async () => {
    await ad?.close();
    for (const s of scratches) await s.cleanup().catch(() => undefined);
  });

  it("finds each user by UPN in one search; an unknown UPN and filter characters find nobody", async () => {
    const before = ad.counts.searches;
    const found = await Promise.all([
      ...users.map((u, i) => ad.findUserByUpn(i % 2 ? u.upn.toUpperCase() : u.upn)),
      ad.findUserByUpn("nobody-here@fabrikam.example"),
      ad.findUserByUpn("*"),
      ad.findUserByUpn("*)(userPrincipalName=*"),
    ]);
    for (const [i, u] of users.entries()) assert.equal(found[i]?.dn, u.dn);
    assert.deepEqual(found.slice(users.length), [undefined, undefined, undefined]);
    assert.equal(ad.counts.searches - before, 1, "one search for all");
  });

  it("reads each user by DN in one search, whatever the DN's case and spacing; a gone DN reads as none", async () => {
    const before = ad.counts.searches;
    const gone = `CN=nobody here,OU=Users,${samba.fabrikamOu}`;
    const spaced = users[0].dn.replace(/,/g, ", ").toUpperCase();
    const read = await Promise.all([
      ...users.map((u) => ad.getUser(u.dn)),
      ad.getUser(spaced),
      ad.getUser(gone),
    ]);
    for (const [i, u] of users.entries()) assert.equal(read[i]?.userPrincipalName, u.upn);
    assert.equal(read[users.length]?.dn, users[0].dn);
    assert.equal(read[users.length + 1], undefined);
    // The OR search, and the gone DN read alone to tell "gone" from "not matched".
    assert.equal(ad.counts.searches - before, 2, "one search for all, and one for the DN it did not return");
  });
});
