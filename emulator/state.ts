// What the emulator holds: tenants, their app registrations (with certificate key credentials and
// granted application permissions) and their cross-tenant access policy. Plain JSON, so it can be
// saved to a file and a sandbox keeps its tenants across restarts.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { SKU_FIXTURES } from "../lib/licensing/skuFixtures";

export interface KeyCredential {
  keyId: string;
  type: "AsymmetricX509Cert";
  usage: "Verify";
  /** base64 DER of the certificate, as Graph stores it. */
  key: string;
  displayName?: string;
}

export interface App {
  appId: string;
  displayName: string;
  keyCredentials: KeyCredential[];
  /** Microsoft Graph application permissions granted with admin consent (app role values). */
  roles: string[];
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A user as Graph returns it (Graph's property names), plus what the emulator needs to know. */
export interface EmulatedUser extends JsonObject {
  id: string;
}

/** A group as the emulator keeps it: Graph's properties plus its member and owner object ids
 * (navigation properties, never returned as properties). */
export interface EmulatedGroup extends JsonObject {
  id: string;
  members: string[];
  owners: string[];
}

export interface ServicePlanInfo extends JsonObject {
  servicePlanId: string;
  servicePlanName: string;
  provisioningStatus: string;
  appliesTo: string;
}

/** Graph's subscribedSku (CSDL microsoft.graph.subscribedSku). consumedUnits is recounted from
 * the users' license states whenever licensing changes. */
export interface SubscribedSku extends JsonObject {
  id: string;
  accountId: string;
  accountName: string;
  skuId: string;
  skuPartNumber: string;
  appliesTo: string;
  capabilityStatus: string;
  consumedUnits: number;
  prepaidUnits: { enabled: number; suspended: number; warning: number; lockedOut: number };
  servicePlans: ServicePlanInfo[];
  subscriptionIds: string[];
}

/** The SKUs every new tenant subscribes to. */
export const SEEDED_SKUS = ["SPE_E5", "SPE_E3", "EMS"] as const;

export function skuFromFixture(tenantId: string, name: keyof typeof SKU_FIXTURES): SubscribedSku {
  const f = SKU_FIXTURES[name];
  return {
    // Graph's documented example ids a subscribedSku <company id>_<skuId> (unv: that the prefix
    // is the tenant id).
    id: `${tenantId}_${f.skuId}`,
    accountId: tenantId,
    accountName: tenantId,
    skuId: f.skuId,
    skuPartNumber: f.skuPartNumber,
    appliesTo: f.appliesTo,
    capabilityStatus: f.capabilityStatus,
    consumedUnits: 0,
    prepaidUnits: { ...f.prepaidUnits },
    servicePlans: f.servicePlans.map((p) => ({ ...p })),
    subscriptionIds: [randomUUID()],
  };
}

export interface Tenant {
  id: string;
  displayName: string;
  /** Verified domains; the initial (MOERA) domain is <name>.onmicrosoft.com. */
  domains: string[];
  initialDomain: string;
  apps: Record<string, App>;
  users: Record<string, EmulatedUser>;
  groups: Record<string, EmulatedGroup>;
  /** The tenant's subscriptions (GET /subscribedSkus). */
  subscribedSkus: SubscribedSku[];
  licensing: {
    /** How long group license processing takes (QueuedForProcessing → ProcessingInProgress →
     * ProcessingComplete); 0 processes within the assignLicense call. */
    processingDelayMs: number;
  };
  /** Entra Connect's behaviour for this tenant. */
  sync: {
    /** The default sync rule writes onPremisesUserPrincipalName; the modified rule that
     * internal-to-B2B conversion needs leaves it out (graph-facts.md, "Inviting"). */
    writeOnPremisesUserPrincipalName: boolean;
    /** Users (by onPremisesImmutableId) that have a mailbox in Exchange Online: a scrubbing trigger. */
    exchangeOnlineMailboxes: string[];
    /** Users (by onPremisesImmutableId) with an enabled Exchange Online plan, until licensing is modelled. */
    exchangeLicensed: string[];
    /** The on-premises object each synced user was last projected from (by object id), so that
     * a licensing change can re-run proxy calculation without reading AD. Not Graph-visible: it is
     * not on the user object. */
    onPremisesSources: Record<string, JsonObject>;
  };
  crossTenantAccessPolicy: {
    default: JsonObject;
    partners: Record<string, { partner: JsonObject; identitySynchronization: JsonObject | null }>;
  };
}

export interface EmulatorState {
  tenants: Record<string, Tenant>;
}

/** Service defaults of a new tenant (Graph's documented example for GET .../default). */
export function serviceDefaultPolicy(tenantId: string): JsonObject {
  const b2b = (accessType: string) => ({
    usersAndGroups: { accessType, targets: [{ target: "AllUsers", targetType: "user" }] },
    applications: { accessType, targets: [{ target: "AllApplications", targetType: "application" }] },
  });
  return {
    id: tenantId,
    isServiceDefault: true,
    inboundTrust: {
      isMfaAccepted: false,
      isCompliantDeviceAccepted: false,
      isHybridAzureADJoinedDeviceAccepted: false,
    },
    automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: false },
    b2bCollaborationInbound: b2b("allowed"),
    b2bCollaborationOutbound: b2b("allowed"),
    b2bDirectConnectInbound: b2b("blocked"),
    b2bDirectConnectOutbound: b2b("blocked"),
    invitationRedemptionIdentityProviderConfiguration: {
      primaryIdentityProviderPrecedenceOrder: ["externalAzureActiveDirectory", "socialIdentityProviders"],
      fallbackIdentityProvider: "defaultConfiguredIdp",
    },
    tenantRestrictions: {
      usersAndGroups: { accessType: "blocked", targets: [{ target: "AllUsers", targetType: "user" }] },
      applications: {
        accessType: "blocked",
        targets: [{ target: "AllApplications", targetType: "application" }],
      },
      devices: null,
    },
  };
}

/** Real processing takes seconds to hours (unv); tests want it short but observable. */
export const DEFAULT_LICENSE_PROCESSING_DELAY_MS = 300;

/** Fills in the directory and licensing parts of a tenant (also for state files saved before they existed). */
function withDirectory(t: Tenant): Tenant {
  t.initialDomain ??= `${(t.domains[0] ?? t.id)
    .split(".")[0]
    .replace(/[^a-z0-9]/gi, "")
    .toLowerCase()}.onmicrosoft.com`;
  t.users ??= {};
  t.groups ??= {};
  t.sync ??= {
    writeOnPremisesUserPrincipalName: true,
    exchangeOnlineMailboxes: [],
    exchangeLicensed: [],
    onPremisesSources: {},
  };
  t.sync.onPremisesSources ??= {};
  t.subscribedSkus ??= SEEDED_SKUS.map((name) => skuFromFixture(t.id, name));
  t.licensing ??= { processingDelayMs: DEFAULT_LICENSE_PROCESSING_DELAY_MS };
  for (const g of Object.values(t.groups)) {
    g.owners ??= [];
    g.assignedLicenses ??= [];
    g.licenseProcessingState ??= null;
  }
  for (const u of Object.values(t.users)) {
    u.assignedLicenses ??= [];
    u.licenseAssignmentStates ??= [];
  }
  return t;
}

export class Store {
  private constructor(
    readonly state: EmulatorState,
    private readonly file: string | undefined,
  ) {}

  /** In memory only, or backed by `file` (loaded if it exists, saved after each change). */
  static open(file?: string): Store {
    if (file && existsSync(file)) {
      const state = JSON.parse(readFileSync(file, "utf8")) as EmulatorState;
      for (const t of Object.values(state.tenants)) withDirectory(t);
      return new Store(state, file);
    }
    return new Store({ tenants: {} }, file);
  }

  save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state, null, 1));
    renameSync(tmp, this.file);
  }

  tenant(id: string): Tenant | undefined {
    return this.state.tenants[id.toLowerCase()];
  }

  addTenant(input: { id?: string; displayName: string; domains: string[] }): Tenant {
    const id = (input.id ?? randomUUID()).toLowerCase();
    const existing = this.state.tenants[id];
    if (existing) return existing;
    const tenant: Tenant = withDirectory({
      id,
      displayName: input.displayName,
      domains: input.domains,
      apps: {},
      crossTenantAccessPolicy: { default: serviceDefaultPolicy(id), partners: {} },
    } as Tenant);
    this.state.tenants[id] = tenant;
    this.save();
    return tenant;
  }

  addApp(
    tenant: Tenant,
    input: { appId?: string; displayName: string; certificateDer: string[]; roles: string[] },
  ): App {
    const appId = (input.appId ?? randomUUID()).toLowerCase();
    const app: App = {
      appId,
      displayName: input.displayName,
      keyCredentials: input.certificateDer.map((key) => ({
        keyId: randomUUID(),
        type: "AsymmetricX509Cert",
        usage: "Verify",
        key,
      })),
      roles: [...input.roles],
    };
    tenant.apps[appId] = app;
    this.save();
    return app;
  }
}
