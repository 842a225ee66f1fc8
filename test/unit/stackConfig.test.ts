import assert from "node:assert/strict";
import * as path from "node:path";
import {
  ConfigError,
  type LoadOptions,
  loadStackConfig,
  plainSecretProblems,
  redactSecrets,
} from "../../lib/config/stackConfig";
import { closest, echo, editDistance } from "../../lib/config/suggest";

const SOURCE = "5a0c6e1e-3c1b-4c52-9d0e-1f5b0c4a7e01";
const TARGET = "b7d2f3a4-8e6c-4d19-a2f5-3c9e7b1d0f02";

function valid(): Record<string, unknown> {
  return {
    source: {
      tenantId: SOURCE,
      domain: "fabrikam.example",
      clientId: "0f4a1c2e-6b7d-4e8f-9a0b-1c2d3e4f5a01",
      credential: { kind: "certificate", certificatePath: "certs/source.pem" },
    },
    target: { tenantId: TARGET, domain: "contoso.example", credential: { kind: "default" } },
  };
}

/** Pulumi hands over object values as JSON text; the program passes every key that is set. */
function load(values: Record<string, unknown>, options: LoadOptions = { keys: Object.keys(values) }) {
  return loadStackConfig(
    (key) => (key in values ? JSON.stringify(values[key]) : undefined),
    "/project",
    options,
  );
}

function errorOf(values: Record<string, unknown>, options?: LoadOptions): string {
  try {
    load(values, options);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail("the configuration was accepted");
}

describe("stack configuration", () => {
  it("accepts a minimal configuration and fills in the seed's defaults", () => {
    const c = load(valid());
    assert.equal(c.cloud.graphEndpoint, "https://graph.microsoft.com");
    assert.equal(c.cloud.disableInstanceDiscovery, false);
    assert.deepEqual(c.crossTenantAccess.inboundTrust, {
      isMfaAccepted: true,
      isCompliantDeviceAccepted: true,
      isHybridAzureADJoinedDeviceAccepted: true,
    });
    assert.deepEqual(c.crossTenantAccess.automaticRedemption, { sourceInbound: true, targetOutbound: true });
    assert.deepEqual(c.crossTenantAccess.sourceDefault, {});
  });

  it("resolves certificate paths against the project directory", () => {
    const c = load(valid());
    assert.equal(
      c.source.credential.kind === "certificate" && c.source.credential.certificatePath,
      path.resolve("/project/certs/source.pem"),
    );
  });

  it("turns off instance discovery for an authority that is not the public cloud's", () => {
    const c = load({
      ...valid(),
      cloud: {
        authorityHost: "https://login.microsoftonline.us",
        graphEndpoint: "https://graph.microsoft.us",
      },
    });
    assert.equal(c.cloud.disableInstanceDiscovery, true);
  });

  it("names the key and the value of a tenant id that is not a GUID", () => {
    const v = valid();
    (v.source as Record<string, unknown>).tenantId = "fabrikam";
    assert.match(errorOf(v), /entra-coexistence:source\.tenantId: must be a tenant id .*\(got "fabrikam"\)/);
  });

  it("names a missing connection", () => {
    const v = valid();
    delete v.target;
    assert.match(errorOf(v), /entra-coexistence:target: .*\(missing\)/);
  });

  it("rejects a misspelt key instead of ignoring it", () => {
    assert.match(
      errorOf({ ...valid(), crossTenantAccess: { inboundTrusts: {} } }),
      /entra-coexistence:crossTenantAccess\.inboundTrusts: unknown key; did you mean inboundTrust\?/,
    );
  });

  it("names a value of the wrong type deep inside", () => {
    const message = errorOf({
      ...valid(),
      crossTenantAccess: {
        inboundTrust: {
          isMfaAccepted: "yes",
          isCompliantDeviceAccepted: true,
          isHybridAzureADJoinedDeviceAccepted: true,
        },
      },
    });
    assert.match(
      message,
      /entra-coexistence:crossTenantAccess\.inboundTrust\.isMfaAccepted: .*boolean.*\(got "yes"\)/,
    );
  });

  it("requires clientId with a certificate credential", () => {
    const v = valid();
    delete (v.source as Record<string, unknown>).clientId;
    assert.match(
      errorOf(v),
      /entra-coexistence:source\.clientId: clientId is required with a certificate credential/,
    );
  });

  it("refuses an http:// Graph endpoint", () => {
    assert.match(
      errorOf({ ...valid(), cloud: { graphEndpoint: "http://graph.microsoft.com" } }),
      /cloud\.graphEndpoint: must be an https:\/\/ URL/,
    );
  });

  it("refuses the same tenant as source and target", () => {
    const v = valid();
    (v.target as Record<string, unknown>).tenantId = SOURCE.toUpperCase();
    assert.match(errorOf(v), /target\.tenantId: the target tenant must differ from the source tenant/);
  });

  it("refuses an automaticUserConsentSettings key on a tenant default", () => {
    assert.match(
      errorOf({ ...valid(), crossTenantAccess: { sourceDefault: { automaticUserConsentSettings: {} } } }),
      /crossTenantAccess\.sourceDefault\.automaticUserConsentSettings: unknown key; the keys here are b2bCollaborationInbound, .*inboundTrust$/m,
    );
  });

  describe("unknown keys", () => {
    it("names the top-level key that was meant", () => {
      const message = errorOf({ ...valid(), licenceGroups: {} });
      assert.match(message, /entra-coexistence:licenceGroups: unknown key; did you mean licenseGroups\?/);
    });

    it("ignores a top-level key it was not told about (the dynamic providers read only known keys)", () => {
      assert.doesNotThrow(() => load({ ...valid(), licenceGroups: {} }, {}));
    });

    it("names the nested key that was meant, and drops the line saying that key is missing", () => {
      const v = valid();
      (v.source as Record<string, unknown>).credential = { kind: "certificate", certificatPath: "a.pem" };
      const message = errorOf(v);
      assert.match(
        message,
        /entra-coexistence:source\.credential\.certificatPath: unknown key; did you mean certificatePath\?/,
      );
      assert.doesNotMatch(message, /source\.credential\.certificatePath:.*missing/);
    });

    it("finds the keys inside list items", () => {
      const message = errorOf({
        ...valid(),
        licenseGroups: {
          mappings: [
            {
              originalGroupId: SOURCE,
              originalGroupName: "LIC-E5",
              source: "cloud",
              reachBackGroupName: "LIC-E5-ReachBack",
              licences: [],
            },
          ],
        },
      });
      assert.match(message, /licenseGroups\.mappings\.0\.licences: unknown key; did you mean licenses\?/);
    });

    it("lists the keys it knows when nothing is close", () => {
      const message = errorOf({ ...valid(), crossTenantAccess: { colour: "blue" } });
      assert.match(
        message,
        /crossTenantAccess\.colour: unknown key; the keys here are inboundTrust, b2bCollaborationInbound, /,
      );
    });
  });

  describe("values in messages", () => {
    it("cuts a long bad value short", () => {
      const v = valid();
      (v.source as Record<string, unknown>).domain = `${"a".repeat(300)}`;
      const message = errorOf(v);
      assert.ok(message.includes(`(got "${"a".repeat(79)}…)`), message);
      assert.ok(!message.includes("a".repeat(81)));
    });

    it("never shows a password, even of the wrong type or in the wrong place", () => {
      const ad = { url: "ldaps://dc", bindDn: "admin", password: 31415926, baseDn: "DC=x" };
      assert.match(
        errorOf({ ...valid(), activeDirectory: ad }),
        /activeDirectory\.password: .*\(value not shown: it is a secret\)/,
      );
      const message = errorOf({ ...valid(), activeDirectory: "Secret-Pa55word" });
      assert.match(message, /entra-coexistence:activeDirectory: .*\(value not shown: it is a secret\)/);
      assert.ok(!message.includes("Secret-Pa55word"));
    });

    it("shows nothing under a key Pulumi holds as a secret when the schema knows no secret there", () => {
      const v = valid();
      (v.source as Record<string, unknown>).tenantId = "not-a-guid";
      const message = errorOf(v, { keys: Object.keys(v), isSecret: (k) => k === "source" });
      assert.match(message, /source\.tenantId: .*\(value not shown: it is a secret\)/);
      assert.ok(!message.includes("not-a-guid"));
    });

    it("replaces the secrets inside a value it shows", () => {
      assert.deepEqual(redactSecrets({ url: "ldaps://dc", password: "p" }, ["activeDirectory"]), {
        url: "ldaps://dc",
        password: "[secret]",
      });
      assert.deepEqual(redactSecrets({ automation: { serviceAccount: { name: "svc", password: "p" } } }), {
        automation: { serviceAccount: { name: "svc", password: "[secret]" } },
      });
    });
  });

  describe("secrets", () => {
    const withSecrets = () =>
      load({
        ...valid(),
        activeDirectory: { url: "ldaps://dc", bindDn: "admin", password: "p", baseDn: "DC=x" },
        automation: {
          certificates: ["a.crt"],
          serviceAccount: { name: "svc", password: "q" },
          userOus: ["OU=Users,DC=x"],
        },
      });

    it("refuses each password that is plain text, with the command that stores it as a secret", () => {
      assert.deepEqual(
        plainSecretProblems(withSecrets(), () => false, "wave-01"),
        [
          "entra-coexistence:activeDirectory.password is plain text in the stack configuration; store it as a secret (the command asks for the value): pulumi config set --secret --path entra-coexistence:activeDirectory.password --stack wave-01",
          "entra-coexistence:automation.serviceAccount.password is plain text in the stack configuration; store it as a secret (the command asks for the value): pulumi config set --secret --path entra-coexistence:automation.serviceAccount.password --stack wave-01",
        ],
      );
    });

    it("accepts passwords Pulumi holds as secrets, and configurations without passwords", () => {
      assert.deepEqual(
        plainSecretProblems(withSecrets(), () => true, "s"),
        [],
      );
      assert.deepEqual(
        plainSecretProblems(load(valid()), () => false, "s"),
        [],
      );
    });
  });

  describe("suggestions", () => {
    it("counts a transposition as one edit, and ignores case", () => {
      assert.equal(editDistance("inboundTrsut", "inboundTrust"), 1);
      assert.equal(editDistance("LicenseGroups", "licensegroups"), 0);
      assert.equal(editDistance("", "abc"), 3);
    });

    it("suggests only a word close enough to be a slip", () => {
      assert.equal(closest("licenceGroups", ["licenseGroups", "cloud"]), "licenseGroups");
      assert.equal(closest("colour", ["inboundTrust", "cloud"]), undefined);
      assert.equal(closest("AllUser", ["AllUsers", "AllApplications"]), "AllUsers");
    });

    it("echoes values as JSON, cut at 80 characters", () => {
      assert.equal(echo("short"), '"short"');
      assert.equal(echo("b".repeat(100)), `"${"b".repeat(79)}…`);
    });
  });
});
