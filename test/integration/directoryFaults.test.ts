// LDAP connection faults between the product's directory client and a real AD (Samba), made by a
// TCP proxy (test/support/tcpProxy.ts): a connection cut while idle or under a write is reopened,
// rebound and the operation runs (a write sent again leaves what was asked, as every write of the
// client replaces values); a server that turns the first reconnects away is waited for a little;
// one that stays away fails with an error that says so, and the client works again once it is back.
import assert from "node:assert/strict";
import { DirectoryClient, DirectoryError } from "../../lib/directory/client";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import { TcpProxy } from "../support/tcpProxy";

describe("integration: LDAP faults (connection cut, reconnects refused) through a proxy", function () {
  this.timeout(120_000);
  let samba: SambaUnderTest;
  let proxy: TcpProxy;
  let scratch: ScratchOu;
  const clients: DirectoryClient[] = [];

  before(async function () {
    samba = sambaOrSkip(this);
    const url = new URL(samba.connection.ldapsUrl);
    proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 636) });
    scratch = await createScratchOu(samba.admin(), "ldapfault");
  });
  after(async () => {
    for (const c of clients) await c.close();
    await scratch?.cleanup().catch(() => undefined);
    await proxy?.close();
  });

  /** The service account's client, through the proxy. */
  const client = () => {
    const c = new DirectoryClient(
      samba.serviceAccount({ url: proxy.through(samba.connection.ldapsUrl), timeoutMs: 10_000 }),
    );
    clients.push(c);
    return c;
  };

  it("reopens and rebinds a connection cut while idle, and the operation runs", async () => {
    const c = client();
    const accepted = proxy.stats.accepted;
    const before = await c.getUser(scratch.userDn);
    assert.ok(before);
    assert.equal(proxy.cutAll(), 1, "the client's one connection was open");
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await c.getUser(scratch.userDn), before);
    assert.equal(proxy.stats.accepted - accepted, 2, "a second connection was opened");
  });

  it("a write whose connection is cut under it is sent again on a new one and leaves what was asked", async () => {
    const c = client();
    await c.getUser(scratch.userDn);
    for (const i of [1, 2, 3]) {
      const mail = `cut.${i}@fabrikam.example`;
      const writing = c.writeExchangeAttributes(scratch.userDn, { mail, proxyAddresses: [`SMTP:${mail}`] });
      // The modify is on its way (or about to be) when the link breaks.
      await new Promise((r) => setImmediate(r));
      proxy.cutAll();
      await writing;
      const u = await c.getUser(scratch.userDn);
      assert.equal(u?.mail, mail);
      assert.deepEqual(u?.proxyAddresses, [`SMTP:${mail}`]);
    }
  });

  it("a server that turns the first reconnects away is waited for, and the operation runs", async () => {
    const c = client();
    await c.getUser(scratch.userDn);
    const refused = proxy.stats.refused;
    proxy.cutAll();
    proxy.refuseNext(3);
    const u = await c.getUser(scratch.userDn);
    assert.ok(u, "read once the server took connections again");
    assert.equal(proxy.stats.refused - refused, 3, "three reconnects were turned away first");
  });

  it("a server that stays away: the error says the connection failed; once it is back the client works", async () => {
    const c = client();
    await c.getUser(scratch.userDn);
    proxy.cutAll();
    proxy.refuseNext(1000);
    const err = await c.getUser(scratch.userDn).then(
      () => assert.fail("read through a server that turns every connection away"),
      (e) => e,
    );
    assert.ok(err instanceof DirectoryError, String(err));
    assert.match(err.message, /^connect ldaps:\/\/[^:]+:\d+: /);
    proxy.refuseNext(0);
    assert.ok(await c.getUser(scratch.userDn));
  });

  it("a client that never connected fails at once, without waiting for the server", async () => {
    proxy.refuseNext(1000);
    try {
      const refused = proxy.stats.refused;
      const c = client();
      await assert.rejects(c.getUser(scratch.userDn), DirectoryError);
      assert.equal(proxy.stats.refused - refused, 1, "tried once");
    } finally {
      proxy.refuseNext(0);
    }
  });
});
