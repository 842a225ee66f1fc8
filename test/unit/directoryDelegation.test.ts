// DirectoryDelegation without AD: each rule of its input schema on its own, the rights the
// declaration implies, the kernel's diff for this resource (no network), and how recorded entries
// are put back into a security descriptor.
import assert from "node:assert/strict";
import { DELEGATED_USER_ATTRIBUTES } from "../../lib/config/automation";
import {
  ACE_TYPE_ACCESS_ALLOWED,
  ACE_TYPE_ACCESS_ALLOWED_OBJECT,
  ACE_TYPE_ACCESS_DENIED,
  type Ace,
  ADS_RIGHT_GENERIC_ALL,
  ADS_RIGHT_READ_PROP,
  ADS_RIGHT_WRITE_PROP,
  aceToBytes,
  CONTAINER_INHERIT_ACE,
  describeAce,
  INHERITED_ACE,
  SE_DACL_PRESENT,
  SE_SELF_RELATIVE,
  type SecurityDescriptor,
} from "../../lib/directory/securityDescriptor";
import {
  type DirectoryDelegationInputs,
  declaredRights,
  directoryDelegationInputsSchema,
  type FoundEntry,
  provider,
  putBack,
} from "../../providers/directoryDelegation";

const OU = "OU=Users,OU=Fabrikam,DC=corp,DC=fabrikam,DC=example";
const OU2 = "OU=Staff,OU=Fabrikam,DC=corp,DC=fabrikam,DC=example";
const SVC = "S-1-5-21-1004336348-1177238915-682003330-1127";
const ADMINS = "S-1-5-32-544";

const valid: DirectoryDelegationInputs = {
  serviceAccount: "svc-reachback@corp.fabrikam.example",
  userOus: [OU],
  attributes: [...DELEGATED_USER_ATTRIBUTES],
  licenseGroupNames: ["LIC-E5", "LIC-E5-ReachBack"],
};

function refused(change: Record<string, unknown>): { path: string; message: string } {
  const r = directoryDelegationInputsSchema.safeParse({ ...valid, ...change });
  assert.equal(r.success, false, `accepted ${JSON.stringify(change)}`);
  const issue = (r.error as NonNullable<typeof r.error>).issues[0];
  return { path: issue.path.join("."), message: issue.message };
}

describe("DirectoryDelegation: input schema", () => {
  it("accepts the declaration the component makes, with defaults", () => {
    const r = directoryDelegationInputsSchema.parse({ serviceAccount: "svc-reachback", userOus: [OU] });
    assert.deepEqual(r.attributes, [...DELEGATED_USER_ATTRIBUTES]);
    assert.deepEqual(r.licenseGroupNames, []);
  });

  it("refuses an empty service account", () => {
    assert.equal(refused({ serviceAccount: "" }).path, "serviceAccount");
  });

  it("refuses no OU, and an OU that is not a distinguished name", () => {
    assert.deepEqual(refused({ userOus: [] }), { path: "userOus", message: "name at least one OU" });
    assert.equal(refused({ userOus: ["Users"] }).path, "userOus.0");
  });

  it("refuses an attribute beyond the six, naming the six", () => {
    const r = refused({ attributes: ["mail", "userPassword"] });
    assert.equal(r.path, "attributes");
    assert.match(r.message, /^userPassword is not among the six attributes B2B reach-back writes \(mail, /);
  });

  it("refuses no attribute and an empty group name", () => {
    assert.equal(refused({ attributes: [] }).path, "attributes");
    assert.equal(refused({ licenseGroupNames: [""] }).path, "licenseGroupNames.0");
  });

  it("refuses a key it does not know", () => {
    assert.equal(refused({ drift: [] }).path, "");
  });
});

describe("DirectoryDelegation: the rights the declaration implies", () => {
  it("one line per attribute and OU, and one per license group, sorted", () => {
    const lines = declaredRights(directoryDelegationInputsSchema.parse({ ...valid, attributes: ["mail"] }));
    assert.deepEqual(lines, [
      `${OU}: write mail on user objects below`,
      "group LIC-E5-ReachBack: write member",
      "group LIC-E5: write member",
    ]);
  });
});

describe("DirectoryDelegation: diff (no network)", () => {
  const check = async (args: Record<string, unknown>) => {
    const r = await provider.check?.({}, args);
    assert.ok(r?.inputs, JSON.stringify(r?.failures));
    return r.inputs as Record<string, unknown>;
  };
  const stateWith = async (live: Record<string, unknown> = {}) => ({
    ...(await check(valid as Record<string, unknown>)),
    ownership: { kind: "created" },
    serviceAccountDn: "CN=svc-reachback,OU=Service Accounts,OU=Fabrikam,DC=corp,DC=fabrikam,DC=example",
    serviceAccountSid: SVC,
    ...live,
  });
  const declared = declaredRights(directoryDelegationInputsSchema.parse(valid));

  it("check adds the rights the declaration implies and no broader one", async () => {
    const inputs = await check(valid as Record<string, unknown>);
    assert.deepEqual(inputs.rights, declared);
    assert.deepEqual(inputs.broaderRights, []);
  });

  const cases: {
    name: string;
    live?: Record<string, unknown>;
    declared?: Record<string, unknown>;
    changes: boolean;
    replaces?: string[];
  }[] = [
    { name: "nothing changed", changes: false },
    {
      name: "the same declaration in another order",
      declared: {
        attributes: [...DELEGATED_USER_ATTRIBUTES].reverse(),
        licenseGroupNames: ["LIC-E5-ReachBack", "LIC-E5"],
      },
      changes: false,
    },
    { name: "informational outputs changed", live: { serviceAccountDn: "CN=moved" }, changes: false },
    { name: "an entry removed by hand", live: { rights: declared.slice(1) }, changes: true },
    {
      name: "a broader entry added by hand",
      live: { broaderRights: [`${OU}: (A;CI;WP;;;${SVC}): writes every property`] },
      changes: true,
    },
    {
      name: "the found entries recorded (ownership is not compared)",
      live: { ownership: { kind: "adopted", found: { entries: [] } } },
      changes: false,
    },
    { name: "another OU declared", declared: { userOus: [OU, OU2] }, changes: true },
    {
      name: "a license group no longer declared",
      declared: { licenseGroupNames: ["LIC-E5"] },
      changes: true,
    },
    {
      name: "the account in other letters: the same account",
      declared: { serviceAccount: "SVC-ReachBack@corp.fabrikam.example" },
      changes: true,
    },
    {
      name: "another account",
      declared: { serviceAccount: "svc-other" },
      changes: true,
      replaces: ["serviceAccount"],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const d = await provider.diff?.(SVC, await stateWith(c.live), await check({ ...valid, ...c.declared }));
      assert.equal(d?.changes, c.changes);
      assert.deepEqual(d?.replaces, c.replaces ?? []);
      // The old account's rights go, and what it had before comes back, before the new one's are written.
      assert.equal(d?.deleteBeforeReplace, true);
    });
  }
});

describe("DirectoryDelegation: putting recorded entries back", () => {
  const allow = (sid: string, mask: number, flags = 0): Ace => ({
    type: ACE_TYPE_ACCESS_ALLOWED,
    flags,
    mask,
    sid,
  });
  const denyAdmins: Ace = { type: ACE_TYPE_ACCESS_DENIED, flags: 0, mask: ADS_RIGHT_WRITE_PROP, sid: ADMINS };
  const explicitAdmins = allow(ADMINS, ADS_RIGHT_GENERIC_ALL);
  const inherited = allow(ADMINS, ADS_RIGHT_READ_PROP, INHERITED_ACE | CONTAINER_INHERIT_ACE);
  const sdOf = (aces: Ace[], revision = 2): SecurityDescriptor => ({
    control: SE_DACL_PRESENT | SE_SELF_RELATIVE,
    owner: ADMINS,
    dacl: { revision, aces },
  });
  const entry = (ace: Ace, removed = true): FoundEntry => ({
    dn: OU,
    sddl: describeAce(ace),
    ace: aceToBytes(ace).toString("base64"),
    removed,
  });
  const bytes = (sd: SecurityDescriptor) => sd.dacl?.aces.map((a) => aceToBytes(a).toString("base64"));
  const broad = allow(SVC, ADS_RIGHT_WRITE_PROP, CONTAINER_INHERIT_ACE);
  const objectAce: Ace = {
    type: ACE_TYPE_ACCESS_ALLOWED_OBJECT,
    flags: 0,
    mask: ADS_RIGHT_WRITE_PROP,
    objectType: "bf9679a8-0de6-11d0-a285-00aa003049e2",
    sid: SVC,
  };

  it("adds the entries after the explicit ones and before the inherited ones, in the order found", () => {
    const sd = sdOf([denyAdmins, explicitAdmins, inherited]);
    const back = putBack(sd, [entry(broad), entry(objectAce, false)]);
    assert.deepEqual(bytes(back), bytes(sdOf([denyAdmins, explicitAdmins, broad, objectAce, inherited])));
    // Object entries need the ACL revision for directory objects.
    assert.equal(back.dacl?.revision, 4);
  });

  it("adds only what is not there, byte for byte, and each entry once", () => {
    const sd = sdOf([explicitAdmins, broad, inherited]);
    const back = putBack(sd, [entry(broad), entry(objectAce), entry(objectAce)]);
    assert.deepEqual(bytes(back), bytes(sdOf([explicitAdmins, broad, objectAce, inherited])));
  });

  it("returns the descriptor itself when everything is there", () => {
    const sd = sdOf([explicitAdmins, broad]);
    assert.equal(putBack(sd, [entry(broad)]), sd);
    assert.equal(putBack(sd, []), sd);
  });
});
