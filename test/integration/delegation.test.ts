// Delegated write rights against a real AD (Samba AD DC, scripts/samba.sh): security descriptors
// read with the SD flags control and decoded (samba.sh's own delegation to svc-reachback is found
// as granted), real descriptors written back byte for byte, and on a scratch OU the server's own
// access checks as the proof: a fresh service account is refused the six Exchange attributes until
// addGrants is written, may then write exactly those on users in that OU and nothing else, and is
// refused again after removeGrants. A broader ACE set by samba-tool is reported as broader.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Attribute, Change, Client, InsufficientAccessError } from "ldapts";
import { DELEGATED_USER_ATTRIBUTES } from "../../lib/config/automation";
import {
  DirectoryClient,
  type DirectoryConfig,
  DirectoryError,
  type ExchangeAttributeChanges,
} from "../../lib/directory/client";
import {
  type AttributeGrant,
  addGrants,
  inspectDelegation,
  removeGrants,
} from "../../lib/directory/delegation";
import {
  ACE_TYPE_ACCESS_ALLOWED_OBJECT,
  ADS_RIGHT_WRITE_PROP,
  CONTAINER_INHERIT_ACE,
  describeAce,
  INHERIT_ONLY_ACE,
  parseSecurityDescriptor,
  type SecurityDescriptor,
  serializeSecurityDescriptor,
} from "../../lib/directory/securityDescriptor";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";

const SIX = DELEGATED_USER_ATTRIBUTES;
type Six = (typeof SIX)[number];

// Well-known schemaIDGUIDs of the base schema (MS-ADA1/MS-ADSC), the same in every AD.
const KNOWN_GUIDS: Record<string, string> = {
  user: "bf967aba-0de6-11d0-a285-00aa003049e2",
  group: "bf967a9c-0de6-11d0-a285-00aa003049e2",
  member: "bf9679c0-0de6-11d0-a285-00aa003049e2",
  mail: "bf967961-0de6-11d0-a285-00aa003049e2",
  proxyAddresses: "bf967a06-0de6-11d0-a285-00aa003049e2",
  description: "bf967950-0de6-11d0-a285-00aa003049e2",
};

/** A value of each attribute unlike the remote mailbox the fixture makes. */
const NEW_VALUES: Record<Six, ExchangeAttributeChanges> = {
  msExchRecipientDisplayType: { msExchRecipientDisplayType: 6 },
  msExchRecipientTypeDetails: { msExchRecipientTypeDetails: 128 },
  msExchRemoteRecipientType: { msExchRemoteRecipientType: 1 },
  targetAddress: { targetAddress: "SMTP:deleg.test@contoso.mail.onmicrosoft.com" },
  mail: { mail: "deleg.test@contoso.example" },
  proxyAddresses: { proxyAddresses: ["SMTP:deleg.test@contoso.example"] },
};

async function resultCodeOf(work: Promise<unknown>): Promise<number | undefined> {
  try {
    await work;
    return undefined;
  } catch (err) {
    if (err instanceof DirectoryError) return err.resultCode;
    if (err instanceof InsufficientAccessError) return 50;
    throw err;
  }
}

describe("integration: delegated write rights in AD (security descriptors)", function () {
  this.timeout(120_000);
  let samba: SambaUnderTest;
  let sambaDir: string;
  let admin: DirectoryClient;
  let scratch: ScratchOu;
  /** The scratch service account, scoped to OU=Fabrikam so that the server, not the client, decides. */
  let svc: DirectoryClient;
  /** The same account over plain ldapts, for attributes the directory client does not write. */
  let svcRaw: Client;
  let svcSid: string;
  let guids: Map<string, string>;
  let userGrants: AttributeGrant[];
  let memberGrant: AttributeGrant;
  const clients: DirectoryClient[] = [];

  function client(config: DirectoryConfig): DirectoryClient {
    const c = new DirectoryClient(config);
    clients.push(c);
    return c;
  }

  /** The whole descriptor (owner, group, SACL, DACL) as the server sends it, read without our code. */
  async function rawDescriptor(dn: string): Promise<Buffer> {
    const raw = new Client({
      url: samba.connection.ldapsUrl,
      tlsOptions: { ca: [readFileSync(samba.connection.caCertPath)] },
    });
    try {
      await raw.bind(samba.connection.adminBindDn, samba.connection.adminPassword);
      const { searchEntries } = await raw.search(dn, {
        scope: "base",
        attributes: ["nTSecurityDescriptor"],
        explicitBufferAttributes: ["nTSecurityDescriptor"],
      });
      const value = searchEntries[0]?.nTSecurityDescriptor;
      assert.ok(Buffer.isBuffer(value), `no nTSecurityDescriptor for ${dn}`);
      return value;
    } finally {
      await raw.unbind();
    }
  }

  /** Writes one attribute as the scratch account; the LDAP result code, or undefined on success. */
  function svcWrites(dn: string, attribute: string, value: string): Promise<number | undefined> {
    const change = new Change({
      operation: "replace",
      modification: new Attribute({ type: attribute, values: [value] }),
    });
    return resultCodeOf(svcRaw.modify(dn, change));
  }

  async function grantOnOu(grants: AttributeGrant[]): Promise<void> {
    const sd = await admin.readSecurityDescriptor(scratch.ouDn);
    await admin.writeSecurityDescriptor(scratch.ouDn, addGrants(sd, svcSid, grants));
  }

  before(async function () {
    samba = sambaOrSkip(this);
    sambaDir = path.dirname(process.env.ENTRA_COEX_TEST_SAMBA as string);
    admin = client(samba.admin());
    scratch = await createScratchOu(samba.admin(), "deleg");
    svc = client({
      ...samba.serviceAccount(),
      bindDn: scratch.serviceAccount.bindDn,
      password: scratch.serviceAccount.password,
    });
    svcRaw = new Client({
      url: samba.connection.ldapsUrl,
      tlsOptions: { ca: [readFileSync(samba.connection.caCertPath)] },
    });
    await svcRaw.bind(scratch.serviceAccount.bindDn, scratch.serviceAccount.password);
    const account = await admin.findAccount(scratch.serviceAccount.samAccountName);
    assert.ok(account, "the scratch service account is found");
    svcSid = account.sid;
    guids = await admin.schemaIdGuids([...SIX, "user", "group", "member", "description"]);
    userGrants = SIX.map((attribute) => ({
      attribute,
      attributeGuid: guids.get(attribute) as string,
      objectClass: "user",
      objectClassGuid: guids.get("user") as string,
      scope: "descendants",
    }));
    memberGrant = {
      attribute: "member",
      attributeGuid: guids.get("member") as string,
      objectClass: "group",
      objectClassGuid: guids.get("group") as string,
      scope: "object",
    };
  });

  after(async () => {
    await svcRaw?.unbind().catch(() => undefined);
    await Promise.all(clients.map((c) => c.close()));
    await scratch?.cleanup();
  });

  describe("reading", () => {
    it("finds samba.sh's delegation to svc-reachback on OU=Fabrikam as granted, and nothing broader", async () => {
      const reachback = await admin.findAccount("svc-reachback");
      assert.ok(reachback);
      const grants = userGrants;
      // As the administrator, and as svc-reachback itself: the SD flags control asks for the DACL
      // only, which any account that may read permissions gets.
      const selfClient = client(samba.serviceAccount());
      for (const reader of [admin, selfClient]) {
        const sd = await reader.readSecurityDescriptor(samba.fabrikamOu);
        assert.equal(sd.owner, undefined, "the DACL alone");
        assert.equal(sd.sacl, undefined);
        const state = inspectDelegation(sd, reachback.sid, grants);
        assert.deepEqual(
          state.granted.map((g) => g.attribute),
          [...SIX],
        );
        assert.deepEqual(state.missing, []);
        assert.deepEqual(state.broader, []);
      }
    });

    it("on OU=Groups finds the member grant, and the six user rights inherited from OU=Fabrikam as broader", async () => {
      const reachback = await admin.findAccount("svc-reachback@corp.fabrikam.example");
      assert.ok(reachback);
      const sd = await admin.readSecurityDescriptor(`OU=Groups,${samba.fabrikamOu}`);
      const onGroups = { ...memberGrant, scope: "descendants" as const };
      const state = inspectDelegation(sd, reachback.sid, [onGroups]);
      assert.deepEqual(state.granted, [onGroups]);
      const names = new Map([...guids].map(([name, guid]) => [guid, name]));
      assert.deepEqual(
        state.broader.map((f) => [f.explicit, describeAce(f.ace, names)]).sort(),
        SIX.map((a) => [false, `(OA;CIIOID;WP;${a};user;${reachback.sid})`]).sort(),
      );
      assert.match(state.broader[0].reason, /^writes .*, which is not delegated here$/);
    });

    it("without the SD flags control svc-reachback gets no descriptor at all (it may not read the SACL)", async () => {
      const raw = new Client({
        url: samba.connection.ldapsUrl,
        tlsOptions: { ca: [readFileSync(samba.connection.caCertPath)] },
      });
      try {
        await raw.bind(samba.connection.serviceAccount.bindDn, samba.connection.serviceAccount.password);
        const { searchEntries } = await raw.search(samba.fabrikamOu, {
          scope: "base",
          attributes: ["nTSecurityDescriptor"],
          explicitBufferAttributes: ["nTSecurityDescriptor"],
        });
        // ldapts lists an attribute asked for and not returned as [].
        assert.deepEqual([searchEntries[0]?.nTSecurityDescriptor ?? []].flat(), []);
      } finally {
        await raw.unbind();
      }
    });

    it("writes real descriptors back byte for byte (owner, group, SACL with audit ACEs, DACL)", async () => {
      const dns = [
        samba.connection.baseDn,
        samba.fabrikamOu,
        `OU=Groups,${samba.fabrikamOu}`,
        samba.connection.serviceAccount.dn,
        samba.seededUserDns()[0],
        scratch.ouDn,
        scratch.groupDn,
        `CN=Schema,CN=Configuration,${samba.connection.baseDn}`,
      ];
      for (const dn of dns) {
        const bytes = await rawDescriptor(dn);
        const sd = parseSecurityDescriptor(bytes);
        assert.ok(sd.owner && sd.group && sd.dacl && sd.sacl, `all four parts of ${dn}`);
        assert.deepEqual(serializeSecurityDescriptor(sd), bytes, dn);
      }
    });

    it("finds an account by each form of its name, anywhere in the domain, with its SID", async () => {
      const reachback = await admin.findAccount("svc-reachback");
      assert.ok(reachback);
      assert.equal(reachback.dn, samba.connection.serviceAccount.dn);
      assert.equal(reachback.samAccountName, "svc-reachback");
      // The SID samba.sh put into the ACEs (samba-tool, from ldbsearch's objectSid) is this one.
      const sd = await admin.readSecurityDescriptor(samba.fabrikamOu);
      assert.ok(sd.dacl?.aces.some((a) => a.sid === reachback.sid));
      for (const name of [
        "SVC-REACHBACK",
        "svc-reachback@corp.fabrikam.example",
        "FABRIKAM\\svc-reachback",
        "CORP\\svc-reachback",
        samba.connection.serviceAccount.dn,
      ]) {
        assert.deepEqual(await admin.findAccount(name), reachback, name);
      }
      // Outside OU=Fabrikam (the client's baseDn is no limit here), and by its implicit UPN.
      const administrator = await svc.findAccount("Administrator@corp.fabrikam.example");
      assert.equal(administrator?.dn, `CN=Administrator,CN=Users,${samba.connection.baseDn}`);
      assert.match(administrator?.sid ?? "", /^S-1-5-21-\d+-\d+-\d+-500$/);
      assert.equal(await admin.findAccount("nobody-here"), undefined);
      assert.equal(await admin.findAccount("*"), undefined);
      assert.equal(await admin.findAccount(`CN=nobody,${samba.fabrikamOu}`), undefined);
      await assert.rejects(
        admin.findAccount("CONTOSO\\svc-reachback"),
        /CONTOSO is not the domain of .* \(FABRIKAM or corp\.fabrikam\.example\)/,
      );
    });

    it("reads schemaIDGUIDs from the schema, and names every name it does not find", async () => {
      for (const [name, guid] of Object.entries(KNOWN_GUIDS)) {
        assert.equal(guids.get(name), guid, name);
      }
      // Samba made up the Exchange attributes' GUIDs at provisioning: they are the ones in samba.sh's ACEs.
      const reachback = await admin.findAccount("svc-reachback");
      const sd = await admin.readSecurityDescriptor(samba.fabrikamOu);
      const delegated = new Set(
        sd.dacl?.aces.filter((a) => a.sid === reachback?.sid).map((a) => a.objectType),
      );
      for (const name of SIX) assert.ok(delegated.has(guids.get(name)), name);
      assert.deepEqual([...(await svc.schemaIdGuids(["USER"])).entries()], [["USER", KNOWN_GUIDS.user]]);
      await assert.rejects(
        admin.schemaIdGuids(["mail", "msExchMailboxGuid", "telephoneNumbr"]),
        (err: DirectoryError) =>
          /^msExchMailboxGuid, telephoneNumbr are not in the schema of ldaps:\/\/.*: extend the schema with Exchange's attributes .*; check the spelling/.test(
            err.message,
          ),
      );
      await assert.rejects(admin.schemaIdGuids(["mail)(x=*"]), /is not an lDAPDisplayName/);
    });

    it("tells existing objects from missing ones", async () => {
      assert.equal(await svc.entryExists(scratch.ouDn), true);
      assert.equal(await svc.entryExists(`OU=missing,${scratch.ouDn}`), false);
      await assert.rejects(
        admin.readSecurityDescriptor(`OU=missing,${scratch.ouDn}`),
        (err: DirectoryError) => {
          assert.equal(err.resultCode, 32);
          assert.match(err.message, /OU=missing,OU=deleg-/);
          return true;
        },
      );
    });
  });

  describe("granting on a scratch OU (the server's access checks decide)", () => {
    it("before: the account is refused each of the six attributes, and may not change permissions", async () => {
      for (const attribute of SIX) {
        assert.equal(
          await resultCodeOf(svc.writeExchangeAttributes(scratch.userDn, NEW_VALUES[attribute])),
          50,
          attribute,
        );
      }
      const sd = await svc.readSecurityDescriptor(scratch.ouDn);
      await assert.rejects(
        svc.writeSecurityDescriptor(scratch.ouDn, addGrants(sd, svcSid, userGrants)),
        (err: DirectoryError) => {
          assert.equal(err.resultCode, 50);
          assert.match(
            err.message,
            new RegExp(`the binding account ${scratch.serviceAccount.bindDn} lacks WRITE_DAC on OU=deleg-`),
          );
          return true;
        },
      );
      assert.deepEqual(
        inspectDelegation(await admin.readSecurityDescriptor(scratch.ouDn), svcSid, userGrants).granted,
        [],
      );
    });

    it("after addGrants: writes and restores each of the six on the user in the OU, owner, group and SACL untouched", async () => {
      const before = parseSecurityDescriptor(await rawDescriptor(scratch.ouDn));
      await grantOnOu(userGrants);
      const after = parseSecurityDescriptor(await rawDescriptor(scratch.ouDn));
      assert.equal(after.owner, before.owner);
      assert.equal(after.group, before.group);
      assert.deepEqual(after.sacl, before.sacl);
      const state = inspectDelegation(await admin.readSecurityDescriptor(scratch.ouDn), svcSid, userGrants);
      assert.equal(state.granted.length, 6);
      assert.deepEqual(state.broader, []);

      const original = await admin.getUser(scratch.userDn);
      assert.ok(original);
      for (const attribute of SIX) {
        await svc.writeExchangeAttributes(scratch.userDn, NEW_VALUES[attribute]);
        const written = await admin.getUser(scratch.userDn);
        const [[key, value]] = Object.entries(NEW_VALUES[attribute]);
        assert.deepEqual(written?.[key as Six], value, attribute);
        await svc.writeExchangeAttributes(scratch.userDn, { [attribute]: original[attribute] ?? null });
      }
      const restored = await admin.getUser(scratch.userDn);
      assert.ok(restored);
      assert.deepEqual({ ...restored, usnChanged: 0 }, { ...original, usnChanged: 0 }, "all restored");
    });

    it("is still refused other attributes of that user, and every write on a user outside the OU", async () => {
      await grantOnOu(userGrants);
      assert.equal(await svcWrites(scratch.userDn, "description", "changed"), 50);
      assert.equal(await svcWrites(scratch.userDn, "telephoneNumber", "+1 555 0100"), 50);
      assert.equal(await svcWrites(scratch.userDn, "userPrincipalName", "someone.else@fabrikam.example"), 50);
      for (const attribute of SIX) {
        assert.equal(
          await resultCodeOf(svc.writeExchangeAttributes(scratch.outsideUserDn, NEW_VALUES[attribute])),
          50,
          attribute,
        );
      }
      // Nor on the OU itself or the group in it (inherit-only, and only for user objects).
      assert.equal(await svcWrites(scratch.ouDn, "description", "changed"), 50);
      assert.equal(await svcWrites(scratch.groupDn, "mail", "group@fabrikam.example"), 50);
    });

    it("changes a group's members only with the object-scope member grant on that group", async () => {
      assert.equal(await resultCodeOf(svc.addGroupMember(scratch.groupDn, scratch.userDn)), 50);
      const sd = await admin.readSecurityDescriptor(scratch.groupDn);
      const granted = addGrants(sd, svcSid, [memberGrant]);
      const ace = granted.dacl?.aces.find((a) => a.sid === svcSid);
      assert.deepEqual(ace, {
        type: ACE_TYPE_ACCESS_ALLOWED_OBJECT,
        flags: 0,
        mask: ADS_RIGHT_WRITE_PROP,
        objectType: KNOWN_GUIDS.member,
        sid: svcSid,
      });
      await admin.writeSecurityDescriptor(scratch.groupDn, granted);
      assert.deepEqual(
        inspectDelegation(await svc.readSecurityDescriptor(scratch.groupDn), svcSid, [memberGrant]).granted,
        [memberGrant],
      );
      await svc.addGroupMember(scratch.groupDn, scratch.userDn);
      const group = (await admin.listGroups()).find((g) => g.dn === scratch.groupDn);
      assert.deepEqual(group?.memberDns, [scratch.userDn]);
      await svc.removeGroupMember(scratch.groupDn, scratch.userDn);
      assert.equal(await svcWrites(scratch.groupDn, "description", "changed"), 50, "member only");

      await admin.writeSecurityDescriptor(
        scratch.groupDn,
        removeGrants(await admin.readSecurityDescriptor(scratch.groupDn), svcSid, [memberGrant]),
      );
      assert.equal(await resultCodeOf(svc.addGroupMember(scratch.groupDn, scratch.userDn)), 50);
    });

    it("reports a broader ACE set by samba-tool (and the server honours it), and a removed ACE as missing", async () => {
      await grantOnOu(userGrants);
      // An independent writer: samba-tool on the DC's database.
      execFileSync(
        "samba-tool",
        [
          "dsacl",
          "set",
          "-s",
          path.join(sambaDir, "etc", "smb.conf"),
          "-H",
          path.join(sambaDir, "private", "sam.ldb"),
          `--objectdn=${scratch.ouDn}`,
          `--sddl=(A;CIIO;WP;;;${svcSid})`,
        ],
        { stdio: "pipe" },
      );
      let sd = await admin.readSecurityDescriptor(scratch.ouDn);
      let state = inspectDelegation(sd, svcSid, userGrants);
      assert.equal(state.granted.length, 6);
      assert.equal(state.broader.length, 1);
      assert.equal(state.broader[0].reason, "writes every property");
      assert.equal(state.broader[0].explicit, true);
      assert.equal(describeAce(state.broader[0].ace), `(A;CIIO;WP;;;${svcSid})`);
      assert.equal(
        await svcWrites(scratch.userDn, "description", "broader"),
        undefined,
        "the server lets it write anything",
      );

      // Taken away again through our writer, and targetAddress's ACE with it.
      const broad = state.broader[0].ace;
      const targetGuid = guids.get("targetAddress");
      const dacl = sd.dacl;
      assert.ok(dacl);
      await admin.writeSecurityDescriptor(scratch.ouDn, {
        ...sd,
        dacl: {
          ...dacl,
          aces: dacl.aces.filter((a) => a !== broad && !(a.sid === svcSid && a.objectType === targetGuid)),
        },
      });
      sd = await admin.readSecurityDescriptor(scratch.ouDn);
      state = inspectDelegation(sd, svcSid, userGrants);
      assert.deepEqual(
        state.missing.map((g) => g.attribute),
        ["targetAddress"],
      );
      assert.deepEqual(state.broader, []);
      assert.equal(await svcWrites(scratch.userDn, "description", "again"), 50);
      assert.equal(
        await resultCodeOf(svc.writeExchangeAttributes(scratch.userDn, NEW_VALUES.targetAddress)),
        50,
      );
      assert.equal(
        await resultCodeOf(svc.writeExchangeAttributes(scratch.userDn, { mail: "still@fabrikam.example" })),
        undefined,
      );
    });

    it("after removeGrants the account is refused each of the six again; the ACEs written are inherit-only for users", async () => {
      await grantOnOu(userGrants);
      const sd = await admin.readSecurityDescriptor(scratch.ouDn);
      for (const ace of sd.dacl?.aces.filter((a) => a.sid === svcSid) ?? []) {
        assert.equal(ace.flags, CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE);
        assert.equal(ace.inheritedObjectType, KNOWN_GUIDS.user);
      }
      await admin.writeSecurityDescriptor(scratch.ouDn, removeGrants(sd, svcSid, userGrants));
      const state = inspectDelegation(await admin.readSecurityDescriptor(scratch.ouDn), svcSid, userGrants);
      assert.deepEqual(state.granted, []);
      assert.deepEqual(state.broader, []);
      for (const attribute of SIX) {
        assert.equal(
          await resultCodeOf(svc.writeExchangeAttributes(scratch.userDn, NEW_VALUES[attribute])),
          50,
          attribute,
        );
      }
    });

    it("refuses to write without a DACL or outside the client's scope, before asking the server", async () => {
      const sd = await admin.readSecurityDescriptor(scratch.ouDn);
      await assert.rejects(
        admin.writeSecurityDescriptor(scratch.ouDn, { control: sd.control } as SecurityDescriptor),
        /the descriptor has no DACL; nothing written/,
      );
      const narrow = client(samba.admin({ baseDn: scratch.ouDn }));
      await assert.rejects(
        narrow.writeSecurityDescriptor(samba.fabrikamOu, sd),
        /outside this client's scope/,
      );
    });
  });
});
