// What the program checks before it registers any resource, beyond the schema: files the stack
// configuration names, and what the tenant has. Each check returns the problems, each naming the
// key to fix; the program refuses the preview with all of them, and nothing is written.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { LicenseGroupsConfig } from "./licenseGroups";
import { CONFIG_NAMESPACE, type StackConfig, TENANT_ROLES } from "./stackConfig";

/** Why the deploying identities' certificate files cannot sign in: missing, unreadable, without
 * their private key or certificate, with an encrypted key (no password can be configured), or a
 * key that is not the certificate's. Read now so that preview says so, not the first Graph call. */
export function credentialFileProblems(config: StackConfig): string[] {
  const problems: string[] = [];
  for (const role of TENANT_ROLES) {
    const cred = config[role].credential;
    if (cred.kind !== "certificate") continue;
    const problem = pemCredentialProblem(cred.certificatePath);
    if (problem) {
      problems.push(
        `${CONFIG_NAMESPACE}:${role}.credential.certificatePath: ${cred.certificatePath} ${problem}; ` +
          `give a PEM file with the ${role} tenant's deploying app's private key and its certificate`,
      );
    }
  }
  return problems;
}

/** What is wrong with a PEM file that should hold a private key and its certificate, if anything. */
export function pemCredentialProblem(file: string): string | undefined {
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "does not exist";
    if (code === "EACCES") return "cannot be read (permission denied)";
    if (code === "EISDIR") return "is a directory";
    return `cannot be read (${code ?? String(e)})`;
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) {
    return "holds an encrypted private key (the stack cannot be given its password): export the key unencrypted";
  }
  const keyBlock =
    /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(pem);
  const certBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  if (!keyBlock) return "holds no private key (a certificate alone cannot sign in)";
  if (!certBlock) return "holds a private key but no certificate";
  try {
    const key = createPrivateKey(keyBlock[0]);
    const cert = new X509Certificate(certBlock[0]);
    if (!cert.checkPrivateKey(key))
      return `holds a private key that does not belong to its certificate (${cert.subject})`;
  } catch (e) {
    return `is not a readable PEM key and certificate (${(e as Error).message})`;
  }
  return undefined;
}

/** The tenant's SKUs as `GET /subscribedSkus` lists them (only what the check needs). */
export interface TenantSku {
  skuId: string;
  skuPartNumber: string;
  servicePlans: ReadonlyArray<{ servicePlanId: string; servicePlanName: string }>;
}

/** The SKU and plan ids of the license-group mapping that the tenant does not have: assigning
 * them would fail at up ("License … does not correspond to a valid company License"), or
 * disable nothing. */
export function mappingSkuProblems(licenseGroups: LicenseGroupsConfig, skus: readonly TenantSku[]): string[] {
  const byId = new Map(skus.map((s) => [s.skuId.toLowerCase(), s]));
  const problems: string[] = [];
  licenseGroups.mappings.forEach((m, i) => {
    m.licenses.forEach((l, j) => {
      const at = `${CONFIG_NAMESPACE}:licenseGroups.mappings.${i}.licenses.${j}`;
      const sku = byId.get(l.skuId.toLowerCase());
      if (!sku) {
        problems.push(
          `${at}.skuId: the source tenant has no SKU ${l.skuId}${l.skuPartNumber ? ` (${l.skuPartNumber})` : ""}, ` +
            `which ${m.originalGroupName}'s mapping assigns; run coex discover and review the mapping`,
        );
        return;
      }
      const plans = new Set(sku.servicePlans.map((p) => p.servicePlanId.toLowerCase()));
      for (const key of ["originalDisabledPlans", "scrubbingPlans"] as const) {
        l[key].forEach((plan, k) => {
          if (!plans.has(plan.toLowerCase())) {
            problems.push(
              `${at}.${key}.${k}: ${sku.skuPartNumber} (${sku.skuId}) has no service plan ${plan}, ` +
                `which ${m.originalGroupName}'s mapping disables; run coex discover and review the mapping`,
            );
          }
        });
      }
    });
  });
  return problems;
}
