// entra-coexistence:reachBack.users: the users a stack enables, validated with the ReachBackUser
// schema (less the license-group mapping, which the program supplies) and key-naming errors.
import assert from "node:assert/strict";
import { declaredUserSchema } from "../../lib/config/reachBack";
import { ConfigError, loadStackConfig } from "../../lib/config/stackConfig";

const USER = {
  sourceUserPrincipalName: "amara.okafor@fabrikam.example",
  targetEmailAddress: "amara.okafor@contoso.example",
  coexRoutingAddress: "amara.okafor@contoso.mail.onmicrosoft.com",
};

function errorOf(users: unknown[]): string {
  const values: Record<string, unknown> = {
    source: {
      tenantId: "5a0c6e1e-3c1b-4c52-9d0e-1f5b0c4a7e01",
      domain: "fabrikam.example",
      credential: { kind: "default" },
    },
    target: {
      tenantId: "b7d2f3a4-8e6c-4d19-a2f5-3c9e7b1d0f02",
      domain: "contoso.example",
      credential: { kind: "default" },
    },
    reachBack: { users },
  };
  try {
    loadStackConfig((k) => (k in values ? JSON.stringify(values[k]) : undefined), "/project", {
      keys: Object.keys(values),
    });
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail("the configuration was accepted");
}

describe("stack configuration: reachBack.users", () => {
  it("takes a user with the defaults of the resource, and no license-group mapping", () => {
    const u = declaredUserSchema.parse(USER);
    assert.equal(u.mailboxMigration, "crossTenant");
    assert.equal(u.rollbackOnDelete, false);
    assert.equal(declaredUserSchema.safeParse({ ...USER, licenseGroupMapping: {} }).success, false);
  });

  it("names the key meant by a misspelt one, and not the meant key as missing", () => {
    const { targetEmailAddress, ...rest } = USER;
    const message = errorOf([{ ...rest, targetEmailAdress: targetEmailAddress }]);
    assert.match(
      message,
      /reachBack\.users\.0\.targetEmailAdress: unknown key; did you mean targetEmailAddress\?/,
    );
    assert.doesNotMatch(message, /users\.0\.targetEmailAddress:/);
  });

  it("refuses a user listed twice (any case), naming the first entry", () => {
    const message = errorOf([
      USER,
      { ...USER, sourceUserPrincipalName: USER.sourceUserPrincipalName.toUpperCase() },
    ]);
    assert.match(
      message,
      /entra-coexistence:reachBack\.users\.1\.sourceUserPrincipalName: is declared already at reachBack\.users\.0/,
    );
  });

  it("keeps the resource's rules across fields: the routing address in the routing domain", () => {
    const message = errorOf([{ ...USER, coexRoutingAddress: "amara.okafor@contoso.example" }]);
    assert.match(
      message,
      /reachBack\.users\.0\.coexRoutingAddress: must be in the target tenant's routing domain/,
    );
  });
});
