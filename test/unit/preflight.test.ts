// The program's checks beyond the schema: the deploying identities' certificate files (real files,
// made here) and the license-group mapping against the tenant's SKUs.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createClientCertificate } from "../../emulator/pki";
import { licenseGroupsConfigSchema } from "../../lib/config/licenseGroups";
import { credentialFileProblems, mappingSkuProblems, pemCredentialProblem } from "../../lib/config/preflight";
import { loadStackConfig } from "../../lib/config/stackConfig";

const SKU = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
const PLAN = "efb87545-963c-4e0d-99df-69c6916d9eb0";

describe("preflight checks", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "preflight-"));
  const file = (name: string, content: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, content);
    return f;
  };
  const kc = createClientCertificate("deployer");

  describe("certificate files", () => {
    it("accepts a PEM with the private key and its certificate", () => {
      assert.equal(pemCredentialProblem(file("good.pem", `${kc.keyPem}\n${kc.certPem}`)), undefined);
    });

    it("says a file does not exist", () => {
      assert.equal(pemCredentialProblem(path.join(dir, "nowhere.pem")), "does not exist");
    });

    it("says a certificate alone has no private key", () => {
      assert.match(pemCredentialProblem(file("cert.pem", kc.certPem)) ?? "", /^holds no private key/);
    });

    it("says a key alone has no certificate", () => {
      assert.equal(
        pemCredentialProblem(file("key.pem", kc.keyPem)),
        "holds a private key but no certificate",
      );
    });

    it("says a key that is not the certificate's does not belong to it", () => {
      const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
        type: "pkcs8",
        format: "pem",
      });
      assert.match(
        pemCredentialProblem(file("mismatch.pem", `${other}\n${kc.certPem}`)) ?? "",
        /^holds a private key that does not belong to its certificate/,
      );
    });

    it("refuses an encrypted key, whose password the stack cannot be given", () => {
      const encrypted = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
        type: "pkcs8",
        format: "pem",
        cipher: "aes-256-cbc",
        passphrase: "x",
      });
      assert.match(pemCredentialProblem(file("enc.pem", `${encrypted}\n${kc.certPem}`)) ?? "", /encrypted/);
    });

    it("names the key of each role's bad file, and skips the default credential", () => {
      const config = loadStackConfig(
        (k) =>
          ({
            source: JSON.stringify({
              tenantId: "5a0c6e1e-3c1b-4c52-9d0e-1f5b0c4a7e01",
              domain: "fabrikam.example",
              clientId: "0f4a1c2e-6b7d-4e8f-9a0b-1c2d3e4f5a01",
              credential: { kind: "certificate", certificatePath: "missing.pem" },
            }),
            target: JSON.stringify({
              tenantId: "b7d2f3a4-8e6c-4d19-a2f5-3c9e7b1d0f02",
              domain: "contoso.example",
              credential: { kind: "default" },
            }),
          })[k],
        dir,
      );
      assert.deepEqual(credentialFileProblems(config), [
        `entra-coexistence:source.credential.certificatePath: ${path.join(dir, "missing.pem")} does not exist; give a PEM file with the source tenant's deploying app's private key and its certificate`,
      ]);
    });
  });

  describe("license-group mapping against the tenant's SKUs", () => {
    const config = (license: Record<string, unknown>) =>
      licenseGroupsConfigSchema.parse({
        mappings: [
          {
            originalGroupId: "3f0c8a51-2b7d-4e1a-9c6f-8d5e4b3a2f10",
            originalGroupName: "LIC-E5",
            source: "cloud",
            reachBackGroupName: "LIC-E5-ReachBack",
            licenses: [license],
          },
        ],
      });
    const skus = [
      {
        skuId: SKU.toUpperCase(),
        skuPartNumber: "SPE_E5",
        servicePlans: [{ servicePlanId: PLAN, servicePlanName: "EXCHANGE_S_ENTERPRISE" }],
      },
    ];

    it("accepts SKUs and plans the tenant has, whatever their case", () => {
      assert.deepEqual(
        mappingSkuProblems(config({ skuId: SKU, scrubbingPlans: [PLAN.toUpperCase()] }), skus),
        [],
      );
    });

    it("names a SKU the tenant does not have, and the mapping that assigns it", () => {
      const missing = "00000000-0000-4000-8000-0000000beef0";
      assert.deepEqual(
        mappingSkuProblems(config({ skuId: missing, skuPartNumber: "ENTERPRISEPACK" }), skus),
        [
          `entra-coexistence:licenseGroups.mappings.0.licenses.0.skuId: the source tenant has no SKU ${missing} (ENTERPRISEPACK), which LIC-E5's mapping assigns; run coex discover and review the mapping`,
        ],
      );
    });

    it("names a plan the SKU does not have, in either list", () => {
      const missing = "00000000-0000-4000-8000-00000000dead";
      assert.deepEqual(
        mappingSkuProblems(
          config({ skuId: SKU, originalDisabledPlans: [missing], scrubbingPlans: [PLAN, missing] }),
          skus,
        ),
        [
          `entra-coexistence:licenseGroups.mappings.0.licenses.0.originalDisabledPlans.0: SPE_E5 (${SKU.toUpperCase()}) has no service plan ${missing}, which LIC-E5's mapping disables; run coex discover and review the mapping`,
          `entra-coexistence:licenseGroups.mappings.0.licenses.0.scrubbingPlans.1: SPE_E5 (${SKU.toUpperCase()}) has no service plan ${missing}, which LIC-E5's mapping disables; run coex discover and review the mapping`,
        ],
      );
    });
  });
});
