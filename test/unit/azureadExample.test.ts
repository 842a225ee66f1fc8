// examples/azuread under Pulumi's runtime mocks (no azuread plugin): the groups and the app
// azuread owns feed this project's reach-back license group by output, and the automation gets
// exactly its two Graph permissions, a certificate and no secret.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { azureadExample, MICROSOFT_GRAPH_APP_ID } from "../../examples/azuread/program";
import { AUTOMATION_GRAPH_PERMISSIONS } from "../../lib/config/automation";
import { repoRoot } from "../support/pulumi";

const GRAPH_SP = "6f0c8ac8-1b2f-4b7e-9a3e-0c2d1e4f5a61";
const ROLE_IDS: Record<string, string> = {
  "User.Invite.All": "09850681-111b-4a89-9bed-3f2cae46d706",
  "User.ReadWrite.All": "741f803b-c850-494e-b5df-cde7c675a1ca",
  "Directory.ReadWrite.All": "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
};
const LICENSES = [
  {
    skuId: "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
    skuPartNumber: "SPE_E5",
    originalDisabledPlans: [],
    scrubbingPlans: ["9f431833-0334-42de-a7dc-70aa40db46db"],
  },
];

/** The mocked object id azuread would give each object. */
const objectIdOf = (name: string) => `oid-${name}`;

describe("azuread example", () => {
  const created: pulumi.runtime.MockResourceArgs[] = [];
  const invoked: pulumi.runtime.MockCallArgs[] = [];
  let out: ReturnType<typeof azureadExample>;

  before(async () => {
    pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          created.push(args);
          const state: Record<string, unknown> = { ...args.inputs, objectId: objectIdOf(args.name) };
          if (args.type === "azuread:index/application:Application") state.clientId = `client-${args.name}`;
          // Our dynamic resource answers with the group it adopted.
          if (args.type === "pulumi-nodejs:dynamic:Resource") state.groupId = objectIdOf("reachback");
          return { id: `${args.name}-id`, state };
        },
        call: (args) => {
          invoked.push(args);
          if (args.token === "azuread:index/getClientConfig:getClientConfig") {
            return { objectId: "oid-deployer", clientId: "deployer", tenantId: "tenant" };
          }
          if (args.token === "azuread:index/getServicePrincipal:getServicePrincipal") {
            return { objectId: GRAPH_SP, clientId: args.inputs.clientId, appRoleIds: ROLE_IDS };
          }
          throw new Error(`unexpected invoke ${args.token}`);
        },
      },
      "azuread-example",
      "unit",
      false,
    );
    out = azureadExample({
      originalGroupName: "Sales E5",
      reachBackGroupName: "Sales E5 (reach-back)",
      licenses: LICENSES,
      automationCertificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    });
    await new Promise<void>((resolve) => out.reachBackGroupId.apply(() => resolve()));
    await Promise.all(out.grants.map((g) => new Promise<void>((r) => g.appRoleId.apply(() => r()))));
  });

  const ofType = (type: string) => created.filter((r) => r.type === type);

  it("gives the automation's app its two Graph permissions by value, a certificate and no password", () => {
    assert.equal(ofType("azuread:index/application:Application").length, 1);
    assert.equal(ofType("azuread:index/applicationPassword:ApplicationPassword").length, 0);
    const [cert] = ofType("azuread:index/applicationCertificate:ApplicationCertificate");
    assert.equal(cert.inputs.type, "AsymmetricX509Cert");
    assert.equal(cert.inputs.applicationId, "automation-id");
    const graphLookup = invoked.find((c) => c.token.endsWith("getServicePrincipal"));
    assert.equal(graphLookup?.inputs.clientId, MICROSOFT_GRAPH_APP_ID);
    const grants = ofType("azuread:index/appRoleAssignment:AppRoleAssignment");
    assert.deepEqual(
      grants.map((g) => g.inputs.appRoleId).sort(),
      AUTOMATION_GRAPH_PERMISSIONS.map((p) => ROLE_IDS[p]).sort(),
    );
    for (const g of grants) {
      assert.equal(g.inputs.principalObjectId, objectIdOf("automation"));
      assert.equal(g.inputs.resourceObjectId, GRAPH_SP);
    }
  });

  it("makes the automation's service principal an owner of both groups, beside the deployer", () => {
    const groups = ofType("azuread:index/group:Group");
    assert.deepEqual(groups.map((g) => g.name).sort(), ["original", "reachback"]);
    for (const g of groups) assert.deepEqual(g.inputs.owners, ["oid-deployer", objectIdOf("automation")]);
  });

  it("feeds azuread's groups into the reach-back license group by output", () => {
    const ours = created.filter((r) => r.name === "reachback-licenses");
    assert.equal(ours.length, 1);
    const { mapping, tenant } = ours[0].inputs;
    assert.equal(tenant, "source");
    assert.equal(mapping.originalGroupId, objectIdOf("original"));
    assert.equal(mapping.originalGroupName, "Sales E5");
    assert.equal(mapping.reachBackGroupName, "Sales E5 (reach-back)");
    assert.equal(mapping.source, "cloud");
    assert.deepEqual(mapping.licenses, LICENSES);
  });

  it("keeps azuread a pinned development dependency sharing the one @pulumi/pulumi", () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8"));
    assert.equal(pkg.dependencies["@pulumi/azuread"], undefined);
    assert.match(pkg.devDependencies["@pulumi/azuread"], /^\d+\.\d+\.\d+$/);
    assert.equal(
      existsSync(path.join(repoRoot, "node_modules/@pulumi/azuread/node_modules/@pulumi/pulumi")),
      false,
      "npm install must resolve one @pulumi/pulumi for both packages",
    );
  });
});
