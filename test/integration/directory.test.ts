// DirectoryClient against a real Active Directory (Samba AD DC, scripts/samba.sh): LDAPS and
// StartTLS with certificate validation, binds, decoding of the Exchange attributes, paged and
// delta listing, writes read back, filter injection, and reconnecting after the server restarts.
// Writes go to scratch users made here (plain ldapts as Administrator), so the seeded estate stays
// as scripts/samba/seed.ldif describes it for other suites.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { Client } from "ldapts";
import {
  DirectoryClient,
  type DirectoryConfig,
  DirectoryError,
  type DirectoryUser,
} from "../../lib/directory/client";
import { type SambaUnderTest, sambaUnderTest } from "../support/samba";

const REMOTE_MAILBOX = {
  msExchRecipientDisplayType: -2147483642,
  msExchRecipientTypeDetails: 2147483648,
  msExchRemoteRecipientType: 4,
};
const X500 = "X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=";

describe("directory client against Samba AD (LDAP over TLS)", function () {
  this.timeout(60_000);
  let samba: SambaUnderTest;
  let svc: DirectoryClient;
  let raw: Client;
  const clients: DirectoryClient[] = [];
  const scratch: string[] = [];

  /** A client closed after the suite. */
  function client(config: DirectoryConfig): DirectoryClient {
    const c = new DirectoryClient(config);
    clients.push(c);
    return c;
  }

  /** A new user in OU=Users with no Exchange attributes, removed after the suite. */
  async function scratchUser(): Promise<{ dn: string; upn: string }> {
    const alias = `scratch-${randomBytes(4).toString("hex")}`;
    const dn = `CN=${alias},OU=Users,${samba.fabrikamOu}`;
    await raw.add(dn, {
      objectClass: ["top", "person", "organizationalPerson", "user"],
      sAMAccountName: alias,
      userPrincipalName: `${alias}@fabrikam.example`,
      displayName: `Scratch ${alias}`,
    });
    scratch.push(dn);
    return { dn, upn: `${alias}@fabrikam.example` };
  }

  /** objectGUID's bytes as the server sends them, read without the code under test. */
  async function rawGuid(dn: string): Promise<Buffer> {
    const { searchEntries } = await raw.search(dn, {
      scope: "base",
      attributes: ["objectGUID"],
      explicitBufferAttributes: ["objectGUID"],
    });
    return searchEntries[0].objectGUID as Buffer;
  }

  async function mustFind(upn: string): Promise<DirectoryUser> {
    const user = await svc.findUserByUpn(upn);
    assert.ok(user, `${upn} not found`);
    return user;
  }

  before(async function () {
    const made = sambaUnderTest();
    if (typeof made === "string") {
      console.log(`      skipped: ${made}`);
      this.skip();
    }
    samba = made as SambaUnderTest;
    svc = client(samba.serviceAccount());
    raw = new Client({
      url: samba.connection.ldapsUrl,
      tlsOptions: { ca: [readFileSync(samba.connection.caCertPath)] },
      // The restart test drops every connection, this one too.
      autoRebind: true,
    });
    await raw.bind(samba.connection.adminBindDn, samba.connection.adminPassword);
  });

  after(async () => {
    for (const dn of scratch) {
      await raw.del(dn);
    }
    await raw?.unbind();
    await Promise.all(clients.map((c) => c.close()));
  });

  describe("reading", () => {
    it("finds a seeded remote mailbox by UPN with every Exchange attribute decoded to its type", async () => {
      const user = await mustFind("amara.okafor@fabrikam.example");
      assert.equal(user.dn, `CN=Amara Okafor,OU=Migration Wave 01,${samba.fabrikamOu}`);
      assert.equal(user.userPrincipalName, "amara.okafor@fabrikam.example");
      assert.equal(user.samAccountName, "amara.okafor");
      assert.equal(user.givenName, "Amara");
      assert.equal(user.surname, "Okafor");
      assert.equal(user.displayName, "Amara Okafor");
      assert.equal(user.mail, "amara.okafor@fabrikam.example");
      assert.deepEqual(user.proxyAddresses, [
        "SMTP:amara.okafor@fabrikam.example",
        "smtp:amara.okafor@fabrikam.mail.onmicrosoft.com",
        `${X500}0b7087f399631746e268b389d89e2b04-amara`,
        "SIP:amara.okafor@fabrikam.example",
      ]);
      assert.equal(user.targetAddress, "SMTP:amara.okafor@fabrikam.mail.onmicrosoft.com");
      // Exactly, and as numbers: the INTEGER's sign and the LARGE_INTEGER beyond 2^31 survive.
      assert.equal(user.msExchRecipientDisplayType, -2147483642);
      assert.equal(user.msExchRecipientTypeDetails, 2147483648);
      assert.equal(user.msExchRemoteRecipientType, 4);
      assert.deepEqual(user.extensionAttributes, {
        extensionAttribute1: "FIN",
        extensionAttribute2: "CC-4410",
        extensionAttribute3: "Wave01",
      });
      assert.equal(user.accountEnabled, true);
      assert.ok(Number.isInteger(user.usnChanged) && user.usnChanged > 0);
    });

    it("decodes objectGUID from AD's byte order: the server finds the object by <GUID=...>", async () => {
      const user = await mustFind("amara.okafor@fabrikam.example");
      assert.match(user.objectGuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const { searchEntries } = await raw.search(`<GUID=${user.objectGuid}>`, {
        scope: "base",
        attributes: ["cn"],
      });
      assert.equal(searchEntries[0]?.dn, user.dn);
    });

    it("finds the same user by objectGUID, in either case, and nobody for an unknown GUID", async () => {
      const byUpn = await mustFind("bjorn.lindqvist@fabrikam.example");
      assert.deepEqual(await svc.findUserByObjectGuid(byUpn.objectGuid), byUpn);
      assert.deepEqual(await svc.findUserByObjectGuid(byUpn.objectGuid.toUpperCase()), byUpn);
      assert.equal(await svc.findUserByObjectGuid("00000000-0000-0000-0000-000000000000"), undefined);
      await assert.rejects(svc.findUserByObjectGuid("*"), /is not a GUID/);
    });

    it("immutableId is base64 of the objectGUID bytes and stays the same across reads and writes", async () => {
      const { dn, upn } = await scratchUser();
      const first = await mustFind(upn);
      assert.equal(first.immutableId, (await rawGuid(dn)).toString("base64"));
      assert.equal(Buffer.from(first.immutableId, "base64").length, 16);
      await svc.writeExchangeAttributes(dn, { mail: "stable@fabrikam.example" });
      const again = await svc.getUser(dn);
      assert.equal(again?.immutableId, first.immutableId);
      assert.equal(again?.objectGuid, first.objectGuid);
    });

    it("reads a DN with an escaped comma and non-ASCII characters, and gets it back by that DN", async () => {
      const user = await mustFind("joerg.mueller@fabrikam.example");
      assert.equal(user.dn, `CN=Müller\\, Jörg,OU=Users,${samba.fabrikamOu}`);
      assert.equal(user.displayName, "Jörg Müller");
      assert.deepEqual(await svc.getUser(user.dn), user);
    });

    it("mailbox-less users have no Exchange attributes; a disabled account reads accountEnabled false", async () => {
      const worker = await mustFind("victor.hale@fabrikam.example");
      assert.equal(worker.mail, undefined);
      assert.deepEqual(worker.proxyAddresses, []);
      assert.equal(worker.targetAddress, undefined);
      assert.equal(worker.msExchRecipientDisplayType, undefined);
      assert.equal(worker.msExchRecipientTypeDetails, undefined);
      assert.equal(worker.msExchRemoteRecipientType, undefined);
      assert.deepEqual(worker.extensionAttributes, {});
      assert.equal(worker.accountEnabled, true);
      const departed = await mustFind("ulrich.weber@fabrikam.example");
      assert.equal(departed.accountEnabled, false);
      assert.equal(departed.msExchRecipientTypeDetails, REMOTE_MAILBOX.msExchRecipientTypeDetails);
    });

    it("getUser: undefined for a DN that does not exist, is not a user, or lies outside baseDn", async () => {
      assert.equal(await svc.getUser(`CN=Nobody Here,OU=Users,${samba.fabrikamOu}`), undefined);
      assert.equal(await svc.getUser(`CN=LIC-M365-E5,OU=Groups,${samba.fabrikamOu}`), undefined);
      assert.equal(await svc.getUser(`CN=Administrator,CN=Users,${samba.connection.baseDn}`), undefined);
    });

    it("lists every seeded user exactly once in pages of 5, the same as in one page", async () => {
      const seeded = samba.seededUserDns();
      assert.ok(seeded.length >= 20, `seed has ${seeded.length} users`);
      const paged = await svc.listUsers({ pageSize: 5 });
      const dns = paged.map((u) => u.dn);
      assert.equal(new Set(dns).size, dns.length, "a user came twice");
      for (const dn of seeded) {
        assert.ok(dns.includes(dn), `${dn} missing from listUsers`);
      }
      const whole = await svc.listUsers({ pageSize: 1000 });
      assert.deepEqual(new Set(whole.map((u) => u.dn)), new Set(dns));
      const remote = paged.filter(
        (u) => u.msExchRecipientTypeDetails === REMOTE_MAILBOX.msExchRecipientTypeDetails,
      );
      assert.equal(remote.length, 22);
      for (const u of remote) {
        assert.equal(u.targetAddress, `SMTP:${u.samAccountName}@fabrikam.mail.onmicrosoft.com`);
        assert.equal(u.msExchRecipientDisplayType, REMOTE_MAILBOX.msExchRecipientDisplayType);
        assert.equal(u.msExchRemoteRecipientType, REMOTE_MAILBOX.msExchRemoteRecipientType);
      }
    });

    it("lists from the domain root without tripping over the referrals to other partitions", async () => {
      const admin = client(samba.admin());
      const users = await admin.listUsers({ pageSize: 7 });
      const dns = users.map((u) => u.dn);
      assert.ok(dns.includes(`CN=Administrator,CN=Users,${samba.connection.baseDn}`));
      for (const dn of samba.seededUserDns()) {
        assert.ok(dns.includes(dn), `${dn} missing`);
      }
    });

    it("lists groups with their members, security flag and mail", async () => {
      const groups = await svc.listGroups({ pageSize: 2 });
      const byName = new Map(groups.map((g) => [g.samAccountName, g]));
      const e5 = byName.get("LIC-M365-E5");
      assert.ok(e5, "LIC-M365-E5 missing");
      assert.equal(e5.securityEnabled, true);
      assert.equal(e5.memberDns.length, 21);
      assert.ok(e5.memberDns.includes(`CN=Amara Okafor,OU=Migration Wave 01,${samba.fabrikamOu}`));
      assert.match(e5.objectGuid, /^[0-9a-f-]{36}$/);
      const dl = byName.get("DL-All-Staff");
      assert.ok(dl, "DL-All-Staff missing");
      assert.equal(dl.securityEnabled, false);
      assert.equal(dl.mail, "all.staff@fabrikam.example");
      assert.deepEqual(dl.proxyAddresses, [
        "SMTP:all.staff@fabrikam.example",
        "smtp:all.staff@fabrikam.mail.onmicrosoft.com",
      ]);
      assert.ok(dl.memberDns.includes(`CN=SG-Finance,OU=Groups,${samba.fabrikamOu}`));
    });

    it("shares one connection between concurrent operations", async () => {
      const fresh = client(samba.serviceAccount());
      const upns = samba
        .seededUserDns()
        .map((_, i) => (i % 2 ? "amara.okafor@fabrikam.example" : "chen.wei@fabrikam.example"));
      const found = await Promise.all(upns.map((upn) => fresh.findUserByUpn(upn)));
      assert.deepEqual(
        found.map((u) => u?.userPrincipalName),
        upns,
      );
    });
  });

  describe("writing the Exchange attributes", () => {
    it("sets, changes and clears each of the six, reading back what was written", async () => {
      const { dn } = await scratchUser();
      await svc.writeExchangeAttributes(dn, {
        mail: "pat.scratch@fabrikam.example",
        proxyAddresses: [
          "SMTP:pat.scratch@fabrikam.example",
          "smtp:pat.scratch@fabrikam.mail.onmicrosoft.com",
        ],
        targetAddress: "SMTP:pat.scratch@fabrikam.mail.onmicrosoft.com",
        ...REMOTE_MAILBOX,
      });
      let user = await svc.getUser(dn);
      assert.equal(user?.mail, "pat.scratch@fabrikam.example");
      assert.deepEqual(user?.proxyAddresses, [
        "SMTP:pat.scratch@fabrikam.example",
        "smtp:pat.scratch@fabrikam.mail.onmicrosoft.com",
      ]);
      assert.equal(user?.targetAddress, "SMTP:pat.scratch@fabrikam.mail.onmicrosoft.com");
      assert.equal(user?.msExchRecipientDisplayType, -2147483642);
      assert.equal(user?.msExchRecipientTypeDetails, 2147483648);
      assert.equal(user?.msExchRemoteRecipientType, 4);

      // A mailbox moved back on-premises: UserMailbox (1), RemoteRecipientType 8 (DeprovisionMailbox).
      const reordered = [
        "smtp:pat.old@fabrikam.example",
        "SMTP:Pat.Scratch@Fabrikam.example",
        `${X500}0123456789abcdef0123456789abcdef-pat`,
        "sip:Pat.Scratch@fabrikam.example",
      ];
      await svc.writeExchangeAttributes(dn, {
        mail: "Pat.Scratch@Fabrikam.example",
        proxyAddresses: reordered,
        targetAddress: "SMTP:pat@contoso.mail.onmicrosoft.com",
        msExchRecipientDisplayType: 1073741824,
        msExchRecipientTypeDetails: 1,
        msExchRemoteRecipientType: 8,
      });
      user = await svc.getUser(dn);
      assert.equal(user?.mail, "Pat.Scratch@Fabrikam.example");
      assert.deepEqual(user?.proxyAddresses, reordered, "order and case of proxyAddresses");
      assert.equal(user?.targetAddress, "SMTP:pat@contoso.mail.onmicrosoft.com");
      assert.equal(user?.msExchRecipientDisplayType, 1073741824);
      assert.equal(user?.msExchRecipientTypeDetails, 1);
      assert.equal(user?.msExchRemoteRecipientType, 8);

      await svc.writeExchangeAttributes(dn, {
        mail: null,
        proxyAddresses: null,
        targetAddress: null,
        msExchRecipientDisplayType: null,
        msExchRecipientTypeDetails: null,
        msExchRemoteRecipientType: null,
      });
      user = await svc.getUser(dn);
      assert.ok(user);
      assert.equal(user.mail, undefined);
      assert.deepEqual(user.proxyAddresses, []);
      assert.equal(user.targetAddress, undefined);
      assert.equal(user.msExchRecipientDisplayType, undefined);
      assert.equal(user.msExchRecipientTypeDetails, undefined);
      assert.equal(user.msExchRemoteRecipientType, undefined);
    });

    it("clearing attributes that are absent is not an error; undefined leaves an attribute alone", async () => {
      const { dn } = await scratchUser();
      await svc.writeExchangeAttributes(dn, {
        mail: null,
        proxyAddresses: null,
        msExchRemoteRecipientType: null,
      });
      await svc.writeExchangeAttributes(dn, { mail: "kept@fabrikam.example" });
      await svc.writeExchangeAttributes(dn, {
        targetAddress: "SMTP:kept@fabrikam.mail.onmicrosoft.com",
        mail: undefined,
      });
      const user = await svc.getUser(dn);
      assert.equal(user?.mail, "kept@fabrikam.example");
      assert.equal(user?.targetAddress, "SMTP:kept@fabrikam.mail.onmicrosoft.com");
      const usn = await svc.highestCommittedUsn();
      await svc.writeExchangeAttributes(dn, {});
      assert.equal(await svc.highestCommittedUsn(), usn, "an empty change wrote something");
    });

    it("writes any proxyAddresses list and reads back the same list, order and case kept", async () => {
      const { dn } = await scratchUser();
      const prefix = fc.constantFrom("SMTP:", "smtp:", "X500:", "SIP:", "sip:", "x400:");
      // Printable text without leading or trailing spaces (Exchange trims those anyway).
      const body = fc
        .string({
          unit: fc.constantFrom(..."abcXYZ019.-_@/=() äöüßçñøéЖжΩ漢字"),
          minLength: 1,
          maxLength: 40,
        })
        .filter((s) => s.trim() === s);
      const lists = fc.uniqueArray(
        fc.tuple(prefix, body).map(([p, b]) => p + b),
        { minLength: 1, maxLength: 8, selector: (v) => v.toLowerCase() },
      );
      await fc.assert(
        fc.asyncProperty(lists, async (list) => {
          await svc.writeExchangeAttributes(dn, { proxyAddresses: list });
          assert.deepEqual((await svc.getUser(dn))?.proxyAddresses, list);
        }),
        { numRuns: 30 },
      );
    });

    it("refuses values AD would refuse before writing anything, naming the DN", async () => {
      const { dn } = await scratchUser();
      const usn = await svc.highestCommittedUsn();
      const refused: [object, RegExp][] = [
        [
          { msExchRecipientDisplayType: 2 ** 31 },
          /msExchRecipientDisplayType must be a 32-bit signed integer/,
        ],
        [{ msExchRecipientTypeDetails: 1.5 }, /msExchRecipientTypeDetails must be a safe integer/],
        [{ mail: "" }, /mail must be a non-empty string/],
        [{ targetAddress: "SMTP:a@fabrikam.example\u0000x" }, /has a control character/],
        [
          { proxyAddresses: ["SMTP:a@fabrikam.example", "smtp:A@fabrikam.example"] },
          /the same address to AD/,
        ],
        [{ displayName: "x" }, /displayName is not an attribute this client writes/],
      ];
      for (const [changes, message] of refused) {
        await assert.rejects(svc.writeExchangeAttributes(dn, changes), (err: unknown) => {
          assert.ok(err instanceof DirectoryError);
          assert.equal(err.dn, dn);
          assert.match(err.message, message);
          assert.ok(err.message.includes(dn), err.message);
          return true;
        });
      }
      assert.equal(await svc.highestCommittedUsn(), usn);
    });

    it("a write the account may not make is LDAP 50, naming the DN (svc-reachback may not write groups)", async () => {
      const group = `CN=DL-All-Staff,OU=Groups,${samba.fabrikamOu}`;
      await assert.rejects(
        svc.writeExchangeAttributes(group, { mail: "hijack@fabrikam.example" }),
        (err: unknown) => {
          assert.ok(err instanceof DirectoryError);
          assert.equal(err.resultCode, 50);
          assert.equal(err.dn, group);
          assert.match(
            err.message,
            /^modify CN=DL-All-Staff,OU=Groups,.*: LDAP 50 insufficientAccessRights: /,
          );
          return true;
        },
      );
      const groups = await svc.listGroups();
      assert.equal(groups.find((g) => g.dn === group)?.mail, "all.staff@fabrikam.example");
    });

    it("refuses a DN outside baseDn without asking the server, and a missing object is LDAP 32", async () => {
      const admin = `CN=Administrator,CN=Users,${samba.connection.baseDn}`;
      await assert.rejects(
        svc.writeExchangeAttributes(admin, { mail: "x@fabrikam.example" }),
        /outside this client's scope/,
      );
      const missing = `CN=Nobody Here,OU=Users,${samba.fabrikamOu}`;
      await assert.rejects(
        svc.writeExchangeAttributes(missing, { mail: "x@fabrikam.example" }),
        (err: unknown) => {
          assert.ok(err instanceof DirectoryError);
          assert.equal(err.resultCode, 32);
          assert.match(err.message, /LDAP 32 noSuchObject/);
          return true;
        },
      );
    });
  });

  describe("filters", () => {
    it("a UPN carrying filter syntax matches nothing and changes nothing", async () => {
      const usn = await svc.highestCommittedUsn();
      for (const upn of [
        "*",
        "x*",
        "*)(userPrincipalName=*",
        "*)(|(objectClass=*)",
        "amara.okafor@fabrikam.example)(mail=*",
        "amara.okafor@fabrikam.example\\2a",
        "\\",
      ]) {
        assert.equal(await svc.findUserByUpn(upn), undefined, upn);
      }
      // Samba compares only up to a NUL: the client must not send one.
      await assert.rejects(svc.findUserByUpn("amara.okafor@fabrikam.example\u0000"), /control character/);
      assert.equal(await svc.highestCommittedUsn(), usn);
    });
  });

  describe("TLS and binding", () => {
    it("validates the server certificate by default: without the CA the connection fails with a TLS error", async () => {
      const untrusting = client(samba.serviceAccount({ caCertPath: undefined }));
      await assert.rejects(untrusting.listUsers(), (err: unknown) => {
        assert.ok(err instanceof DirectoryError);
        assert.equal(err.resultCode, undefined);
        assert.match(
          err.message,
          /^connect ldaps:\/\/127\.0\.0\.\d+:636: TLS certificate verification failed/,
        );
        assert.match(err.message, /caCertPath/);
        return true;
      });
    });

    it("allowInsecureTls connects without the CA and warns at every connection", async () => {
      const warnings: string[] = [];
      const insecure = client(
        samba.serviceAccount({
          caCertPath: undefined,
          allowInsecureTls: true,
          warn: (m) => warnings.push(m),
        }),
      );
      assert.ok(await insecure.findUserByUpn("amara.okafor@fabrikam.example"));
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /WITHOUT verifying the server certificate/);
      assert.ok(warnings[0].includes(samba.connection.ldapsUrl));
    });

    it("StartTLS on port 389 validates the certificate too", async () => {
      const startTls = client(samba.serviceAccount({ url: samba.connection.ldapUrl, startTls: true }));
      assert.ok(await startTls.findUserByUpn("amara.okafor@fabrikam.example"));
      const untrusting = client(
        samba.serviceAccount({ url: samba.connection.ldapUrl, startTls: true, caCertPath: undefined }),
      );
      await assert.rejects(
        untrusting.listUsers(),
        /StartTLS with ldap:.*TLS certificate verification failed/,
      );
    });

    it("refuses plain LDAP, and an empty password, before connecting", () => {
      assert.throws(
        () => new DirectoryClient(samba.serviceAccount({ url: samba.connection.ldapUrl })),
        /in clear/,
      );
      assert.throws(() => new DirectoryClient(samba.serviceAccount({ password: "" })), /binds anonymously/);
    });

    it("a wrong password is a DirectoryError with result code 49 naming the account", async () => {
      const wrong = client(samba.serviceAccount({ password: "not-the-password" }));
      await assert.rejects(wrong.findUserByUpn("amara.okafor@fabrikam.example"), (err: unknown) => {
        assert.ok(err instanceof DirectoryError);
        assert.equal(err.resultCode, 49);
        assert.equal(err.dn, samba.connection.serviceAccount.bindDn);
        assert.match(
          err.message,
          /^bind as svc-reachback@corp\.fabrikam\.example: LDAP 49 invalidCredentials: /,
        );
        assert.match(err.message, /wrong password/);
        return true;
      });
    });

    it("a disabled account's bind is 49 too, and the message says it is disabled", async () => {
      const departed = client(
        samba.serviceAccount({ bindDn: "ulrich.weber@fabrikam.example", password: "Fabrikam-User-2024!" }),
      );
      await assert.rejects(departed.listUsers(), /LDAP 49 invalidCredentials: .*account disabled/);
    });
  });

  describe("reconnecting", () => {
    // A short timeout: a request stuck on a dead connection fails the test instead of waiting 30 s.
    const overLdaps = () => client(samba.serviceAccount({ timeoutMs: 5000 }));
    const overStartTls = () =>
      client(samba.serviceAccount({ url: samba.connection.ldapUrl, startTls: true, timeoutMs: 5000 }));

    it("keeps working after the server restarts, over LDAPS and StartTLS, whether or not the drop was noticed", async () => {
      const both = [overLdaps(), overStartTls()];
      const amara = await both[0].findUserByUpn("amara.okafor@fabrikam.example");
      assert.deepEqual(await both[1].findUserByUpn("amara.okafor@fabrikam.example"), amara);
      const { dn } = await scratchUser();

      // The restart blocks this process: the next operations meet the dead connections.
      samba.restart();
      for (const c of both) {
        assert.deepEqual(await c.findUserByUpn("amara.okafor@fabrikam.example"), amara);
      }

      // Now with time for the close to arrive while idle; then writes.
      samba.restart();
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const [i, c] of both.entries()) {
        await c.writeExchangeAttributes(dn, { mail: `after.restart.${i}@fabrikam.example` });
        assert.equal((await c.getUser(dn))?.mail, `after.restart.${i}@fabrikam.example`);
      }
    });

    it("close() does not wait on connections the server dropped", async () => {
      const both = [overLdaps(), overStartTls()];
      await Promise.all(both.map((c) => c.highestCommittedUsn()));
      samba.restart();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      await Promise.all(both.map((c) => c.close()));
      assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
      await assert.rejects(both[0].highestCommittedUsn(), /is closed/);
    });
  });

  describe("delta", () => {
    it("highestCommittedUsn grows with a write, and changedSinceUsn lists only what changed", async () => {
      const { dn } = await scratchUser();
      const usn = await svc.highestCommittedUsn();
      assert.deepEqual(await svc.listUsers({ changedSinceUsn: usn }), []);
      await svc.writeExchangeAttributes(dn, { mail: "delta@fabrikam.example" });
      const after = await svc.highestCommittedUsn();
      assert.ok(after > usn, `${after} > ${usn}`);
      const changed = await svc.listUsers({ changedSinceUsn: usn, pageSize: 5 });
      assert.deepEqual(
        changed.map((u) => [u.dn, u.mail]),
        [[dn, "delta@fabrikam.example"]],
      );
      assert.ok(changed[0].usnChanged > usn && changed[0].usnChanged <= after);
      assert.deepEqual(await svc.listGroups({ changedSinceUsn: usn }), []);
    });
  });
});
