// What the emulator holds: tenants, their directory (users, groups, app registrations with their
// certificate key credentials, service principals and app role assignments) and their cross-tenant
// access policy. Plain JSON, so it can be saved to a file and a sandbox keeps its tenants across
// restarts.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import {
  applicationByAppId,
  ensureGraphServicePrincipal,
  grantedGraphRoles,
  keyCredentialFromCertificate,
  newApplication,
  newServicePrincipal,
  servicePrincipalByAppId,
  setGraphRoles,
} from "./applicationObjects";
import { type PlanService, SKU_FIXTURES } from "./skus";

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

/** A keyCredential (CSDL microsoft.graph.keyCredential) as the emulator keeps it: `key` (base64 DER
 * of the certificate) is stored, and returned only where Graph returns it. */
export interface StoredKeyCredential extends JsonObject {
  customKeyIdentifier: string;
  displayName: string | null;
  endDateTime: string;
  key: string;
  keyId: string;
  startDateTime: string;
  type: string;
  usage: string;
}

/** An app registration (CSDL microsoft.graph.application) plus its owners (directory object ids;
 * a navigation property, never returned as a property). */
export interface EmulatedApplication extends JsonObject {
  id: string;
  appId: string;
  displayName: string;
  keyCredentials: StoredKeyCredential[];
  owners: string[];
}

/** A service principal (CSDL microsoft.graph.servicePrincipal) plus its owners. */
export interface EmulatedServicePrincipal extends JsonObject {
  id: string;
  appId: string;
  displayName: string;
  appRoles: JsonObject[];
  owners: string[];
}

/** An app role granted to a service principal (CSDL microsoft.graph.appRoleAssignment). */
export interface AppRoleAssignment extends JsonObject {
  id: string;
  appRoleId: string;
  principalId: string;
  principalType: string;
  principalDisplayName: string;
  resourceId: string;
  resourceDisplayName: string;
  createdDateTime: string;
  deletedDateTime: null;
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
  /** App registrations by object id. */
  applications: Record<string, EmulatedApplication>;
  /** Service principals by object id, the built-in Microsoft Graph one included. */
  servicePrincipals: Record<string, EmulatedServicePrincipal>;
  /** App role assignments by id: application permissions granted to service principals. */
  appRoleAssignments: Record<string, AppRoleAssignment>;
  users: Record<string, EmulatedUser>;
  groups: Record<string, EmulatedGroup>;
  /** The tenant's subscriptions (GET /subscribedSkus). */
  subscribedSkus: SubscribedSku[];
  licensing: {
    /** How long group license processing takes (QueuedForProcessing → ProcessingInProgress →
     * ProcessingComplete); 0 processes within the assignLicense call. */
    processingDelayMs: number;
    /** Services of plans added through the admin API that skus.ts has no data on, by plan id. */
    planServices?: Record<string, PlanService>;
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
  /** Users (cloud users, by object id) that have a mailbox in Exchange Online. A synced user's
   * mailbox is in sync.exchangeOnlineMailboxes (by anchor), where proxy calculation reads it. */
  mailboxes: string[];
  /** B2B invitations of this tenant's existing users (invitations.ts), and how they redeem. */
  invitations: InvitationState;
}

/** When automatic redemption completes an invitation: Microsoft does not document whether the
 * invitation is Completed (and the user Accepted) at once or only at the user's first sign-in
 * into the resource tenant (unv), so the emulator has both. */
export type AutomaticRedemption = "immediate" | "firstSignIn";

/** The issuer of the identity a redemption with an account of another Entra tenant adds:
 * "ExternalAzureAD" (Entra's "Properties of a B2B collaboration user"; obs in public tooling) or
 * the home tenant's domain (Graph's objectIdentity page says so): the sources disagree. */
export type ExternalIssuer = "ExternalAzureAD" | "homeDomain";

/** One invitation as the emulator keeps it (Graph has no GET for invitations in v1.0). */
export interface InvitationRecord extends JsonObject {
  id: string;
  userId: string;
  invitedUserEmailAddress: string;
  inviteRedirectUrl: string;
  sendInvitationMessage: boolean;
  resetRedemption: boolean;
  status: "PendingAcceptance" | "Completed";
  createdDateTime: string;
  redeemedDateTime: string | null;
}

/** A message Entra would have sent about an invitation (never sent: tests read them). */
export interface InvitationMessage extends JsonObject {
  /** "invitation": the invitation email; "notification": the notice automatic redemption sends. */
  kind: "invitation" | "notification";
  to: string;
  invitationId: string;
  sentDateTime: string;
}

export interface InvitationState {
  automaticRedemption: AutomaticRedemption;
  externalIssuer: ExternalIssuer;
  /** The latest invitation of each user (by user id): what a sign-in redeems. */
  byUser: Record<string, InvitationRecord>;
  messages: InvitationMessage[];
}

/** (unv) The default: seed 000's test expects the invitation "automatically accepted" right after
 * the automation runs, before the user signs in. */
export const DEFAULT_AUTOMATIC_REDEMPTION: AutomaticRedemption = "immediate";

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
    // The order Microsoft's "Configure cross-tenant access settings for B2B collaboration" resets
    // to; members of the CSDL's b2bIdentityProvidersType.
    invitationRedemptionIdentityProviderConfiguration: {
      primaryIdentityProviderPrecedenceOrder: [
        "azureActiveDirectory",
        "externalFederation",
        "socialIdentityProviders",
      ],
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
  t.applications ??= {};
  t.servicePrincipals ??= {};
  t.appRoleAssignments ??= {};
  ensureGraphServicePrincipal(t);
  // State files from before app registrations were directory objects held `apps` by appId, each
  // with its key credentials and granted role values: each becomes application, service
  // principal and app role assignments.
  const legacy = (t as Tenant & { apps?: Record<string, LegacyApp> }).apps;
  if (legacy) {
    for (const app of Object.values(legacy)) {
      registerApp(t, {
        appId: app.appId,
        displayName: app.displayName,
        certificateDer: app.keyCredentials.map((k) => k.key),
        roles: app.roles,
      });
    }
    delete (t as Tenant & { apps?: unknown }).apps;
  }
  t.sync ??= {
    writeOnPremisesUserPrincipalName: true,
    exchangeOnlineMailboxes: [],
    exchangeLicensed: [],
    onPremisesSources: {},
  };
  t.sync.onPremisesSources ??= {};
  t.mailboxes ??= [];
  t.invitations ??= {
    automaticRedemption: DEFAULT_AUTOMATIC_REDEMPTION,
    externalIssuer: "ExternalAzureAD",
    byUser: {},
    messages: [],
  };
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

/** How long a change waits for others before the state file is written: one write carries every
 * change of that interval (a wave's set-up makes thousands of changes a second, and each write is
 * the whole state). A process killed in between loses that interval's changes; close() writes. */
export const SAVE_DELAY_MS = 250;

export class Store {
  private pendingSave?: NodeJS.Timeout;

  private constructor(
    readonly state: EmulatorState,
    private readonly file: string | undefined,
  ) {}

  /** In memory only, or backed by `file` (loaded if it exists, written SAVE_DELAY_MS after a
   * change and on flush). */
  static open(file?: string): Store {
    if (file && existsSync(file)) {
      const state = JSON.parse(readFileSync(file, "utf8")) as EmulatorState;
      for (const t of Object.values(state.tenants)) withDirectory(t);
      return new Store(state, file);
    }
    return new Store({ tenants: {} }, file);
  }

  /** Records that the state changed: the file is written within SAVE_DELAY_MS. */
  save(): void {
    if (!this.file || this.pendingSave) return;
    this.pendingSave = setTimeout(() => this.flush(), SAVE_DELAY_MS);
  }

  /** Writes the state file now if a change is waiting (the emulator's close calls it). */
  flush(): void {
    if (!this.pendingSave) return;
    clearTimeout(this.pendingSave);
    this.pendingSave = undefined;
    if (!this.file) return;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
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
      crossTenantAccessPolicy: { default: serviceDefaultPolicy(id), partners: {} },
    } as Tenant);
    this.state.tenants[id] = tenant;
    this.save();
    return tenant;
  }

  /** Registers an app the way an administrator does in the portal: application with these
   * certificates, its service principal, and admin consent to these Microsoft Graph application
   * permissions (role values). Idempotent by appId: an existing registration gets exactly these
   * certificates and roles. */
  addApp(tenant: Tenant, input: AppRegistrationInput): RegisteredApp {
    const registered = registerApp(tenant, input);
    this.save();
    return registered;
  }

  /** Replaces the Microsoft Graph application permissions granted to an app (admin consent
   * changed in the portal). */
  setAppRoles(tenant: Tenant, appId: string, roles: readonly string[]): RegisteredApp {
    const sp = servicePrincipalByAppId(tenant, appId);
    const app = applicationByAppId(tenant, appId);
    if (!sp || !app) throw new Error(`no app registration with a service principal has appId ${appId}`);
    setGraphRoles(tenant, sp, roles);
    this.save();
    return summary(tenant, app.id, sp.id);
  }
}

export interface AppRegistrationInput {
  appId?: string;
  displayName: string;
  /** base64 DER of each certificate (public part only). */
  certificateDer: string[];
  /** Microsoft Graph application permissions (app role values) to grant. */
  roles: readonly string[];
}

export interface RegisteredApp {
  appId: string;
  displayName: string;
  /** The application's object id. */
  applicationId: string;
  servicePrincipalId: string;
  roles: string[];
}

/** What state files from before app registrations were directory objects held per app. */
interface LegacyApp {
  appId: string;
  displayName: string;
  keyCredentials: Array<{ key: string }>;
  roles: string[];
}

function registerApp(tenant: Tenant, input: AppRegistrationInput): RegisteredApp {
  const appId = (input.appId ?? randomUUID()).toLowerCase();
  let app = applicationByAppId(tenant, appId);
  if (!app) {
    app = newApplication(tenant, { appId, displayName: input.displayName });
    tenant.applications[app.id] = app;
  }
  const current = app.keyCredentials;
  app.displayName = input.displayName;
  app.keyCredentials = input.certificateDer.map(
    (der) => current.find((k) => k.key === der) ?? keyCredentialFromCertificate(der),
  );
  let sp = servicePrincipalByAppId(tenant, appId);
  if (!sp) {
    sp = newServicePrincipal(tenant, app);
    tenant.servicePrincipals[sp.id] = sp;
  }
  setGraphRoles(tenant, sp, input.roles);
  return summary(tenant, app.id, sp.id);
}

function summary(tenant: Tenant, applicationId: string, servicePrincipalId: string): RegisteredApp {
  const app = tenant.applications[applicationId];
  return {
    appId: app.appId,
    displayName: app.displayName,
    applicationId,
    servicePrincipalId,
    roles: grantedGraphRoles(tenant, servicePrincipalId),
  };
}
