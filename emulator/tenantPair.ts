// A source and a target tenant in the emulator, each with a deploying app registration that
// authenticates with a certificate, as the sandbox and the tests need them. Idempotent: an
// existing tenant, app or certificate file is reused, and the app ends up with exactly the
// deployer's certificate and permissions.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { certDerBase64, createClientCertificate, writeCredentialPem } from "./pki";
import type { Store } from "./state";

export interface EmulatedTenant {
  role: "source" | "target";
  tenantId: string;
  domain: string;
  clientId: string;
  certificatePath: string;
}

export interface TenantSpec {
  role: "source" | "target";
  tenantId: string;
  displayName: string;
  domain: string;
  clientId: string;
}

/** The sandbox's fixed ids, so that the committed example stack can name them. */
export const SANDBOX_TENANTS: readonly TenantSpec[] = [
  {
    role: "source",
    tenantId: "5a0c6e1e-3c1b-4c52-9d0e-1f5b0c4a7e01",
    displayName: "Fabrikam (source)",
    domain: "fabrikam.example",
    clientId: "0f4a1c2e-6b7d-4e8f-9a0b-1c2d3e4f5a01",
  },
  {
    role: "target",
    tenantId: "b7d2f3a4-8e6c-4d19-a2f5-3c9e7b1d0f02",
    displayName: "Contoso (target)",
    domain: "contoso.example",
    clientId: "0f4a1c2e-6b7d-4e8f-9a0b-1c2d3e4f5a02",
  },
];

/** What the deploying identity needs: cross-tenant access settings, license groups (and reading
 * users for the license-group check), the automation app (its registration, service principal
 * and the Graph permissions granted to it), and reading the tenant's domains (the reach-back
 * users' preconditions, checked at preview). */
export const DEPLOYER_ROLES = [
  "Policy.Read.All",
  "Domain.Read.All",
  // The third-party path's precondition (a reach-back user's source mailbox is gone) reads
  // GET /users/{id}/mailboxSettings.
  "MailboxSettings.Read",
  "Policy.ReadWrite.CrossTenantAccess",
  "Group.ReadWrite.All",
  "LicenseAssignment.ReadWrite.All",
  "Organization.Read.All",
  "User.Read.All",
  "Application.ReadWrite.All",
  "AppRoleAssignment.ReadWrite.All",
];

export function ensureTenant(
  store: Store,
  spec: TenantSpec,
  credentialDir: string,
  roles = DEPLOYER_ROLES,
): EmulatedTenant {
  const tenant = store.addTenant({
    id: spec.tenantId,
    displayName: spec.displayName,
    domains: [spec.domain],
  });
  const certificatePath = path.resolve(credentialDir, `${spec.role}-deployer.pem`);
  let certPem: string;
  if (existsSync(certificatePath)) {
    certPem =
      readFileSync(certificatePath, "utf8").match(
        /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/,
      )?.[0] ?? "";
  } else {
    const kc = createClientCertificate(`${spec.role}-deployer`);
    writeCredentialPem(certificatePath, kc);
    certPem = kc.certPem;
  }
  store.addApp(tenant, {
    appId: spec.clientId,
    displayName: `${spec.role} deployer`,
    certificateDer: [certDerBase64(certPem)],
    roles,
  });
  return {
    role: spec.role,
    tenantId: tenant.id,
    domain: spec.domain,
    clientId: spec.clientId,
    certificatePath,
  };
}
