// The proxyAddresses algebra: AD's multi-valued "TYPE:address" list, where an upper-case prefix
// marks the primary address of its type ("SMTP:" is the one primary e-mail address) and a
// lower-case one a secondary ("smtp:"). Pure functions, so the reach-back automation can plan
// the "swap the primary to the target address, invite, revert" edits of seed 000 and tests can
// check them exhaustively.
//
// Entries this module does not own (X500, SIP, EUM, values it cannot parse) are returned
// byte-for-byte: rewriting them would show up as unexplained changes in AD. SMTP entries are
// rewritten in a normal form ("SMTP:"/"smtp:" + the trimmed address) and de-duplicated, because
// directories in the wild carry several "SMTP:" values and case-only duplicates.

export interface ProxyAddress {
  /** The prefix as written, e.g. "SMTP", "smtp", "X500". */
  type: string;
  address: string;
  /** Exchange's convention: an all upper-case prefix marks the primary address of its type. */
  isPrimary: boolean;
}

export class AddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AddressError";
  }
}

// Letters first so that "SMTP" vs "smtp" carries the primary flag; no spaces, so "SMTP :x" is
// not mistaken for an SMTP entry.
const PROXY_TYPE = /^[A-Za-z][A-Za-z0-9_-]*$/;

export function parseProxyAddress(value: string): ProxyAddress {
  const v = value.trim();
  const colon = v.indexOf(":");
  const type = colon < 0 ? "" : v.slice(0, colon);
  if (!PROXY_TYPE.test(type)) {
    throw new AddressError(
      `"${value}" is not a proxy address: it needs a type prefix such as "SMTP:", "smtp:" or "X500:"`,
    );
  }
  // Whitespace after the colon is the same breakage as whitespace around the value.
  const address = v.slice(colon + 1).trim();
  if (address === "") throw new AddressError(`"${value}" has a type prefix but no address`);
  return { type, address, isPrimary: type === type.toUpperCase() };
}

/** Writes the prefix in the case `isPrimary` asks for, so a value never claims to be primary by
 * accident of spelling ("Smtp:" becomes "smtp:"). */
export function formatProxyAddress(p: ProxyAddress): string {
  if (!PROXY_TYPE.test(p.type)) throw new AddressError(`"${p.type}" is not a proxy address type`);
  if (p.address === "") throw new AddressError(`a ${p.type} proxy address needs an address`);
  return `${p.isPrimary ? p.type.toUpperCase() : p.type.toLowerCase()}:${p.address}`;
}

// RFC 5322 atext for a dot-atom local part. Quoted local parts and address literals are legal in
// RFC 5321 but Exchange Online does not accept them as proxy addresses, so they are refused here.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A pragmatic RFC 5321 check: dot-atom local part of at most 64 octets, a DNS domain with at
 * least two labels of at most 63 octets (letters, digits, inner hyphens), a non-numeric top-level
 * label (so bare IP addresses fail) and at most 254 octets in all. ASCII only. */
export function isValidSmtpAddress(address: string): boolean {
  if (typeof address !== "string" || address.length > 254) return false;
  const at = address.lastIndexOf("@");
  if (at <= 0) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local)) return false;
  if (domain.length > 253) return false;
  const labels = domain.split(".");
  if (labels.length < 2 || !labels.every((l) => DNS_LABEL.test(l))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1]);
}

/** E-mail addresses compare without regard to case: Exchange and Entra treat them so. */
export function sameAddress(a: string, b: string): boolean {
  return addressKey(a) === addressKey(b);
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf("@");
  const domain = at < 0 ? "" : address.slice(at + 1).trim();
  if (domain === "") throw new AddressError(`"${address}" has no domain`);
  return domain.toLowerCase();
}

/** The address of the first "SMTP:" entry; later ones in a broken list are ignored. */
export function primarySmtp(proxies: readonly string[]): string | undefined {
  return readEntries(proxies).find((e) => e.smtp && e.parsed?.isPrimary)?.parsed?.address;
}

/** Every SMTP address once (case-insensitively), the primary first, the rest in list order. */
export function smtpAddresses(proxies: readonly string[]): string[] {
  const primary = primarySmtp(proxies);
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (a: string) => {
    if (!seen.has(addressKey(a))) {
      seen.add(addressKey(a));
      out.push(a);
    }
  };
  if (primary !== undefined) add(primary);
  for (const e of readEntries(proxies)) if (e.smtp && e.parsed) add(e.parsed.address);
  return out;
}

export function hasAddress(proxies: readonly string[], address: string): boolean {
  return readEntries(proxies).some((e) => e.smtp && e.parsed && sameAddress(e.parsed.address, address));
}

/** Exactly one "SMTP:" afterwards, for `address`; the old primary becomes "smtp:"; an existing
 * entry for `address` (any case) is promoted in place rather than duplicated; non-SMTP entries
 * keep their values and order. Throws AddressError for an invalid address.
 *
 * The new primary is written as given (the revert step must restore the original spelling). When
 * it is new to the list it takes the old primary's position, else it goes last. */
export function makePrimarySmtp(proxies: readonly string[], address: string): string[] {
  const target = requireValidAddress(address);
  const out: string[] = [];
  const seen = new Set<string>();
  let placed = false;
  let oldPrimaryAt = -1;
  for (const e of readEntries(proxies)) {
    if (!e.smtp || !e.parsed) {
      out.push(e.raw);
      continue;
    }
    const key = addressKey(e.parsed.address);
    if (seen.has(key)) continue;
    seen.add(key);
    if (key === addressKey(target)) {
      out.push(`SMTP:${target}`);
      placed = true;
      continue;
    }
    if (e.parsed.isPrimary && oldPrimaryAt < 0) oldPrimaryAt = out.length;
    out.push(`smtp:${e.parsed.address}`);
  }
  if (!placed) out.splice(oldPrimaryAt < 0 ? out.length : oldPrimaryAt, 0, `SMTP:${target}`);
  return out;
}

/** Adds "smtp:<address>" unless the address is already there (any case, primary or not); never
 * adds a primary, even to a list that has none. */
export function addSecondarySmtp(proxies: readonly string[], address: string): string[] {
  const target = requireValidAddress(address);
  return hasAddress(proxies, target) ? [...proxies] : [...proxies, `smtp:${target}`];
}

/** Removes every SMTP entry for `address` (any case). Refuses to remove the primary: a list
 * without one leaves Entra to pick a primary on its own (see emulator/proxyCalculation.ts). */
export function removeSmtp(proxies: readonly string[], address: string): string[] {
  const entries = readEntries(proxies);
  const matches = (e: Entry) => e.smtp && e.parsed !== undefined && sameAddress(e.parsed.address, address);
  if (entries.some((e) => matches(e) && e.parsed?.isPrimary)) {
    throw new AddressError(
      `${address.trim()} is the primary SMTP address; make another address primary before removing it`,
    );
  }
  return entries.filter((e) => !matches(e)).map((e) => e.raw);
}

interface Entry {
  raw: string;
  /** undefined when the value is not "type:address" at all. */
  parsed: ProxyAddress | undefined;
  smtp: boolean;
}

function readEntries(proxies: readonly string[]): Entry[] {
  return proxies.map((raw) => {
    let parsed: ProxyAddress | undefined;
    try {
      parsed = parseProxyAddress(raw);
    } catch (err) {
      if (!(err instanceof AddressError)) throw err;
    }
    return { raw, parsed, smtp: parsed?.type.toLowerCase() === "smtp" };
  });
}

function addressKey(address: string): string {
  return address.trim().toLowerCase();
}

function requireValidAddress(address: string): string {
  const a = address.trim();
  if (!isValidSmtpAddress(a)) throw new AddressError(`"${address}" is not a valid SMTP address`);
  return a;
}
