// Entra ID's proxy calculation for users synced from AD: how the on-premises mail and
// proxyAddresses become the cloud user's mail, mailNickname and proxyAddresses. The emulator's
// Entra Connect sync engine calls it when projecting an on-premises user into a tenant.
//
// Sources: Microsoft's "How the proxyAddresses attribute is populated in Microsoft Entra ID"
// (KB 3190357, "the KB" below; learn.microsoft.com/troubleshoot/entra/entra-id/user-prov-sync/
// proxyaddresses-attribute-populate), graph-facts.md "Proxy calculation", and seed 000 (the B2B
// reach-back playbook: the three conditions that trigger proxy scrubbing).
// Anything marked (unv) is our reading, not confirmed by a source.
//
// Not modelled: the calculation is stateless, whereas Entra keeps history (the KB's scenarios 3
// and 4 keep an old mailNickname and MOERA after on-premises changes), and cross-object
// uniqueness (the KB's scenario 6 appends four random digits to a MOERA already in use); the sync
// engine owns both.
//
// The emulator reads addresses with its own small parser below, not the product's
// lib/addresses algebra: a bug there must not be mirrored here.

export interface ProxyCalculationInput {
  userPrincipalName: string;
  /** On-premises mail. */
  mail?: string;
  /** On-premises proxyAddresses. */
  proxyAddresses: readonly string[];
  /** On-premises mailNickname. Unset: the local part of the calculated primary SMTP address,
   * else of the UPN (the KB's scenarios 1–3). */
  mailNickname?: string;
  /** Domains verified in the tenant (e.g. fabrikam.example). A sub-domain counts only when listed
   * itself: Graph's "Create domain" says a sub-domain of a verified root is verified automatically
   * once added to the tenant, and nothing says proxy calculation accepts one that is not (unv). */
  verifiedDomains: readonly string[];
  /** The initial (MOERA) domain, e.g. fabrikam.onmicrosoft.com; always verified. */
  initialDomain: string;
  /** Any of seed 000's three triggers: remote mailbox in AD, mailbox in Exchange Online, or an
   * enabled Exchange Online (or add-on) service plan. */
  scrubbingTriggered: boolean;
  /** An enabled Exchange Online plan (adds MOERA and UPN as secondaries). Implies scrubbing: the
   * KB removes non-verified domains "if the user is assigned an Exchange Online license". */
  exchangeLicensed: boolean;
}

export interface ProxyCalculationResult {
  /** The primary SMTP address, or null when the user has no SMTP address at all. */
  mail: string | null;
  mailNickname: string;
  /** "SMTP:<primary>" first, then the surviving on-premises values in their order, then MOERA and
   * UPN. Entra treats the list as a set; the order only makes results easy to read. */
  proxyAddresses: string[];
  /** Every on-premises value (and every address Entra would have added) left out, with a reason
   * that reads after "because", e.g. "… was scrubbed because <reason>". */
  removed: Array<{ value: string; reason: string }>;
}

// The KB: "Discard on-premises addresses that have a reserved domain suffix, e.g. @*.onmicrosoft.com,
// @*.microsoftonline.com" — its scenario 3 discards one in the tenant's own initial domain too.
const RESERVED_DOMAINS = ["onmicrosoft.com", "microsoftonline.com"];

// The KB: "Discard on-premises ProxyAddresses with legacy protocols like MSMAIL, X400, etc". We
// add "MS" (the prefix Exchange writes for MS Mail) and the CCMAIL, NOTES and GWISE connector
// types (unv).
const LEGACY_TYPES = new Set(["x400", "msmail", "ms", "ccmail", "notes", "gwise"]);

/** A surviving on-premises value; `key` (lower-cased address, or whole value for other types)
 * de-duplicates. `primary`: it came from an "SMTP:" entry. */
type Kept = { key: string; smtp: string; primary: boolean } | { key: string; other: string };

export function calculateProxyAddresses(input: ProxyCalculationInput): ProxyCalculationResult {
  const removed: ProxyCalculationResult["removed"] = [];
  const scrubbing = input.scrubbingTriggered || input.exchangeLicensed;
  const verified = new Set([...input.verifiedDomains, input.initialDomain].map(normalDomain));
  const scrubbedWhy = input.exchangeLicensed
    ? "an enabled Exchange Online service plan"
    : "a remote mailbox, an Exchange Online mailbox, or an Exchange Online or add-on service plan";

  const whyNotSmtp = (address: string, onPremises: boolean): string | undefined => {
    if (!isValidSmtpAddress(address)) {
      return `"${address}" is not a valid SMTP address (Entra ID discards malformed addresses, e.g. with a space or another invalid character)`;
    }
    const domain = domainOf(address);
    if (onPremises && RESERVED_DOMAINS.some((r) => domain === r || domain.endsWith(`.${r}`))) {
      return `its domain ${domain} is reserved by Microsoft (*.onmicrosoft.com, *.microsoftonline.com are never taken from on-premises)`;
    }
    if (scrubbing && !verified.has(domain)) {
      return `its domain ${domain} is not verified in the tenant and proxy scrubbing applies to the user (${scrubbedWhy})`;
    }
    return undefined;
  };

  // On-premises proxyAddresses, in order.
  const kept: Kept[] = [];
  const droppedPrimaries: number[] = [];
  for (const value of input.proxyAddresses) {
    const parsed = readProxyValue(value);
    if (parsed === undefined) {
      removed.push({
        value,
        reason:
          value.trim() === ""
            ? "it is empty"
            : 'it has no address type prefix such as "SMTP:", and Entra ID discards such malformed values',
      });
      continue;
    }
    const type = parsed.type.toLowerCase();
    if (type !== "smtp") {
      if (LEGACY_TYPES.has(type)) {
        removed.push({ value, reason: `${parsed.type} is a legacy address type Entra ID discards` });
        continue;
      }
      // Types other than SMTP are kept as written; whether Entra scrubs SIP or other addresses in
      // unverified domains is not documented (unv): we keep them.
      const other = `${parsed.type}:${parsed.address}`;
      const twin = kept.find((k) => k.key === other.toLowerCase());
      if (twin && "other" in twin) {
        removed.push({ value, reason: `it duplicates ${twin.other} (unv: compared without case)` });
      } else kept.push({ key: other.toLowerCase(), other });
      continue;
    }
    const why = whyNotSmtp(parsed.address, true);
    if (why !== undefined) {
      if (parsed.isPrimary) droppedPrimaries.push(removed.length);
      removed.push({ value, reason: why });
      continue;
    }
    const key = parsed.address.toLowerCase();
    const twin = kept.find((k) => k.key === key);
    if (twin && "smtp" in twin) {
      // A case-only twin of the "SMTP:" entry still marks the address as the primary.
      twin.primary ||= parsed.isPrimary;
      removed.push({ value, reason: `it duplicates ${twin.smtp} (addresses compare without case)` });
      continue;
    }
    kept.push({ key, smtp: parsed.address, primary: parsed.isPrimary });
  }

  // On-premises mail.
  const onPremMail = input.mail?.trim() || undefined;
  let usableMail: string | undefined;
  if (onPremMail !== undefined) {
    const why = whyNotSmtp(onPremMail, true);
    if (why === undefined) usableMail = onPremMail;
    else removed.push({ value: input.mail ?? "", reason: why });
  }

  const upn = input.userPrincipalName.trim();
  const whyNotUpn = input.exchangeLicensed ? whyNotSmtp(upn, false) : undefined;
  const upnUsable = input.exchangeLicensed && whyNotUpn === undefined;

  // The primary: the KB and graph-facts give SMTP: entry, else mail, else the UPN when Exchange
  // licensed. When those were dropped we keep walking (unv): the first surviving secondary, then
  // the MOERA (the KB's scenario 4 promotes the MOERA when the UPN-based primary goes away).
  const smtpKept = kept.flatMap((k) => ("smtp" in k ? [k] : []));
  let primary = smtpKept.find((k) => k.primary)?.smtp ?? usableMail;
  if (primary === undefined && upnUsable) primary = upn;
  primary ??= smtpKept[0]?.smtp;

  const mailNickname = input.mailNickname?.trim() || localPart(primary ?? upn);
  const initialDomain = input.initialDomain.trim();
  const moera = `${mailNickname}@${initialDomain}`;
  const moeraUsable = isValidSmtpAddress(moera);
  if (primary === undefined && input.exchangeLicensed && moeraUsable) primary = moera;

  // Entra takes mail from the primary SMTP address; seed 000: "changing the mail attribute alone
  // is not sufficient". Whether a different on-premises mail is added as a secondary is not
  // documented (unv): it is not.
  if (
    usableMail !== undefined &&
    !sameText(usableMail, primary) &&
    !smtpKept.some((k) => sameText(k.smtp, usableMail))
  ) {
    removed.push({
      value: input.mail ?? "",
      reason: `the primary SMTP address ${primary} comes from proxyAddresses, and Entra ID sets mail from the primary SMTP address only`,
    });
  }
  for (const i of droppedPrimaries) {
    removed[i].reason +=
      primary === undefined
        ? "; it was the primary SMTP address and the user is left without one"
        : `; it was the primary SMTP address, so ${primary} is primary instead`;
  }

  const out: string[] = [];
  const seen = new Set<string>();
  const emit = (key: string, value: string) => {
    if (!seen.has(key)) {
      seen.add(key);
      out.push(value);
    }
  };
  if (primary !== undefined) emit(primary.toLowerCase(), `SMTP:${primary}`);
  for (const k of kept) emit(k.key, "smtp" in k ? `smtp:${k.smtp}` : k.other);
  if (input.exchangeLicensed) {
    // The KB: an Exchange-licensed user gets the MOERA (mailNickname@initial domain) and the UPN
    // as secondaries.
    if (moeraUsable) emit(moera.toLowerCase(), `smtp:${moera}`);
    else
      removed.push({
        value: `smtp:${moera}`,
        reason: `mailNickname "${mailNickname}" does not form a valid address (unv)`,
      });
    if (upnUsable) emit(upn.toLowerCase(), `smtp:${upn}`);
    else removed.push({ value: `smtp:${upn}`, reason: `the UPN cannot be added: ${whyNotUpn}` });
  }
  return { mail: primary ?? null, mailNickname, proxyAddresses: out, removed };
}

function normalDomain(domain: string): string {
  return domain.trim().toLowerCase();
}

function localPart(address: string): string {
  const at = address.lastIndexOf("@");
  return at < 0 ? address : address.slice(0, at);
}

function sameText(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** One on-premises proxyAddresses value as Entra reads it: "<type>:<address>", the type starting
 * with a letter; an all upper-case type marks the primary of its type (Exchange's convention, the
 * KB's "SMTP:" vs "smtp:"). Undefined when the value has no such prefix or no address. */
function readProxyValue(value: string): { type: string; address: string; isPrimary: boolean } | undefined {
  const match = /^([A-Za-z][A-Za-z0-9_-]*):(.*)$/s.exec(value.trim());
  const address = match?.[2].trim();
  if (!match || !address) return undefined;
  const type = match[1];
  return { type, address, isPrimary: type === type.toUpperCase() };
}

// What Exchange Online takes as an SMTP address (unv in its details): a dot-atom local part of at
// most 64 characters (RFC 5322 atext), "@", and a DNS name of two or more labels whose last label
// is not all digits; 254 characters at most. No quoted local parts or address literals.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL = new RegExp(`^${ATEXT}(\\.${ATEXT})*$`);
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;

function isValidSmtpAddress(address: string): boolean {
  const at = address.lastIndexOf("@");
  if (address.length > 254 || at < 1) return false;
  const local = address.slice(0, at);
  const labels = address.slice(at + 1).split(".");
  return (
    local.length <= 64 &&
    LOCAL.test(local) &&
    labels.length >= 2 &&
    labels.every((l) => l.length <= 63 && LABEL.test(l)) &&
    !/^\d+$/.test(labels[labels.length - 1])
  );
}

/** The domain of an address, lower-cased ("" when it has none). */
function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}
