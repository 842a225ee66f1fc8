// AutomationApp without a tenant: each rule of its input schema on its own, and the kernel's diff
// for this resource (declaration against the live values of the last read; no network).
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { createClientCertificate } from "../../emulator/pki";
import type { AppRoleAssignment, ResourceServicePrincipal } from "../../lib/automation/automationAppApi";
import { describeCertificate } from "../../lib/automation/certificates";
import {
  type AutomationAppInputs,
  automationAppInputsSchema,
  permissionOf,
  provider,
  UNKNOWN,
} from "../../providers/automationApp";

const first = describeCertificate(new X509Certificate(createClientCertificate("automation-unit-1").certPem));
const second = describeCertificate(new X509Certificate(createClientCertificate("automation-unit-2").certPem));
const GROUP = "2f1b9c3e-8d4a-4b6f-9e21-7c5d3a1b0e94";
const OTHER_GROUP = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

const valid: AutomationAppInputs = {
  tenant: "source",
  stack: "entra-coexistence/coexistence",
  displayName: "B2B Reach-Back Automation",
  certificates: [first],
  permissions: ["User.Invite.All", "User.ReadWrite.All"],
  ownedGroupIds: [GROUP],
};

/** The first issue's path and message for inputs changed by `change`. */
function refused(change: Record<string, unknown>): { path: string; message: string } {
  const r = automationAppInputsSchema.safeParse({ ...valid, ...change });
  assert.equal(r.success, false, `accepted ${JSON.stringify(change)}`);
  const issue = (r.error as NonNullable<typeof r.error>).issues[0];
  return { path: issue.path.join("."), message: issue.message };
}

describe("AutomationApp: input schema", () => {
  it("accepts the declaration the component makes, with defaults", () => {
    const { tenant: _t, ownedGroupIds: _o, ...bare } = valid;
    const r = automationAppInputsSchema.parse(bare);
    assert.equal(r.tenant, "source");
    assert.deepEqual(r.ownedGroupIds, []);
  });

  it("refuses a tenant that is neither source nor target", () => {
    assert.equal(refused({ tenant: "middle" }).path, "tenant");
  });

  it("refuses a stack that is not <project>/<stack>", () => {
    assert.deepEqual(refused({ stack: "coexistence" }), {
      path: "stack",
      message: "must be <project>/<stack>",
    });
  });

  it("refuses an empty and a too long display name", () => {
    assert.equal(refused({ displayName: "" }).path, "displayName");
    assert.equal(refused({ displayName: "x".repeat(121) }).path, "displayName");
  });

  it("refuses no certificate", () => {
    assert.deepEqual(refused({ certificates: [] }), {
      path: "certificates",
      message: "give at least one certificate",
    });
  });

  it("refuses a thumbprint that is not upper-case SHA-1 hex", () => {
    assert.deepEqual(refused({ certificates: [{ ...first, thumbprint: first.thumbprint.toLowerCase() }] }), {
      path: "certificates.0.thumbprint",
      message: "must be a SHA-1 thumbprint in upper-case hex",
    });
  });

  it("refuses a certificate that is not base64 DER", () => {
    assert.equal(refused({ certificates: [{ ...first, der: "not base64!" }] }).path, "certificates.0.der");
  });

  it("refuses a certificate with a key it does not know (a private key, say)", () => {
    assert.equal(refused({ certificates: [{ ...first, privateKey: "…" }] }).path, "certificates.0");
  });

  it("refuses a thumbprint that does not match its certificate", () => {
    assert.deepEqual(refused({ certificates: [{ ...first, thumbprint: second.thumbprint }] }), {
      path: "certificates",
      message: "a thumbprint does not match its certificate",
    });
  });

  it("refuses the same certificate twice", () => {
    assert.deepEqual(refused({ certificates: [first, first] }), {
      path: "certificates",
      message: "lists a certificate twice",
    });
  });

  it("refuses no permission, a permission that is not one, and a permission twice", () => {
    assert.equal(refused({ permissions: [] }).path, "permissions");
    assert.deepEqual(refused({ permissions: ["invite users"] }), {
      path: "permissions.0",
      message: "must be a permission such as User.Invite.All",
    });
    assert.deepEqual(refused({ permissions: ["User.Invite.All", "User.Invite.All"] }), {
      path: "permissions",
      message: "lists a permission twice",
    });
  });

  it("takes group ids and Pulumi's unknown value, nothing else", () => {
    assert.ok(automationAppInputsSchema.safeParse({ ...valid, ownedGroupIds: [GROUP, UNKNOWN] }).success);
    assert.equal(refused({ ownedGroupIds: ["LIC-E5"] }).path, "ownedGroupIds.0");
  });

  it("refuses a key it does not know", () => {
    assert.equal(refused({ drift: [] }).path, "");
  });
});

describe("AutomationApp: permissions in the declared form", () => {
  const graphSp: ResourceServicePrincipal = {
    id: "5F2C0A3B-1111-4222-8333-944455556666",
    appRoles: [
      {
        id: "09850681-111B-4A89-9BED-3F2CAE46D706",
        value: "User.Invite.All",
        allowedMemberTypes: ["Application"],
        isEnabled: true,
      },
    ],
  };
  const assignment = (resourceId: string, appRoleId: string): AppRoleAssignment => ({
    id: "a",
    resourceId,
    appRoleId,
  });

  it("names Microsoft Graph's roles by value and others by resource and role id", () => {
    assert.equal(
      permissionOf(
        graphSp,
        assignment("5f2c0a3b-1111-4222-8333-944455556666", "09850681-111b-4a89-9bed-3f2cae46d706"),
      ),
      "User.Invite.All",
    );
    assert.equal(
      permissionOf(
        graphSp,
        assignment("5f2c0a3b-1111-4222-8333-944455556666", "00000000-0000-0000-0000-000000000001"),
      ),
      "5f2c0a3b-1111-4222-8333-944455556666/00000000-0000-0000-0000-000000000001",
    );
    assert.equal(
      permissionOf(
        graphSp,
        assignment("0aaa0000-0000-0000-0000-000000000000", "09850681-111b-4a89-9bed-3f2cae46d706"),
      ),
      "0aaa0000-0000-0000-0000-000000000000/09850681-111b-4a89-9bed-3f2cae46d706",
    );
  });
});

describe("AutomationApp: diff (no network)", () => {
  const check = async (args: Record<string, unknown>) => {
    const r = await provider.check?.({}, args);
    assert.ok(r?.inputs, JSON.stringify(r?.failures));
    return r.inputs as Record<string, unknown>;
  };
  /** The state after an up of `valid`, with the live values changed by `live`. */
  const stateWith = async (live: Record<string, unknown> = {}) => ({
    ...(await check(valid as Record<string, unknown>)),
    ownership: { kind: "created" },
    clientId: "c0ffee00-0000-4000-8000-000000000001",
    servicePrincipalId: "c0ffee00-0000-4000-8000-000000000002",
    ...live,
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
      name: "the same declaration in another order and case",
      declared: {
        permissions: ["User.ReadWrite.All", "User.Invite.All"],
        ownedGroupIds: [GROUP.toUpperCase()],
      },
      changes: false,
    },
    { name: "informational outputs changed", live: { servicePrincipalId: "" }, changes: false },
    { name: "a grant revoked by hand", live: { permissions: ["User.ReadWrite.All"] }, changes: true },
    {
      name: "a grant beyond the declared",
      live: { permissions: ["Group.Read.All", "User.Invite.All", "User.ReadWrite.All"] },
      changes: true,
    },
    { name: "an ownership removed by hand", live: { ownedGroupIds: [] }, changes: true },
    { name: "a certificate removed by hand", live: { certificates: [] }, changes: true },
    { name: "renamed by hand", live: { displayName: "Something else" }, changes: true },
    { name: "a certificate rotated in the declaration", declared: { certificates: [second] }, changes: true },
    { name: "another permission declared", declared: { permissions: ["User.Invite.All"] }, changes: true },
    {
      name: "a group not known until apply",
      declared: { ownedGroupIds: [GROUP, UNKNOWN] },
      changes: true,
    },
    { name: "another group declared", declared: { ownedGroupIds: [GROUP, OTHER_GROUP] }, changes: true },
    {
      name: "the stack renamed: retagged in place",
      declared: { stack: "entra-coexistence/prod" },
      changes: true,
    },
    { name: "another tenant", declared: { tenant: "target" }, changes: true, replaces: ["tenant"] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const olds = await stateWith(c.live);
      const news = await check({ ...valid, ...c.declared });
      const d = await provider.diff?.("app-id", olds, news);
      assert.equal(d?.changes, c.changes);
      assert.deepEqual(d?.replaces, c.replaces ?? []);
      // Graph allows two app registrations of one name: the new one is created first.
      assert.equal(d?.deleteBeforeReplace, false);
    });
  }

  it("check ignores what the outputs added to the property bag", async () => {
    const olds = await stateWith();
    assert.deepEqual(await check(olds), await check(valid as Record<string, unknown>));
  });
});
