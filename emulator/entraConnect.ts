// The emulated Entra Connect sync engine: reads the source tenant's Active Directory over LDAP
// (through the project's one directory client) and projects users and groups into the emulated
// tenant the way Entra Connect's default rules do for the attributes this project relies on,
// proxy calculation (and so proxy scrubbing) included. Cycles run on an interval and on demand:
// in-process requests that arrive while a cycle runs share the next cycle; an operator's hook
// (the admin API's POST .../entraConnect/cycle) is refused while one runs, as
// Start-ADSyncSyncCycle is (obs).
import { createHash } from "node:crypto";
import {
  DirectoryClient,
  type DirectoryConfig,
  type DirectoryGroup,
  type DirectoryUser,
} from "../lib/directory/client";
import { type Licensing, licenseProxyEffect } from "./licensing";
import { calculateProxyAddresses, type ProxyCalculationResult } from "./proxyCalculation";
import type { EmulatedUser, JsonObject, Store, Tenant } from "./state";

/** msExchRecipientTypeDetails of remote (on-premises-object, cloud-mailbox) recipients. */
const REMOTE_MAILBOX_TYPES = new Set([2147483648, 8589934592, 17179869184, 34359738368]);

export interface SyncCycleResult {
  kind: "initial" | "delta";
  startedAt: string;
  finishedAt: string;
  usersAdded: number;
  usersUpdated: number;
  usersDeleted: number;
  groupsSynced: number;
}

export interface EntraConnectOptions {
  /** Delta cycle period; 0 or absent: only on demand (the real default is 30 minutes). */
  intervalMs?: number;
  /** Group license processing, run again when a synced group's membership changes. */
  licensing?: Licensing;
  /** How long a cycle takes, from its import (AD read at its start) to its export (what it read
   * lands in the tenant at its end); 0 or absent: at once. A short emulated cycle (e.g. 20 s) for
   * benchmarks: a change waits for the next cycle boundary, as on a real server whose cycles take
   * minutes (unv: the emulator makes every cycle last the same). */
  cycleMs?: number;
  /** What the operator's hook (tryStartCycle) does while a cycle runs: "refuse" (default, as
   * Start-ADSyncSyncCycle does, obs), or "next": served by the next cycle, which starts at this
   * one's end (a decision for benchmarks, where the hook must not busy-wait). */
  hookWhileBusy?: "refuse" | "next";
}

/** Seed 000's first two triggers, read from AD: a remote mailbox. */
export function isRemoteMailbox(u: DirectoryUser): boolean {
  return (
    (u.msExchRemoteRecipientType ?? 0) !== 0 || REMOTE_MAILBOX_TYPES.has(u.msExchRecipientTypeDetails ?? 0)
  );
}

/** A stable object id per source anchor, so re-projecting a user never changes its id. */
export function objectIdFor(tenantId: string, immutableId: string): string {
  const h = createHash("sha256").update(`${tenantId}/${immutableId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Projects an on-premises user into the tenant the way the default sync rules do, proxy
 * calculation included, and remembers the on-premises values in tenant.sync.onPremisesSources
 * (not on the Graph-visible user) so that a licensing change can re-run the calculation without
 * reading AD. The one projection path: the engine's cycles, licensing and the admin API use it. */
export function projectSyncedUser(
  tenant: Tenant,
  id: string,
  u: DirectoryUser,
): { user: EmulatedUser; removed: ProxyCalculationResult["removed"] } {
  const existing = tenant.users[id];
  const verified = (domain: string) => tenant.domains.some((d) => d.toLowerCase() === domain.toLowerCase());
  // A UPN in a domain the tenant has not verified becomes <prefix>@<initial domain>.
  const upn = u.userPrincipalName ?? `${u.samAccountName}@${tenant.initialDomain}`;
  const [prefix, suffix = ""] = upn.split("@");
  const cloudUpn = verified(suffix) ? upn : `${prefix}@${tenant.initialDomain}`;
  // Seed 000's third trigger from the user's licenses (licensing.ts), or from the
  // exchangeLicensed list that tests set through the admin API (an override: it adds, never removes).
  const byLicense = existing ? licenseProxyEffect(tenant, existing) : { scrubbing: false, exchange: false };
  const licensed = tenant.sync.exchangeLicensed.includes(u.immutableId) || byLicense.exchange;
  const calc = calculateProxyAddresses({
    userPrincipalName: cloudUpn,
    mail: u.mail,
    proxyAddresses: u.proxyAddresses,
    verifiedDomains: tenant.domains,
    initialDomain: tenant.initialDomain,
    scrubbingTriggered:
      isRemoteMailbox(u) ||
      tenant.sync.exchangeOnlineMailboxes.includes(u.immutableId) ||
      licensed ||
      byLicense.scrubbing,
    exchangeLicensed: licensed,
  });
  const extensions: JsonObject = {};
  for (let i = 1; i <= 15; i++)
    extensions[`extensionAttribute${i}`] = u.extensionAttributes[`extensionAttribute${i}`] ?? null;
  const user: EmulatedUser = {
    // Cloud-mastered properties set by hand survive a sync (usageLocation, for instance).
    ...(existing ?? {}),
    id,
    userPrincipalName: cloudUpn,
    displayName: u.displayName ?? prefix,
    givenName: u.givenName ?? null,
    surname: u.surname ?? null,
    mail: calc.mail,
    mailNickname: calc.mailNickname,
    proxyAddresses: calc.proxyAddresses,
    accountEnabled: u.accountEnabled,
    userType: (existing?.userType as string | undefined) ?? "Member",
    businessPhones: [],
    jobTitle: null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    onPremisesSyncEnabled: true,
    onPremisesImmutableId: u.immutableId,
    onPremisesSamAccountName: u.samAccountName ?? null,
    onPremisesDistinguishedName: u.dn,
    onPremisesUserPrincipalName: tenant.sync.writeOnPremisesUserPrincipalName ? upn : null,
    onPremisesExtensionAttributes: extensions,
    onPremisesLastSyncDateTime: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    creationType: (existing?.creationType as string | null | undefined) ?? null,
    // B2B state is cloud-mastered: an invitation's externalUserState and the identity its
    // redemption added survive every sync (Entra "Invite internal users to B2B collaboration":
    // the on-premises directory stays the source of authority for the synced attributes only).
    externalUserState: (existing?.externalUserState as string | null | undefined) ?? null,
    identities: withUpnIdentity(existing?.identities, tenant.initialDomain, cloudUpn),
    assignedLicenses: existing?.assignedLicenses ?? [],
    licenseAssignmentStates: existing?.licenseAssignmentStates ?? [],
  };
  tenant.users[id] = user;
  tenant.sync.onPremisesSources[id] = u as unknown as JsonObject;
  return { user, removed: calc.removed };
}

/** A member's own sign-in identity (signInType userPrincipalName, issued by the tenant: Entra
 * "Properties of a B2B collaboration user", "{host's domain}"), kept current with the UPN; other
 * identities (a B2B redemption's) are kept as they are. (unv) that the issuer is the initial
 * domain rather than the UPN's. */
export function withUpnIdentity(current: unknown, initialDomain: string, upn: string): JsonObject[] {
  const others = (Array.isArray(current) ? (current as JsonObject[]) : []).filter(
    (i) => i.signInType !== "userPrincipalName",
  );
  return [{ signInType: "userPrincipalName", issuer: initialDomain, issuerAssignedId: upn }, ...others];
}

/** Re-runs the projection of a synced user from its remembered on-premises values (after a
 * license change: graph-facts.md "License changes trigger proxy calculation"). Cloud users and
 * users never projected are left alone. */
export function reprojectSyncedUser(tenant: Tenant, userId: string, engine?: EntraConnectSync): void {
  const source = tenant.sync.onPremisesSources[userId];
  if (!source || tenant.users[userId]?.onPremisesSyncEnabled !== true) return;
  const { removed } = projectSyncedUser(tenant, userId, source as unknown as DirectoryUser);
  engine?.lastRemovedAddresses.set(userId, removed);
}

export class EntraConnectSync {
  private readonly directory: DirectoryClient;
  private current?: Promise<SyncCycleResult>;
  /** A hold on the next cycle (holdNextCycle). */
  private gate?: Promise<void>;
  private next?: Promise<SyncCycleResult>;
  private timer?: NodeJS.Timeout;
  /** The wait of a cycle that lasts cycleMs, and how to end it early (close). */
  private export?: { timer: NodeJS.Timeout; done: () => void };
  private closed = false;
  private lastUsn = 0;
  /** What proxy calculation dropped for each user at the last projection (for diagnostics). */
  readonly lastRemovedAddresses = new Map<string, Array<{ value: string; reason: string }>>();
  readonly history: SyncCycleResult[] = [];

  constructor(
    private readonly store: Store,
    private readonly tenantId: string,
    directory: DirectoryConfig,
    /** Changeable while the engine runs (a benchmark shortens its cycles after set-up). */
    readonly options: EntraConnectOptions = {},
  ) {
    this.directory = new DirectoryClient(directory);
    if (options.intervalMs && options.intervalMs > 0) {
      this.timer = setInterval(() => void this.requestCycle().catch(() => undefined), options.intervalMs);
      this.timer.unref();
    }
  }

  /** Whether a cycle is running (Get-ADSyncConnectorRunStatus names a connector then). */
  get running(): boolean {
    return this.current !== undefined || this.next !== undefined;
  }

  /** Start-ADSyncSyncCycle -PolicyType Delta, as an operator's hook calls it: starts a cycle now,
   * or, while one runs, starts nothing and answers undefined. Start-ADSyncSyncCycle fails then
   * (obs: "System.InvalidOperationException: Connector: <name> - AAD is busy.", in public
   * troubleshooting write-ups; Microsoft's scheduler page does not say). Requests are not queued. */
  tryStartCycle(): Promise<SyncCycleResult> | undefined {
    if (this.options.hookWhileBusy === "next") return this.requestCycle();
    if (this.current || this.next) return undefined;
    return this.requestCycle();
  }

  /** For tests: the next cycle to start stays running (it holds the engine busy) until the
   * returned function is called. */
  holdNextCycle(): () => void {
    let release = () => {};
    this.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return () => {
      this.gate = undefined;
      release();
    };
  }

  /** Resolves when no cycle runs or waits to run. */
  async whenIdle(): Promise<void> {
    while (this.current || this.next) await (this.next ?? this.current)?.catch(() => undefined);
  }

  /** Starts a cycle now, or, while one runs, shares the next one with every other caller (the
   * scheduler's own cycles and in-process callers; an operator's hook calls tryStartCycle). */
  requestCycle(): Promise<SyncCycleResult> {
    if (!this.current) {
      this.current = this.cycle().finally(() => {
        this.current = undefined;
      });
      return this.current;
    }
    if (!this.next) {
      this.next = this.current
        .catch(() => undefined)
        .then(() => {
          this.next = undefined;
          return this.requestCycle();
        });
    }
    return this.next;
  }

  /** After a sync rule change Entra Connect needs a full synchronization: the next cycle
   * re-reads every object instead of the changes since the last one. */
  requireFullImport(): void {
    this.lastUsn = 0;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.closed = true;
    if (this.export) {
      clearTimeout(this.export.timer);
      this.export.done();
    }
    await this.current?.catch(() => undefined);
    await this.directory.close();
  }

  private tenant(): Tenant {
    const t = this.store.tenant(this.tenantId);
    if (!t) throw new Error(`Entra Connect: tenant ${this.tenantId} does not exist in the emulator`);
    return t;
  }

  private async cycle(): Promise<SyncCycleResult> {
    const startedAt = new Date().toISOString();
    if (this.gate) await this.gate;
    const kind = this.lastUsn === 0 ? "initial" : "delta";
    // Read the high-water mark first: a change made during the import is seen again next time.
    const usn = await this.directory.highestCommittedUsn();
    const since = kind === "delta" ? { changedSinceUsn: this.lastUsn } : {};
    const users = await this.directory.listUsers(since);
    const groups = await this.directory.listGroups(since);
    await this.untilExport(Date.parse(startedAt));
    const tenant = this.tenant();
    const result: SyncCycleResult = {
      kind,
      startedAt,
      finishedAt: "",
      usersAdded: 0,
      usersUpdated: 0,
      usersDeleted: 0,
      groupsSynced: 0,
    };
    for (const u of users) {
      const id = objectIdFor(tenant.id, u.immutableId);
      if (tenant.users[id]) result.usersUpdated++;
      else result.usersAdded++;
      this.projectUser(tenant, id, u);
    }
    if (kind === "initial") {
      // Deletions are only seen by a full import here (a delta import would need tombstones).
      const present = new Set(users.map((u) => u.immutableId));
      for (const [id, user] of Object.entries(tenant.users)) {
        if (user.onPremisesSyncEnabled === true && !present.has(String(user.onPremisesImmutableId))) {
          delete tenant.users[id];
          delete tenant.sync.onPremisesSources[id];
          result.usersDeleted++;
        }
      }
    }
    // Members by DN, built once per cycle rather than once per group.
    const byDn = new Map<string, string>();
    if (groups.length > 0)
      for (const u of Object.values(tenant.users))
        if (typeof u.onPremisesDistinguishedName === "string")
          byDn.set(u.onPremisesDistinguishedName.toLowerCase(), u.id);
    for (const g of groups) {
      this.projectGroup(tenant, g, byDn);
      result.groupsSynced++;
    }
    this.lastUsn = usn;
    this.store.save();
    result.finishedAt = new Date().toISOString();
    this.history.push(result);
    return result;
  }

  /** With cycleMs: until the cycle's end (sooner when the engine is closed). */
  private async untilExport(started: number): Promise<void> {
    const left = started + (this.options.cycleMs ?? 0) - Date.now();
    if (left <= 0 || this.closed) return;
    await new Promise<void>((resolve) => {
      this.export = { timer: setTimeout(resolve, left), done: resolve };
    });
    this.export = undefined;
    if (this.closed) throw new Error("Entra Connect was stopped during a cycle");
  }

  private projectUser(tenant: Tenant, id: string, u: DirectoryUser): EmulatedUser {
    const { user, removed } = projectSyncedUser(tenant, id, u);
    this.lastRemovedAddresses.set(id, removed);
    return user;
  }

  private projectGroup(tenant: Tenant, g: DirectoryGroup, byDn: ReadonlyMap<string, string>): void {
    const id = objectIdFor(tenant.id, g.immutableId);
    const existing = tenant.groups[id];
    tenant.groups[id] = {
      id,
      displayName: g.displayName ?? g.samAccountName ?? id,
      description: null,
      mail: g.mail ?? null,
      mailEnabled: false,
      mailNickname: g.samAccountName ?? id,
      securityEnabled: g.securityEnabled,
      groupTypes: [],
      proxyAddresses: g.proxyAddresses,
      onPremisesSyncEnabled: true,
      onPremisesSamAccountName: g.samAccountName ?? null,
      onPremisesLastSyncDateTime: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      members: g.memberDns
        .map((dn) => byDn.get(dn.toLowerCase()))
        .filter((x): x is string => x !== undefined),
      // Cloud-mastered: licenses assigned in the cloud and owners survive a sync.
      owners: existing?.owners ?? [],
      assignedLicenses: existing?.assignedLicenses ?? [],
      licenseProcessingState: existing?.licenseProcessingState ?? null,
    };
    const before = JSON.stringify([...(existing?.members ?? [])].sort());
    if (before !== JSON.stringify([...tenant.groups[id].members].sort())) {
      if (this.options.licensing?.isLicensing(tenant, id)) this.options.licensing.queue(tenant, id);
    }
  }

  /** Re-runs proxy calculation for one synced user from its remembered on-premises values. */
  reproject(userId: string): void {
    reprojectSyncedUser(this.tenant(), userId, this);
  }
}
