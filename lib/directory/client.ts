// The one LDAP client of the codebase (over ldapts). Everything that reads or writes the
// on-premises directory goes through DirectoryClient: TLS with certificate validation, a bind as
// the configured account, one connection kept and reopened (and rebound) once when it drops,
// filters built from ldapts' filter classes (never from strings), paged searches, and errors that
// name the object and the LDAP result code (errors.ts). Decoding of attributes: attributes.ts.
import { appendFileSync } from "node:fs";
import {
  AndFilter,
  Attribute,
  Ber,
  BerWriter,
  Change,
  type Client,
  Control,
  type Entry,
  EqualityFilter,
  type Filter,
  GreaterThanEqualsFilter,
  OrFilter,
  type SearchOptions,
} from "ldapts";
import {
  attributeText,
  BINARY_ATTRIBUTES,
  decodeGroup,
  decodeUser,
  exchangeChanges,
  GROUP_ATTRIBUTES,
  hasControlCharacter,
  rangedValues,
  USER_ATTRIBUTES,
} from "./attributes";
import { checkConfig, DEFAULT_TIMEOUT_MS, isConnectionLoss, openSession, type Session } from "./connection";
import { DirectoryError, directoryError } from "./errors";
import { guidFromBytes, guidToBytes, isGuid } from "./guid";
import {
  parseSecurityDescriptor,
  type SecurityDescriptor,
  serializeSecurityDescriptor,
  sidFromBytes,
} from "./securityDescriptor";
import type {
  DirectoryConfig,
  DirectoryGroup,
  DirectoryUser,
  ExchangeAttributeChanges,
  ListOptions,
} from "./types";

export { DirectoryError } from "./errors";
export {
  type DirectoryConfig,
  type DirectoryGroup,
  type DirectoryUser,
  EXCHANGE_ATTRIBUTES,
  type ExchangeAttribute,
  type ExchangeAttributeChanges,
  type ListOptions,
} from "./types";

const DEFAULT_PAGE_SIZE = 500;

/** Waits between tries to reopen a connection that was lost (7.5 s in all). */
const REOPEN_BACKOFF_MS = [500, 1000, 2000, 4000];
/** How long a UPN look-up waits for others to share its search: the look-ups of a wave's users
 * arrive within milliseconds of each other. */
const UPN_WINDOW_MS = 15;
/** UPNs one search asks for: a filter of a hundred equalities is small for AD. */
export const UPNS_PER_SEARCH = 100;

/** Whether opening a connection failed because the server could not be reached (refused, reset,
 * timed out) rather than because it answered (a refused bind, a certificate it should not have). */
function isUnreachable(err: unknown): boolean {
  const cause = err instanceof DirectoryError ? err.cause : err;
  if (err instanceof DirectoryError && err.resultCode !== undefined) return false;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return (
    isConnectionLoss(cause) ||
    (code !== undefined && ["ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"].includes(code)) ||
    /Connection timeout|socket disconnected before secure TLS connection/i.test(
      (cause as Error | undefined)?.message ?? "",
    )
  );
}

// objectCategory=person excludes computers (whose objectClass includes user); the server maps
// "person" to the category's DN.
const USERS = new AndFilter({
  filters: [
    new EqualityFilter({ attribute: "objectCategory", value: "person" }),
    new EqualityFilter({ attribute: "objectClass", value: "user" }),
  ],
});
const GROUPS = new EqualityFilter({ attribute: "objectClass", value: "group" });
// Accounts that can bind: users, and computers and managed service accounts (subclasses of user).
const USER_OBJECTS = new EqualityFilter({ attribute: "objectClass", value: "user" });

interface RootDse {
  defaultNamingContext: string;
  schemaNamingContext: string;
  configurationNamingContext: string;
}

function and(...filters: Filter[]): Filter {
  return new AndFilter({ filters });
}

/** DACL_SECURITY_INFORMATION: the DACL alone, leaving owner, group and SACL out of reads and writes. */
const DACL_SECURITY_INFORMATION = 0x4;

/**
 * LDAP_SERVER_SD_FLAGS_OID (MS-ADTS 3.1.1.3.4.1.11): which parts of nTSecurityDescriptor a search
 * returns and a modify replaces. Without it AD returns the SACL too, which needs a right few
 * accounts have (so nothing is returned at all), and a modify replaces owner and group as well.
 * Critical: a server that ignored it would write a descriptor without owner and group.
 */
class SdFlagsControl extends Control {
  static readonly type = "1.2.840.113556.1.4.801";

  constructor(private readonly flags: number) {
    super(SdFlagsControl.type, { critical: true });
  }

  protected override writeControl(writer: BerWriter): void {
    // controlValue: SDFlagsRequestValue ::= SEQUENCE { Flags INTEGER }
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(this.flags);
    value.endSequence();
    writer.writeBuffer(value.buffer, Ber.OctetString);
  }
}

export interface DirectoryAccount {
  dn: string;
  /** objectSid, "S-1-5-21-...". */
  sid: string;
  samAccountName: string;
}

/** The domain's DNS name from its naming context: DC=corp,DC=fabrikam,DC=example → corp.fabrikam.example. */
function dnsNameOf(namingContext: string): string {
  return rdns(namingContext)
    .filter((rdn) => rdn.startsWith("dc="))
    .map((rdn) => rdn.slice(3))
    .join(".");
}

/** The RDNs of a DN, normalised enough to compare DNs this client got from the server. */
function rdns(dn: string): string[] {
  return dn
    .split(/(?<!\\),/)
    .map((rdn) =>
      rdn
        .trim()
        .replace(/\s*=\s*/, "=")
        .toLowerCase(),
    )
    .filter((rdn) => rdn.length > 0);
}

function isWithin(dn: string, baseDn: string): boolean {
  const inner = rdns(dn);
  const outer = rdns(baseDn);
  return (
    inner.length >= outer.length && outer.every((rdn, i) => inner[inner.length - outer.length + i] === rdn)
  );
}

/** A DN as compared here: case and the spaces around separators do not matter to AD. */
function normalDn(dn: string): string {
  return dn.replace(/\s*([,=+])\s*/g, "$1").toLowerCase();
}

export class DirectoryClient {
  private readonly config: DirectoryConfig;
  private readonly timeoutMs: number;
  /** The one connection, bound once opened; undefined until first use and after it dropped. */
  private opening?: Promise<Session>;
  private session?: Session;
  /** A connection this client had was lost and no new one is open yet. */
  private reopening = false;
  private closed = false;
  private namingContexts?: RootDse;
  /** findUserByUpn calls waiting for the next search, by lower-cased UPN. */
  private readonly upnQueue = new Map<
    string,
    Array<{ upn: string; resolve(users: DirectoryUser[]): void; reject(err: unknown): void }>
  >();
  private upnTimer?: NodeJS.Timeout;
  private upnSearching = false;
  /** getUser calls waiting for the next search, by DN. */
  private readonly dnQueue = new Map<
    string,
    Array<{ resolve(user: DirectoryUser | undefined): void; reject(err: unknown): void }>
  >();
  private dnTimer?: NodeJS.Timeout;
  private dnSearching = false;
  /** LDAP searches sent (each page of a paged search counts once per search), for tests and
   * benchmarks. */
  readonly counts = { searches: 0 };

  constructor(config: DirectoryConfig) {
    checkConfig(config);
    this.config = { ...config };
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async findUserByUpn(upn: string): Promise<DirectoryUser | undefined> {
    if (typeof upn !== "string" || upn.length === 0) {
      throw new DirectoryError("findUserByUpn needs a userPrincipalName");
    }
    if (hasControlCharacter(upn)) {
      // Samba compares up to a NUL, so "alias@domain\0anything" would find alias@domain.
      throw new DirectoryError(`findUserByUpn: ${JSON.stringify(upn)} has a control character; no UPN does`);
    }
    // Concurrent look-ups of the process (a wave's users) share one search (upnBatch).
    const users = await new Promise<DirectoryUser[]>((resolve, reject) => {
      const key = upn.toLowerCase();
      const waiting = this.upnQueue.get(key) ?? [];
      waiting.push({ upn, resolve, reject });
      this.upnQueue.set(key, waiting);
      this.scheduleUpnSearch();
    });
    return this.single(`userPrincipalName ${upn}`, users);
  }

  /** The next search waits for the window and for the search in flight, so that look-ups that
   * arrive meanwhile share the next one. */
  private scheduleUpnSearch(): void {
    if (this.upnTimer || this.upnSearching) return;
    this.upnTimer = setTimeout(() => {
      this.upnTimer = undefined;
      this.upnSearching = true;
      void this.searchQueuedUpns().finally(() => {
        this.upnSearching = false;
        if (this.upnQueue.size > 0) this.scheduleUpnSearch();
      });
    }, UPN_WINDOW_MS);
  }

  /** Searches the queued UPNs, up to UPNS_PER_SEARCH per search with an OR filter (ldapts'
   * filter classes: values go to the server as they are, escaped per RFC 4515 where a filter is
   * written as text), and gives each caller the users with its UPN. */
  private async searchQueuedUpns(): Promise<void> {
    const queued = [...this.upnQueue];
    this.upnQueue.clear();
    for (let i = 0; i < queued.length; i += UPNS_PER_SEARCH) {
      const chunk = queued.slice(i, i + UPNS_PER_SEARCH);
      const equals = chunk.map(
        ([, [first]]) => new EqualityFilter({ attribute: "userPrincipalName", value: first.upn }),
      );
      const filter = and(USERS, equals.length === 1 ? equals[0] : new OrFilter({ filters: equals }));
      let users: DirectoryUser[];
      try {
        users = await this.searchUsers(filter);
      } catch (err) {
        for (const [, waiting] of chunk) for (const w of waiting) w.reject(err);
        continue;
      }
      for (const [key, waiting] of chunk) {
        const mine = users.filter((u) => u.userPrincipalName?.toLowerCase() === key);
        for (const w of waiting) w.resolve(mine);
      }
    }
  }

  async findUserByObjectGuid(guid: string): Promise<DirectoryUser | undefined> {
    if (typeof guid !== "string" || !isGuid(guid)) {
      throw new DirectoryError(
        `findUserByObjectGuid: "${guid}" is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`,
      );
    }
    // The raw bytes, as a Buffer: a string filter with escaped bytes above 0x7f matches nothing
    // through ldapts.
    const filter = and(USERS, new EqualityFilter({ attribute: "objectGUID", value: guidToBytes(guid) }));
    return this.single(`objectGUID ${guid}`, await this.searchUsers(filter));
  }

  /** Every user under baseDn (or those changed since a USN), read in pages. */
  async listUsers(options: ListOptions = {}): Promise<DirectoryUser[]> {
    return this.searchUsers(this.changedSince(USERS, options), this.pageSize(options));
  }

  async listGroups(options: ListOptions = {}): Promise<DirectoryGroup[]> {
    const entries = await this.search(this.config.baseDn, {
      scope: "sub",
      filter: this.changedSince(GROUPS, options),
      attributes: GROUP_ATTRIBUTES,
      paged: { pageSize: this.pageSize(options) },
    });
    const groups: DirectoryGroup[] = [];
    for (const entry of entries) {
      groups.push(decodeGroup(entry, await this.allMembers(entry)));
    }
    return groups;
  }

  /** The user with this DN, if it exists, is a user, and lies under baseDn. Concurrent reads of
   * the process share one search (searchQueuedDns). */
  async getUser(dn: string): Promise<DirectoryUser | undefined> {
    if (!isWithin(dn, this.config.baseDn)) {
      return undefined;
    }
    return new Promise<DirectoryUser | undefined>((resolve, reject) => {
      const waiting = this.dnQueue.get(dn) ?? [];
      waiting.push({ resolve, reject });
      this.dnQueue.set(dn, waiting);
      this.scheduleDnSearch();
    });
  }

  /** One user by DN with a base search: its own answer, whatever the others' searches found. */
  private async getUserAlone(dn: string): Promise<DirectoryUser | undefined> {
    try {
      const entries = await this.search(dn, {
        scope: "base",
        filter: USERS,
        attributes: USER_ATTRIBUTES,
        explicitBufferAttributes: BINARY_ATTRIBUTES,
      });
      return entries.length ? this.decode(entries[0], decodeUser) : undefined;
    } catch (err) {
      if (err instanceof DirectoryError && err.resultCode === 32) {
        return undefined;
      }
      throw err;
    }
  }

  private scheduleDnSearch(): void {
    if (this.dnTimer || this.dnSearching) return;
    this.dnTimer = setTimeout(() => {
      this.dnTimer = undefined;
      this.dnSearching = true;
      void this.searchQueuedDns().finally(() => {
        this.dnSearching = false;
        if (this.dnQueue.size > 0) this.scheduleDnSearch();
      });
    }, UPN_WINDOW_MS);
  }

  /** The queued DNs: one alone is a base search as before; several are one subtree search with
   * an OR of distinguishedName equalities (up to UPNS_PER_SEARCH), and a DN it does not return
   * (gone, or spelt differently from the directory's own form) is then read alone, so that each
   * caller gets exactly what a base search would have answered. */
  private async searchQueuedDns(): Promise<void> {
    const queued = [...this.dnQueue];
    this.dnQueue.clear();
    const settle = async (dn: string, waiting: (typeof queued)[number][1], found?: DirectoryUser) => {
      try {
        const user = found ?? (await this.getUserAlone(dn));
        for (const w of waiting) w.resolve(user);
      } catch (err) {
        for (const w of waiting) w.reject(err);
      }
    };
    for (let i = 0; i < queued.length; i += UPNS_PER_SEARCH) {
      const chunk = queued.slice(i, i + UPNS_PER_SEARCH);
      if (chunk.length === 1) {
        await settle(chunk[0][0], chunk[0][1]);
        continue;
      }
      let users: DirectoryUser[] = [];
      try {
        users = await this.searchUsers(
          and(
            USERS,
            new OrFilter({
              filters: chunk.map(([dn]) => new EqualityFilter({ attribute: "distinguishedName", value: dn })),
            }),
          ),
        );
      } catch {
        // Each is read alone below, and fails or answers on its own.
      }
      const byDn = new Map(users.map((u) => [normalDn(u.dn), u]));
      await Promise.all(chunk.map(([dn, waiting]) => settle(dn, waiting, byDn.get(normalDn(dn)))));
    }
  }

  /** Sets and clears the given Exchange attributes of one object in one modify. */
  async writeExchangeAttributes(dn: string, changes: ExchangeAttributeChanges): Promise<void> {
    let modifications: ReturnType<typeof exchangeChanges>;
    try {
      modifications = exchangeChanges(changes);
    } catch (err) {
      throw new DirectoryError(`modify ${dn}: ${(err as Error).message}`, { dn, cause: err });
    }
    if (modifications.length === 0) {
      return;
    }
    if (!isWithin(dn, this.config.baseDn)) {
      const scope = this.config.baseDn;
      throw new DirectoryError(`modify ${dn}: outside this client's scope ${scope}; nothing written`, { dn });
    }
    await this.run("modify", dn, dn, (c) => c.modify(dn, modifications));
  }

  /** The group whose sAMAccountName (or cn) is `name`, under baseDn. */
  async findGroupByName(name: string): Promise<DirectoryGroup | undefined> {
    if (typeof name !== "string" || name.length === 0 || hasControlCharacter(name)) {
      throw new DirectoryError(`findGroupByName needs a group name, not ${JSON.stringify(name)}`);
    }
    const entries = await this.search(this.config.baseDn, {
      scope: "sub",
      filter: and(GROUPS, new EqualityFilter({ attribute: "sAMAccountName", value: name })),
      attributes: GROUP_ATTRIBUTES,
    });
    if (entries.length > 1)
      throw new DirectoryError(`${entries.length} groups are named ${name} under ${this.config.baseDn}`);
    return entries[0] ? decodeGroup(entries[0], await this.allMembers(entries[0])) : undefined;
  }

  /** Adds a member to a group (on-premises license groups are changed here, not in Graph). Adding
   * a member that is already there is not an error. */
  async addGroupMember(groupDn: string, memberDn: string): Promise<void> {
    await this.changeMembership("add", groupDn, memberDn, [20, 68]);
  }

  /** Removes a member from a group; removing one that is not there is not an error. */
  async removeGroupMember(groupDn: string, memberDn: string): Promise<void> {
    await this.changeMembership("delete", groupDn, memberDn, [16, 53]);
  }

  private async changeMembership(
    operation: "add" | "delete",
    groupDn: string,
    memberDn: string,
    harmless: number[],
  ) {
    if (!isWithin(groupDn, this.config.baseDn)) {
      throw new DirectoryError(
        `modify ${groupDn}: outside this client's scope ${this.config.baseDn}; nothing written`,
        { dn: groupDn },
      );
    }
    const change = new Change({
      operation,
      modification: new Attribute({ type: "member", values: [memberDn] }),
    });
    try {
      await this.run("modify", groupDn, groupDn, (c) => c.modify(groupDn, [change]));
    } catch (e) {
      // Already as wanted: on add, AD answers 68 (Samba) or 20 (attributeOrValueExists); on delete,
      // 16 (noSuchAttribute, Samba) or 53 (AD's WILL_NOT_PERFORM for a value that is not there).
      if (e instanceof DirectoryError && e.resultCode !== undefined && harmless.includes(e.resultCode))
        return;
      throw e;
    }
  }

  /**
   * The rootDSE's highestCommittedUSN: pass it as changedSinceUsn to the next list for a delta.
   * USNs belong to one domain controller: keep talking to the same one between cycles.
   */
  async highestCommittedUsn(): Promise<number> {
    const [root] = await this.search("", { scope: "base", attributes: ["highestCommittedUSN"] });
    const text = root && attributeText(root, "highestCommittedUSN");
    const value = Number(text);
    if (!text || !/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
      throw new DirectoryError(
        `read rootDSE of ${this.config.url}: no highestCommittedUSN (is this Active Directory?)`,
      );
    }
    return value;
  }

  /**
   * The object's DACL, read with the SD flags control asking for the DACL alone: an account that
   * may read permissions (READ_CONTROL) reads it without the right to read auditing (the SACL).
   * Owner, group and SACL are absent from the result.
   */
  async readSecurityDescriptor(dn: string): Promise<SecurityDescriptor> {
    this.checkDn("readSecurityDescriptor", dn);
    const [entry] = await this.search(
      dn,
      {
        scope: "base",
        attributes: ["nTSecurityDescriptor"],
        explicitBufferAttributes: ["nTSecurityDescriptor"],
      },
      [new SdFlagsControl(DACL_SECURITY_INFORMATION)],
    );
    const key = entry && Object.keys(entry).find((k) => k.toLowerCase() === "ntsecuritydescriptor");
    const value = key ? entry[key] : undefined;
    const bytes = Array.isArray(value) ? value[0] : value;
    if (!Buffer.isBuffer(bytes)) {
      throw new DirectoryError(
        `read the security descriptor of ${dn}: the server returned none: ${this.config.bindDn} may not read ` +
          "its permissions (READ_CONTROL); bind as an account that may",
        { dn },
      );
    }
    try {
      return parseSecurityDescriptor(bytes);
    } catch (err) {
      throw new DirectoryError(`read the security descriptor of ${dn}: ${(err as Error).message}`, {
        dn,
        cause: err,
      });
    }
  }

  /**
   * Replaces the object's DACL with `sd.dacl` (the SD flags control again: owner, group and SACL
   * on the server stay as they are, whatever `sd` says about them). The server recomputes the
   * inherited ACEs from the parent; what counts is the explicit ones.
   */
  async writeSecurityDescriptor(dn: string, sd: SecurityDescriptor): Promise<void> {
    this.checkDn("writeSecurityDescriptor", dn);
    const subject = `write the security descriptor of ${dn}`;
    if (!isWithin(dn, this.config.baseDn)) {
      throw new DirectoryError(
        `${subject}: outside this client's scope ${this.config.baseDn}; nothing written`,
        {
          dn,
        },
      );
    }
    if (!sd?.dacl) {
      // Written as DACL_SECURITY_INFORMATION without a DACL, it would be a NULL DACL: full control for everyone.
      throw new DirectoryError(`${subject}: the descriptor has no DACL; nothing written`, { dn });
    }
    let bytes: Buffer;
    try {
      bytes = serializeSecurityDescriptor(sd);
    } catch (err) {
      throw new DirectoryError(`${subject}: ${(err as Error).message}; nothing written`, { dn, cause: err });
    }
    const change = new Change({
      operation: "replace",
      modification: new Attribute({ type: "nTSecurityDescriptor", values: [bytes] }),
    });
    const control = new SdFlagsControl(DACL_SECURITY_INFORMATION);
    try {
      await this.run("modify", dn, dn, (c) => c.modify(dn, [change], [control]));
    } catch (err) {
      if (err instanceof DirectoryError && err.resultCode === 50) {
        throw new DirectoryError(
          `${subject}: the binding account ${this.config.bindDn} lacks WRITE_DAC on ${dn} ` +
            "(LDAP 50 insufficientAccessRights); nothing written: deploy as an account that may change " +
            'permissions there (a domain admin, or one delegated "Modify permissions" on it)',
          { dn, resultCode: 50, cause: err },
        );
      }
      throw err;
    }
  }

  /**
   * The schemaIDGUIDs (lower-case GUIDs) of attributes and classes by lDAPDisplayName, keyed by
   * the names as given. Every name must be in the schema.
   */
  async schemaIdGuids(lDAPDisplayNames: string[]): Promise<Map<string, string>> {
    if (!Array.isArray(lDAPDisplayNames)) {
      throw new DirectoryError("schemaIdGuids needs an array of lDAPDisplayNames");
    }
    for (const n of lDAPDisplayNames) {
      if (typeof n !== "string" || !/^[a-z][a-z0-9-]*$/i.test(n)) {
        throw new DirectoryError(`schemaIdGuids: ${JSON.stringify(n)} is not an lDAPDisplayName`);
      }
    }
    const result = new Map<string, string>();
    const unique = [...new Set(lDAPDisplayNames.map((n) => n.toLowerCase()))];
    if (unique.length === 0) {
      return result;
    }
    const { schemaNamingContext } = await this.rootDse();
    const entries = await this.search(schemaNamingContext, {
      scope: "one",
      filter: new OrFilter({
        filters: unique.map((n) => new EqualityFilter({ attribute: "lDAPDisplayName", value: n })),
      }),
      attributes: ["lDAPDisplayName", "schemaIDGUID"],
      explicitBufferAttributes: ["schemaIDGUID"],
    });
    const found = new Map<string, string>();
    for (const entry of entries) {
      const name = attributeText(entry, "lDAPDisplayName");
      const key = Object.keys(entry).find((k) => k.toLowerCase() === "schemaidguid");
      const raw = key ? entry[key] : undefined;
      const bytes = Array.isArray(raw) ? raw[0] : raw;
      if (name && Buffer.isBuffer(bytes) && bytes.length === 16) {
        found.set(name.toLowerCase(), guidFromBytes(bytes));
      }
    }
    const missing: string[] = [];
    for (const n of lDAPDisplayNames) {
      const g = found.get(n.toLowerCase());
      if (g) result.set(n, g);
      else if (!missing.includes(n)) missing.push(n);
    }
    if (missing.length > 0) {
      const exchange = missing.filter((n) => /^msExch|^targetAddress$/i.test(n));
      const hints = [
        exchange.length > 0
          ? "extend the schema with Exchange's attributes (Exchange setup /PrepareSchema)"
          : "",
        exchange.length < missing.length ? "check the spelling of the lDAPDisplayNames" : "",
      ];
      throw new DirectoryError(
        `${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not in the schema of ${this.config.url}: ` +
          hints.filter(Boolean).join("; "),
      );
    }
    return result;
  }

  /**
   * The account (a user, computer or managed service account) anywhere in the domain, by
   * sAMAccountName ("svc-reachback"), user principal name (also sAMAccountName@the domain's DNS
   * name, AD's implicit UPN), down-level name ("CORP\\svc-reachback") or DN.
   */
  async findAccount(name: string): Promise<DirectoryAccount | undefined> {
    if (typeof name !== "string" || name.trim().length === 0 || hasControlCharacter(name)) {
      throw new DirectoryError(
        `findAccount needs an account name (svc-reachback, svc-reachback@corp.example.com or CORP\\svc-reachback), not ${JSON.stringify(name)}`,
      );
    }
    const { defaultNamingContext } = await this.rootDse();
    const sam = (value: string) => new EqualityFilter({ attribute: "sAMAccountName", value });
    const backslash = name.indexOf("\\");
    if (backslash >= 0) {
      const domain = name.slice(0, backslash);
      const account = name.slice(backslash + 1);
      const names = await this.domainNames();
      // The NetBIOS name is the real one; people also write the first label of the DNS name.
      const known = [names.netbios, names.dns, names.dns.split(".")[0]].map((n) => n?.toLowerCase());
      if (!known.includes(domain.toLowerCase())) {
        throw new DirectoryError(
          `findAccount ${name}: ${domain} is not the domain of ${this.config.url} ` +
            `(${[names.netbios, names.dns].filter(Boolean).join(" or ")}); name an account of this domain`,
        );
      }
      return this.account(name, defaultNamingContext, "sub", sam(account));
    }
    if (name.includes("@")) {
      const byUpn = await this.account(
        name,
        defaultNamingContext,
        "sub",
        new EqualityFilter({ attribute: "userPrincipalName", value: name }),
      );
      const at = name.lastIndexOf("@");
      if (byUpn || name.slice(at + 1).toLowerCase() !== dnsNameOf(defaultNamingContext)) {
        return byUpn;
      }
      // AD's implicit UPN: sAMAccountName@DNS name of the domain, for accounts without one.
      return this.account(name, defaultNamingContext, "sub", sam(name.slice(0, at)));
    }
    if (/^[a-z][a-z0-9-]*=[^,]+,/i.test(name)) {
      try {
        return await this.account(name, name, "base", USER_OBJECTS);
      } catch (err) {
        if (err instanceof DirectoryError && err.resultCode === 32) return undefined;
        throw err;
      }
    }
    return this.account(name, defaultNamingContext, "sub", sam(name));
  }

  /** Whether an object with this DN exists (and the binding account may see it). */
  async entryExists(dn: string): Promise<boolean> {
    this.checkDn("entryExists", dn);
    try {
      return (await this.search(dn, { scope: "base", attributes: ["objectClass"] })).length > 0;
    } catch (err) {
      if (err instanceof DirectoryError && err.resultCode === 32) {
        return false;
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.opening = undefined;
    this.session = undefined;
    await session?.close();
  }

  private checkDn(operation: string, dn: string): void {
    if (typeof dn !== "string" || dn.trim().length === 0 || hasControlCharacter(dn)) {
      throw new DirectoryError(`${operation} needs a DN, not ${JSON.stringify(dn)}`);
    }
  }

  private async account(
    name: string,
    base: string,
    scope: "base" | "sub",
    filter: Filter,
  ): Promise<DirectoryAccount | undefined> {
    const entries = await this.search(base, {
      scope,
      filter: and(USER_OBJECTS, filter),
      attributes: ["objectSid", "sAMAccountName"],
      explicitBufferAttributes: ["objectSid"],
    });
    if (entries.length > 1) {
      throw new DirectoryError(
        `findAccount ${name}: ${entries.length} accounts match (${entries.map((e) => e.dn).join("; ")}); ` +
          "name one by its user principal name or DN",
      );
    }
    const entry = entries[0];
    if (!entry) return undefined;
    const key = Object.keys(entry).find((k) => k.toLowerCase() === "objectsid");
    const raw = key ? entry[key] : undefined;
    const bytes = Array.isArray(raw) ? raw[0] : raw;
    if (!Buffer.isBuffer(bytes)) {
      throw new DirectoryError(`read ${entry.dn}: no objectSid (is this Active Directory?)`, {
        dn: entry.dn,
      });
    }
    return {
      dn: entry.dn,
      sid: this.decode(entry, () => sidFromBytes(bytes)),
      samAccountName: attributeText(entry, "sAMAccountName") ?? "",
    };
  }

  /** The rootDSE's naming contexts; read once per client (they do not change). */
  private async rootDse(): Promise<RootDse> {
    if (!this.namingContexts) {
      const [root] = await this.search("", {
        scope: "base",
        attributes: ["defaultNamingContext", "schemaNamingContext", "configurationNamingContext"],
      });
      const read = (name: string) => {
        const value = root && attributeText(root, name);
        if (!value) {
          throw new DirectoryError(
            `read rootDSE of ${this.config.url}: no ${name} (is this Active Directory?)`,
          );
        }
        return value;
      };
      this.namingContexts = {
        defaultNamingContext: read("defaultNamingContext"),
        schemaNamingContext: read("schemaNamingContext"),
        configurationNamingContext: read("configurationNamingContext"),
      };
    }
    return this.namingContexts;
  }

  /** The domain's NetBIOS name (from its crossRef in the configuration partition) and DNS name. */
  private async domainNames(): Promise<{ netbios?: string; dns: string }> {
    const { defaultNamingContext, configurationNamingContext } = await this.rootDse();
    const [crossRef] = await this.search(`CN=Partitions,${configurationNamingContext}`, {
      scope: "one",
      filter: and(
        new EqualityFilter({ attribute: "objectClass", value: "crossRef" }),
        new EqualityFilter({ attribute: "nCName", value: defaultNamingContext }),
      ),
      attributes: ["nETBIOSName", "dnsRoot"],
    });
    return {
      netbios: crossRef && attributeText(crossRef, "nETBIOSName"),
      dns: (
        (crossRef && attributeText(crossRef, "dnsRoot")) ??
        dnsNameOf(defaultNamingContext)
      ).toLowerCase(),
    };
  }

  private pageSize(options: ListOptions): number {
    const size = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(size) || size < 1) {
      throw new DirectoryError(`pageSize must be a positive integer, not ${size}`);
    }
    return size;
  }

  private changedSince(filter: Filter, options: ListOptions): Filter {
    const usn = options.changedSinceUsn;
    if (usn === undefined) {
      return filter;
    }
    if (!Number.isSafeInteger(usn) || usn < 0) {
      throw new DirectoryError(`changedSinceUsn must be a USN (a non-negative integer), not ${usn}`);
    }
    return and(filter, new GreaterThanEqualsFilter({ attribute: "uSNChanged", value: String(usn + 1) }));
  }

  private single(what: string, users: DirectoryUser[]): DirectoryUser | undefined {
    if (users.length > 1) {
      throw new DirectoryError(
        `search under ${this.config.baseDn}: ${users.length} users have ${what} (${users.map((u) => u.dn).join("; ")}); ` +
          "it must identify one: fix the duplicate in the directory",
      );
    }
    return users[0];
  }

  private async searchUsers(filter: Filter, pageSize = DEFAULT_PAGE_SIZE): Promise<DirectoryUser[]> {
    const entries = await this.search(this.config.baseDn, {
      scope: "sub",
      filter,
      attributes: USER_ATTRIBUTES,
      explicitBufferAttributes: BINARY_ATTRIBUTES,
      paged: { pageSize },
    });
    return entries.map((e) => this.decode(e, decodeUser));
  }

  /** The group's members, following AD's ranged retrieval beyond 1,500 values. */
  private async allMembers(group: Entry): Promise<string[]> {
    let { values, nextStart } = rangedValues(group, "member");
    const members = [...values];
    while (nextStart !== undefined) {
      const [more] = await this.search(group.dn, {
        scope: "base",
        attributes: [`member;range=${nextStart}-*`],
      });
      ({ values, nextStart } = rangedValues(more ?? { dn: group.dn }, "member"));
      members.push(...values);
    }
    return members;
  }

  private decode<T>(entry: Entry, decoder: (entry: Entry) => T): T {
    try {
      return decoder(entry);
    } catch (err) {
      throw new DirectoryError(`read ${entry.dn}: ${(err as Error).message}`, { dn: entry.dn, cause: err });
    }
  }

  private async search(base: string, options: SearchOptions, controls?: Control[]): Promise<Entry[]> {
    const target = base === "" ? "rootDSE" : base;
    const dn = options.scope === "base" && base !== "" ? base : undefined;
    // The server's time limit per request (page), in seconds: the same budget as the client's.
    const timeLimit = Math.ceil(this.timeoutMs / 1000);
    this.counts.searches++;
    // For benchmarks and tests that count a deployment's searches across its processes.
    if (process.env.ENTRA_COEX_LDAP_SEARCH_LOG)
      appendFileSync(process.env.ENTRA_COEX_LDAP_SEARCH_LOG, `${target}\n`);
    const { searchEntries } = await this.run("search", target, dn, (c) =>
      c.search(base, { timeLimit, ...options }, controls),
    );
    // Referrals (a subtree search from the domain root also returns ones to the Configuration and
    // DNS partitions) are in searchReferences and not followed: baseDn is the scope.
    return searchEntries;
  }

  /** Runs one operation on the bound connection; when the connection turns out to be gone, opens
   * and binds a new one and runs it once more. Sending an operation again is safe: every write of
   * this client replaces values or adds or removes one member, where the second time leaves the
   * same state as the first (a member already there or gone is taken as done).
   *
   * Reopening after a connection this client had was lost is tried again a few times, with a
   * back-off (REOPEN_BACKOFF_MS): a domain controller that is restarting or a link being switched
   * over turns connections away for a moment. A client that never connected fails at once (a
   * wrong URL or certificate is not worth waiting for). */
  private async run<T>(
    operation: string,
    target: string,
    dn: string | undefined,
    op: (c: Client) => Promise<T>,
  ) {
    let resent = false;
    let reopenFailures = 0;
    for (;;) {
      let session: Session;
      try {
        session = await this.bound();
      } catch (err) {
        const wait = REOPEN_BACKOFF_MS[reopenFailures];
        if (!this.reopening || wait === undefined || !isUnreachable(err)) throw err;
        reopenFailures += 1;
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      try {
        return await op(session.client);
      } catch (err) {
        if (!resent && isConnectionLoss(err)) {
          resent = true;
          this.reopening = true;
          this.forget(session);
          continue;
        }
        throw directoryError(operation, target, err, dn);
      }
    }
  }

  private async bound(): Promise<Session> {
    if (this.closed) {
      throw new DirectoryError(`the directory client for ${this.config.url} is closed`);
    }
    // Closed by the server while idle: ldapts would reconnect by itself, but unbound.
    if (this.session && !this.session.alive()) {
      this.reopening = true;
      this.forget(this.session);
    }
    if (!this.opening) {
      const opening = openSession(this.config).then(
        async (session) => {
          if (this.opening !== opening) {
            // close() came first: nobody owns this connection.
            await session.close();
            throw new DirectoryError(`the directory client for ${this.config.url} is closed`);
          }
          this.session = session;
          this.reopening = false;
          return session;
        },
        (err) => {
          if (this.opening === opening) {
            this.opening = undefined;
          }
          throw err;
        },
      );
      this.opening = opening;
    }
    return this.opening;
  }

  private forget(session: Session): void {
    if (this.session === session) {
      this.session = undefined;
      this.opening = undefined;
    }
    void session.close();
  }
}
