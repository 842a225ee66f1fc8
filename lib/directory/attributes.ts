// AD's attributes in and out: what to ask for, entries decoded into DirectoryUser/DirectoryGroup
// with the right types, and ExchangeAttributeChanges encoded as the changes of one LDAP modify.
import { Attribute, Change, type Entry } from "ldapts";
import { guidFromBytes, immutableIdFromBytes } from "./guid";
import {
  type DirectoryGroup,
  type DirectoryUser,
  EXCHANGE_ATTRIBUTES,
  type ExchangeAttribute,
  type ExchangeAttributeChanges,
} from "./types";

const EXTENSION_ATTRIBUTES = Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`);

/** Asked for as bytes: ldapts would otherwise try to read them as UTF-8 text. */
export const BINARY_ATTRIBUTES = ["objectGUID"];

export const USER_ATTRIBUTES = [
  "objectGUID",
  "userPrincipalName",
  "sAMAccountName",
  "displayName",
  "givenName",
  "sn",
  ...EXCHANGE_ATTRIBUTES,
  ...EXTENSION_ATTRIBUTES,
  "userAccountControl",
  "uSNChanged",
];

export const GROUP_ATTRIBUTES = [
  "objectGUID",
  "sAMAccountName",
  "displayName",
  "mail",
  "proxyAddresses",
  "member",
  "groupType",
  "uSNChanged",
];

const ACCOUNTDISABLE = 0x2;
const GROUP_TYPE_SECURITY_ENABLED = 0x80000000;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

type Value = string | Buffer;

/** An entry's attributes by lowercase name: servers answer in their own case, not ours. */
class Attributes {
  private readonly byName = new Map<string, Value[]>();

  constructor(readonly entry: Entry) {
    for (const [name, raw] of Object.entries(entry)) {
      if (name !== "dn") {
        this.byName.set(name.toLowerCase(), Array.isArray(raw) ? raw : [raw]);
      }
    }
  }

  all(name: string): string[] {
    return (this.byName.get(name.toLowerCase()) ?? []).map((v) =>
      Buffer.isBuffer(v) ? v.toString("utf8") : v,
    );
  }

  text(name: string): string | undefined {
    return this.all(name)[0];
  }

  bytes(name: string): Buffer | undefined {
    const v = this.byName.get(name.toLowerCase())?.[0];
    // A value that happened to be valid UTF-8 arrives as text; UTF-8 round-trips it exactly.
    return v === undefined ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(v, "utf8");
  }

  /** AD's INTEGER and LARGE_INTEGER values are decimal text; anything else is a directory fault. */
  integer(name: string): number | undefined {
    const v = this.text(name);
    if (v === undefined) {
      return undefined;
    }
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n)) {
      throw new Error(`${name} is "${v}", not an integer JavaScript can hold exactly`);
    }
    return n;
  }

  required<T>(name: string, value: T | undefined): T {
    if (value === undefined) {
      throw new Error(`no ${name} (was it asked for?)`);
    }
    return value;
  }

  /** Attribute names present, in the server's spelling (for ranged values such as member;range=0-1499). */
  names(): string[] {
    return Object.keys(this.entry).filter((k) => k !== "dn");
  }
}

/** The first value of an attribute as text, whatever case the server spelt its name in. */
export function attributeText(entry: Entry, name: string): string | undefined {
  return new Attributes(entry).text(name);
}

function identity(a: Attributes) {
  const guid = a.required("objectGUID", a.bytes("objectGUID"));
  return { dn: a.entry.dn, objectGuid: guidFromBytes(guid), immutableId: immutableIdFromBytes(guid) };
}

export function decodeUser(entry: Entry): DirectoryUser {
  const a = new Attributes(entry);
  const extensionAttributes: Record<string, string> = {};
  for (const name of EXTENSION_ATTRIBUTES) {
    const v = a.text(name);
    if (v !== undefined) {
      extensionAttributes[name] = v;
    }
  }
  const uac = a.required("userAccountControl", a.integer("userAccountControl"));
  return {
    ...identity(a),
    userPrincipalName: a.text("userPrincipalName"),
    samAccountName: a.text("sAMAccountName"),
    displayName: a.text("displayName"),
    givenName: a.text("givenName"),
    surname: a.text("sn"),
    mail: a.text("mail"),
    proxyAddresses: a.all("proxyAddresses"),
    targetAddress: a.text("targetAddress"),
    msExchRecipientDisplayType: a.integer("msExchRecipientDisplayType"),
    msExchRecipientTypeDetails: a.integer("msExchRecipientTypeDetails"),
    msExchRemoteRecipientType: a.integer("msExchRemoteRecipientType"),
    extensionAttributes,
    accountEnabled: (uac & ACCOUNTDISABLE) === 0,
    usnChanged: a.required("uSNChanged", a.integer("uSNChanged")),
  };
}

/** A group; `memberDns` are all its members' DNs, gathered by the caller when AD sent them in ranges. */
export function decodeGroup(entry: Entry, memberDns: string[]): DirectoryGroup {
  const a = new Attributes(entry);
  const groupType = a.required("groupType", a.integer("groupType"));
  return {
    ...identity(a),
    samAccountName: a.text("sAMAccountName"),
    displayName: a.text("displayName"),
    mail: a.text("mail"),
    proxyAddresses: a.all("proxyAddresses"),
    memberDns,
    // groupType is a signed 32-bit value: the flag is its sign bit.
    securityEnabled: ((groupType >>> 0) & GROUP_TYPE_SECURITY_ENABLED) !== 0,
    usnChanged: a.required("uSNChanged", a.integer("uSNChanged")),
  };
}

/**
 * A multi-valued attribute's values in this entry, and where to continue when AD sent only a range
 * of them: beyond MaxValRange (1,500) values AD answers "member;range=0-1499" instead of "member",
 * and the rest must be asked for as "member;range=1500-*" until a range ends in "*".
 */
export function rangedValues(entry: Entry, name: string): { values: string[]; nextStart?: number } {
  const a = new Attributes(entry);
  const prefix = `${name.toLowerCase()};range=`;
  for (const key of a.names()) {
    if (key.toLowerCase().startsWith(prefix)) {
      const [, end] = key.slice(prefix.length).split("-");
      return { values: a.all(key), nextStart: end === "*" ? undefined : Number(end) + 1 };
    }
  }
  return { values: a.all(name) };
}

/** NUL and the other C0 controls: no address has them, and a NUL cuts a value short in Samba. */
export function hasControlCharacter(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  return /[\u0000-\u001f\u007f]/.test(text);
}

function checkText(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new Error(`${name} must be a non-empty string, or null to clear it`);
  }
  if (hasControlCharacter(value)) {
    throw new Error(`${name} ${JSON.stringify(value)} has a control character`);
  }
  return value;
}

function encodeValues(name: ExchangeAttribute, value: unknown): string[] {
  if (value === null) {
    return [];
  }
  switch (name) {
    case "proxyAddresses": {
      if (!Array.isArray(value)) {
        throw new Error("proxyAddresses must be an array of strings, or null to clear it");
      }
      const seen = new Map<string, string>();
      for (const v of value) {
        checkText("each proxyAddresses value", v);
        // AD compares these values without case and refuses such a pair (Samba does not).
        const earlier = seen.get(v.toLowerCase());
        if (earlier !== undefined) {
          throw new Error(`proxyAddresses has "${earlier}" and "${v}", the same address to AD`);
        }
        seen.set(v.toLowerCase(), v);
      }
      return [...value];
    }
    case "mail":
    case "targetAddress":
      return [checkText(name, value)];
    default: {
      // msExchRecipientDisplayType is INTEGER (32-bit signed); the other two are LARGE_INTEGER.
      const int32 = name === "msExchRecipientDisplayType";
      if (
        typeof value !== "number" ||
        !Number.isSafeInteger(value) ||
        (int32 && (value < INT32_MIN || value > INT32_MAX))
      ) {
        throw new Error(
          `${name} must be ${int32 ? "a 32-bit signed integer" : "a safe integer"}, or null to clear it`,
        );
      }
      return [String(value)];
    }
  }
}

/**
 * The changes of one modify. Every attribute given is replaced; a replace without values clears
 * it, and unlike a delete (noSuchAttribute, 16) does so also when it is already absent.
 */
export function exchangeChanges(changes: ExchangeAttributeChanges): Change[] {
  const result: Change[] = [];
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) {
      continue;
    }
    if (name === "extensionAttributes") {
      for (const [ext, v] of Object.entries(value as Record<string, string | null | undefined>)) {
        if (v === undefined) continue;
        if (!EXTENSION_ATTRIBUTES.includes(ext)) {
          throw new Error(`${ext} is not an extension attribute (extensionAttribute1..15)`);
        }
        const values = v === null ? [] : [checkText(ext, v)];
        result.push(new Change({ operation: "replace", modification: new Attribute({ type: ext, values }) }));
      }
      continue;
    }
    if (!(EXCHANGE_ATTRIBUTES as readonly string[]).includes(name)) {
      throw new Error(`${name} is not an attribute this client writes (${EXCHANGE_ATTRIBUTES.join(", ")})`);
    }
    const values = encodeValues(name as ExchangeAttribute, value);
    result.push(new Change({ operation: "replace", modification: new Attribute({ type: name, values }) }));
  }
  return result;
}
