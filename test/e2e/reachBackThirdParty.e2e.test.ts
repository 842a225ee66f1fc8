// The third-party mailbox path (seed 000, "Third-Party Mailbox Migration") end to end through the
// real pulumi CLI, against the emulator with Entra Connect syncing a real AD (Samba): a user whose
// source mailbox is still in Exchange Online is refused at preview with the seed's steps and
// nothing is written; once the mailbox is gone, `up` converts the user (the attribute-level
// Disable-RemoteMailbox + Enable-MailUser + restore) with every address and extension attribute
// as found, invites and reverts; a second up writes nothing; rollbackOnDelete puts every value back.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { Attribute, Change, Client } from "ldapts";
import type { DirectoryClient, DirectoryUser } from "../../lib/directory/client";
import { EXTENSION_ATTRIBUTE_NAMES } from "../../lib/journal/records";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import type { PulumiStack } from "../support/pulumi";
import {
  declareUsers,
  deltaSyncHook,
  licensedBy,
  type ReachBackEstate,
  reachBackConfig,
  reachBackEstate,
  reachBackStack,
  reachBackTestUser,
  stackJournal,
  type ReachBackTestUser as TestUser,
} from "../support/reachBack";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import { emulatorAdmin, type TenantPairUnderTest } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;
const PROJECT = "reachback-thirdparty";

/** The user's extension attributes as the test sets them before the estate's first sync. */
const EXTENSIONS = {
  extensionAttribute1: "FIN",
  extensionAttribute7: "CC-4410",
  extensionAttribute15: "Wave-3P",
};

/** Every attribute the path may touch, as read from Samba. */
const ATTRIBUTES = [
  "mail",
  "proxyAddresses",
  "targetAddress",
  "msExchRecipientDisplayType",
  "msExchRecipientTypeDetails",
  "msExchRemoteRecipientType",
] as const;

describe("e2e: ReachBackUser thirdParty path through the pulumi CLI (emulator, Samba, Entra Connect)", function () {
  this.timeout(600_000);
  let samba: SambaUnderTest;
  let pair: TenantPairUnderTest;
  let estate: ReachBackEstate;
  let scratch: ScratchOu;
  let stack: PulumiStack;
  let stateDir: string;
  let ad: DirectoryClient;
  let config: Record<string, unknown>;
  let user: TestUser;

  const graph = () => pair.graph("source");
  const declared = (extra: Record<string, unknown> = {}) => ({
    name: "thirdparty",
    sourceUserPrincipalName: user.upn,
    targetEmailAddress: user.target,
    coexRoutingAddress: user.routing,
    mailboxMigration: "thirdParty",
    licenseGroupMapping: { [estate.originalGroup]: estate.reachBackGroup },
    ...extra,
  });
  /** The users, and the test program's preview check of their preconditions. */
  const declare = (users: Array<Record<string, unknown>>) => {
    declareUsers(stack, config, users);
    const file = JSON.parse(readFileSync(stack.configFile, "utf8"));
    file.config["entra-coexistence-test:previewPreconditions"] = true;
    writeFileSync(stack.configFile, JSON.stringify(file, null, 2));
  };
  const writesSince = (since: number) =>
    (pair.emulator?.http.log ?? []).slice(since).filter((r) => r.method !== "GET");
  const logLength = () => pair.emulator?.http.log.length ?? 0;
  const adUser = async (): Promise<DirectoryUser> => {
    const u = await ad.getUser(user.dn);
    assert.ok(u, `${user.dn} is readable`);
    return u;
  };
  /** Each of extensionAttribute1..15 as read from Samba, undefined where unset. */
  const extensions = (u: DirectoryUser) =>
    Object.fromEntries(EXTENSION_ATTRIBUTE_NAMES.map((n) => [n, u.extensionAttributes[n]]));
  const journal = () => stackJournal(stateDir, PROJECT, stack);

  before(async function () {
    samba = sambaOrSkip(this);
    scratch = await createScratchOu(samba.admin(), "rb3p");
    // The remote mailbox carries extension attributes (set over LDAP as an admin would, before
    // Entra Connect's first cycle).
    const admin = samba.admin();
    const client = new Client({
      url: admin.url,
      tlsOptions: admin.caCertPath ? { ca: [readFileSync(admin.caCertPath)] } : {},
    });
    await client.bind(admin.bindDn, admin.password);
    try {
      await client.modify(
        scratch.userDn,
        Object.entries(EXTENSIONS).map(
          ([type, value]) =>
            new Change({ operation: "replace", modification: new Attribute({ type, values: [value] }) }),
        ),
      );
    } finally {
      await client.unbind();
    }
    estate = await reachBackEstate(samba);
    ({ pair, ad } = estate);
    user = await reachBackTestUser(estate, "thirdparty", scratch.userDn);
    assert.deepEqual(
      Object.fromEntries(Object.entries(extensions(user.before)).filter(([, v]) => v !== undefined)),
      EXTENSIONS,
      "the user has the extension attributes as found",
    );
    // The source mailbox is still in Exchange Online (the third-party tool copied it, nobody removed it).
    await emulatorAdmin(pair, "source", "PUT", `/users/${user.cloudId}/mailbox`);
    ({ stack, stateDir } = await reachBackStack(PROJECT, "rb3p"));
    config = reachBackConfig(samba, pair, deltaSyncHook(pair));
  });

  after(async () => {
    await ad?.close();
    await scratch?.cleanup().catch(() => undefined);
    await pair?.close();
  });

  it("refuses at preview a user whose source mailbox is still in Exchange Online, with the seed's steps, writing nothing", async () => {
    declare([declared()]);
    const since = logLength();
    const r = await stack.run(["preview"]);
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /reachBack users: nothing was written/);
    assert.match(
      r.output,
      new RegExp(
        `${user.upn.replace(/\./g, "\\.")}: uses mailboxMigration "thirdParty" and still has a mailbox in Exchange Online`,
      ),
    );
    for (const words of [
      /clear all its holds/,
      /wait four hours/,
      /ElcProcessingDisabled/,
      /ComplianceTagHoldApplied/,
    ]) {
      assert.match(r.output, words);
    }
    assert.deepEqual(writesSince(since), [], "a refused preview writes nothing");
    assert.equal((await adUser()).usnChanged, user.before.usnChanged, "nothing written to AD");
  });

  it("with the mailbox gone, up converts the user keeping every address and extension attribute, invites and reverts", async () => {
    await emulatorAdmin(pair, "source", "DELETE", `/users/${user.cloudId}/mailbox`);
    declare([declared()]);
    const up = await stack.expect(["up", "--yes"]);
    assert.match(up.output, /attribute-level Disable-RemoteMailbox \+ Enable-MailUser/);
    assert.match(up.output, /every address and extension attribute kept/);

    const u = await adUser();
    // Mail user, routed to the target.
    assert.equal(u.targetAddress, `SMTP:${user.routing}`);
    assert.equal(u.msExchRecipientDisplayType, 6);
    assert.equal(u.msExchRecipientTypeDetails, 128);
    assert.equal(u.msExchRemoteRecipientType, undefined);
    // Every address as found (primary reverted), the target address as a secondary.
    assert.equal(u.mail, user.before.mail);
    assert.deepEqual(u.proxyAddresses, [...user.before.proxyAddresses, `smtp:${user.target}`]);
    // Every extension attribute equal, one by one.
    for (const n of EXTENSION_ATTRIBUTE_NAMES) {
      assert.equal(u.extensionAttributes[n], user.before.extensionAttributes[n], `${n} as found`);
    }
    // Entra ID: linked, original mail, and the extension attributes synced as they were.
    const cloud = await graph().get<GraphJson>(
      `/users/${user.cloudId}?$select=mail,externalUserState,userType,onPremisesExtensionAttributes`,
    );
    assert.equal(cloud.externalUserState, "Accepted");
    assert.equal(cloud.userType, "Member");
    assert.equal(cloud.mail.toLowerCase(), user.before.mail?.toLowerCase());
    for (const n of EXTENSION_ATTRIBUTE_NAMES) {
      assert.equal(
        cloud.onPremisesExtensionAttributes[n],
        user.before.extensionAttributes[n] ?? null,
        `Entra ID's ${n}`,
      );
    }
    const groups = (await graph().list<{ id: string }>(`/users/${user.cloudId}/memberOf?$select=id`)).map(
      (g) => g.id,
    );
    assert.ok(groups.includes(estate.reachBackGroup) && !groups.includes(estate.originalGroup));

    const outputs = JSON.parse((await stack.expect(["stack", "output", "--json"])).stdout);
    assert.equal(outputs.enabled.thirdparty.step, "verified");
    const report = await (await journal()).report(user.upn);
    assert.equal(report.state, "completed");
    const original = report.found?.original;
    assert.equal(original?.mailboxMigration, "thirdParty");
    assert.deepEqual(
      original?.ad.attributes.extensionAttributes,
      Object.fromEntries(
        EXTENSION_ATTRIBUTE_NAMES.map((n) => [n, user.before.extensionAttributes[n] ?? null]),
      ),
      "the journal recorded all fifteen extension attributes before the first write",
    );
    const firstStep = report.records.findIndex((r) => r.kind === "step");
    const found = report.records.findIndex((r) => r.kind === "found");
    assert.ok(found >= 0 && found < firstStep, "the originals come before the first step");
  });

  it("a second up writes nothing (request log and LDAP)", async () => {
    const since = logLength();
    const usn = (await adUser()).usnChanged;
    const up = await stack.expect(["up", "--yes", "--refresh"]);
    assert.doesNotMatch(up.output, /updated|created/);
    assert.deepEqual(writesSince(since), []);
    assert.equal((await adUser()).usnChanged, usn, "nothing written to AD");
  });

  it("rollbackOnDelete puts every value back as found", async () => {
    declare([declared({ rollbackOnDelete: true })]);
    await stack.expect(["up", "--yes"]);
    declare([]);
    const r = await stack.expect(["up", "--yes"]);
    assert.match(r.output, /rolled back/);
    const u = await adUser();
    for (const a of ATTRIBUTES) assert.deepEqual(u[a], user.before[a], `${a} as found`);
    for (const n of EXTENSION_ATTRIBUTE_NAMES) {
      assert.equal(u.extensionAttributes[n], user.before.extensionAttributes[n], `${n} as found`);
    }
    await licensedBy(pair, user.cloudId, estate.originalGroup);
    assert.equal((await (await journal()).report(user.upn)).state, "reverted");
  });
});
