// The one LDAP client of the codebase (over ldapts). Everything that reads or writes the
// on-premises directory goes through DirectoryClient: TLS with certificate validation, a bind as
// the configured account, one connection kept and reopened (and rebound) once when it drops,
// filters built from ldapts' filter classes (never from strings), paged searches, and errors that
// name the object and the LDAP result code (errors.ts). Decoding of attributes: attributes.ts.
import {
  AndFilter,
  Attribute,
  Change,
  type Client,
  type Entry,
  EqualityFilter,
  type Filter,
  GreaterThanEqualsFilter,
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
import { guidToBytes, isGuid } from "./guid";
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

// objectCategory=person excludes computers (whose objectClass includes user); the server maps
// "person" to the category's DN.
const USERS = new AndFilter({
  filters: [
    new EqualityFilter({ attribute: "objectCategory", value: "person" }),
    new EqualityFilter({ attribute: "objectClass", value: "user" }),
  ],
});
const GROUPS = new EqualityFilter({ attribute: "objectClass", value: "group" });

function and(...filters: Filter[]): Filter {
  return new AndFilter({ filters });
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

export class DirectoryClient {
  private readonly config: DirectoryConfig;
  private readonly timeoutMs: number;
  /** The one connection, bound once opened; undefined until first use and after it dropped. */
  private opening?: Promise<Session>;
  private session?: Session;
  private closed = false;

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
    const filter = and(USERS, new EqualityFilter({ attribute: "userPrincipalName", value: upn }));
    return this.single(`userPrincipalName ${upn}`, await this.searchUsers(filter));
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

  /** The user with this DN, if it exists, is a user, and lies under baseDn. */
  async getUser(dn: string): Promise<DirectoryUser | undefined> {
    if (!isWithin(dn, this.config.baseDn)) {
      return undefined;
    }
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

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.opening = undefined;
    this.session = undefined;
    await session?.close();
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

  private async search(base: string, options: SearchOptions): Promise<Entry[]> {
    const target = base === "" ? "rootDSE" : base;
    const dn = options.scope === "base" && base !== "" ? base : undefined;
    // The server's time limit per request (page), in seconds: the same budget as the client's.
    const timeLimit = Math.ceil(this.timeoutMs / 1000);
    const { searchEntries } = await this.run("search", target, dn, (c) =>
      c.search(base, { timeLimit, ...options }),
    );
    // Referrals (a subtree search from the domain root also returns ones to the Configuration and
    // DNS partitions) are in searchReferences and not followed: baseDn is the scope.
    return searchEntries;
  }

  /** Runs one operation on the bound connection; when the connection turns out to be gone, opens
   * and binds a new one and runs it once more. */
  private async run<T>(
    operation: string,
    target: string,
    dn: string | undefined,
    op: (c: Client) => Promise<T>,
  ) {
    for (let attempt = 1; ; attempt++) {
      const session = await this.bound();
      try {
        return await op(session.client);
      } catch (err) {
        if (attempt === 1 && isConnectionLoss(err)) {
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
