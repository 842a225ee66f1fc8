// The directory's data model as the rest of the codebase sees it: plain values decoded from AD's
// attributes (attributes.ts does the decoding). client.ts re-exports all of it.

export interface DirectoryConfig {
  /** "ldaps://dc1.corp.example:636", or "ldap://dc1.corp.example:389" with startTls. Plain LDAP
   * without startTls is refused: the bind would send the password in clear. */
  url: string;
  /** Upgrade an ldap:// connection with the StartTLS extended operation before binding. */
  startTls?: boolean;
  /** PEM file with the CA the server certificate must chain to (default: Node's trust store,
   * including NODE_EXTRA_CA_CERTS). Read on every connection, so a renewed CA is picked up. */
  caCertPath?: string;
  /** Certificate validation off. Explicit, and warned about on stderr at every connection. */
  allowInsecureTls?: boolean;
  /** "svc-reachback@corp.fabrikam.example", "FABRIKAM\\svc-reachback" or a full DN. A bare
   * account name does not bind (AD answers 49). */
  bindDn: string;
  password: string;
  /** Search root: the OU scope of users and groups this client sees. */
  baseDn: string;
  /** Limit for connecting and for each LDAP operation (default 30 s). */
  timeoutMs?: number;
  /** Where warnings go (default: stderr). */
  warn?: (message: string) => void;
}

/** The attributes the coexistence code writes; the service account needs write access to these. */
export const EXCHANGE_ATTRIBUTES = [
  "mail",
  "proxyAddresses",
  "targetAddress",
  "msExchRecipientDisplayType",
  "msExchRecipientTypeDetails",
  "msExchRemoteRecipientType",
] as const;

export type ExchangeAttribute = (typeof EXCHANGE_ATTRIBUTES)[number];

export interface DirectoryUser {
  dn: string;
  /** Canonical lowercase dashed GUID, decoded from AD's byte order. */
  objectGuid: string;
  /** Base64 of the raw objectGUID bytes (Entra Connect's default sourceAnchor). */
  immutableId: string;
  userPrincipalName?: string;
  samAccountName?: string;
  displayName?: string;
  givenName?: string;
  surname?: string;
  mail?: string;
  /** In the directory's order, case as stored ("SMTP:" marks the primary address). */
  proxyAddresses: string[];
  targetAddress?: string;
  msExchRecipientDisplayType?: number;
  msExchRecipientTypeDetails?: number;
  msExchRemoteRecipientType?: number;
  /** extensionAttribute1..15 present on the object, keyed by attribute name. */
  extensionAttributes: Record<string, string>;
  /** userAccountControl without ACCOUNTDISABLE (0x2). */
  accountEnabled: boolean;
  usnChanged: number;
}

export interface DirectoryGroup {
  dn: string;
  objectGuid: string;
  immutableId: string;
  samAccountName?: string;
  displayName?: string;
  mail?: string;
  proxyAddresses: string[];
  /** Every member's DN, also beyond AD's 1,500 values per read (ranged retrieval). */
  memberDns: string[];
  /** groupType has GROUP_TYPE_SECURITY_ENABLED (0x80000000); distribution lists do not. */
  securityEnabled: boolean;
  usnChanged: number;
}

/** null clears the attribute; undefined leaves it alone. */
export type ExchangeAttributeChanges = Partial<{
  mail: string | null;
  proxyAddresses: string[] | null;
  targetAddress: string | null;
  msExchRecipientDisplayType: number | null;
  msExchRecipientTypeDetails: number | null;
  msExchRemoteRecipientType: number | null;
  /** extensionAttribute1..15 by name (the third-party path restores them): beyond the six of
   * EXCHANGE_ATTRIBUTES, so the delegated account needs write rights on them too. */
  extensionAttributes: Partial<Record<string, string | null>>;
}>;

export interface ListOptions {
  /** Entries per page of the paged search (default 500; AD's MaxPageSize is 1,000). */
  pageSize?: number;
  /** Only objects changed after this USN (a previous highestCommittedUsn): uSNChanged > it. */
  changedSinceUsn?: number;
}
