// Windows security descriptors as AD returns them in nTSecurityDescriptor: the self-relative
// SECURITY_DESCRIPTOR of MS-DTYP 2.4.6, with its SIDs (2.4.2), ACLs (2.4.5) and ACEs (2.4.4).
// The four ACE types delegation needs (allow, deny, and their object variants) are decoded; every
// other type (audit, callback, mandatory label ...) is kept as bytes and written back as read, so
// a descriptor read from a DC and written back unchanged is the same bytes.
import { guidFromBytes, guidToBytes, isGuid } from "./guid";

/** SECURITY_DESCRIPTOR_CONTROL bits (MS-DTYP 2.4.6). */
export const SE_OWNER_DEFAULTED = 0x0001;
export const SE_GROUP_DEFAULTED = 0x0002;
export const SE_DACL_PRESENT = 0x0004;
export const SE_DACL_DEFAULTED = 0x0008;
export const SE_SACL_PRESENT = 0x0010;
export const SE_SACL_DEFAULTED = 0x0020;
export const SE_DACL_AUTO_INHERIT_REQ = 0x0100;
export const SE_SACL_AUTO_INHERIT_REQ = 0x0200;
export const SE_DACL_AUTO_INHERITED = 0x0400;
export const SE_SACL_AUTO_INHERITED = 0x0800;
export const SE_DACL_PROTECTED = 0x1000;
export const SE_SACL_PROTECTED = 0x2000;
export const SE_RM_CONTROL_VALID = 0x4000;
export const SE_SELF_RELATIVE = 0x8000;

/** ACE header flags (AceFlags, MS-DTYP 2.4.4.1). */
export const OBJECT_INHERIT_ACE = 0x01;
export const CONTAINER_INHERIT_ACE = 0x02;
export const NO_PROPAGATE_INHERIT_ACE = 0x04;
export const INHERIT_ONLY_ACE = 0x08;
export const INHERITED_ACE = 0x10;
export const SUCCESSFUL_ACCESS_ACE_FLAG = 0x40;
export const FAILED_ACCESS_ACE_FLAG = 0x80;

/** Access rights of directory objects (ADS_RIGHTS_ENUM; MS-ADTS 5.1.3.2). */
export const ADS_RIGHT_CREATE_CHILD = 0x1;
export const ADS_RIGHT_DELETE_CHILD = 0x2;
export const ADS_RIGHT_LIST = 0x4;
export const ADS_RIGHT_SELF = 0x8;
export const ADS_RIGHT_READ_PROP = 0x10;
export const ADS_RIGHT_WRITE_PROP = 0x20;
export const ADS_RIGHT_DELETE_TREE = 0x40;
export const ADS_RIGHT_LIST_OBJECT = 0x80;
export const ADS_RIGHT_CONTROL_ACCESS = 0x100;
export const ADS_RIGHT_DELETE = 0x10000;
export const ADS_RIGHT_READ_CONTROL = 0x20000;
export const ADS_RIGHT_WRITE_DAC = 0x40000;
export const ADS_RIGHT_WRITE_OWNER = 0x80000;
export const ADS_RIGHT_SYNCHRONIZE = 0x100000;
export const ADS_RIGHT_ACCESS_SYSTEM_SECURITY = 0x1000000;
export const ADS_RIGHT_GENERIC_ALL = 0x10000000;
export const ADS_RIGHT_GENERIC_EXECUTE = 0x20000000;
export const ADS_RIGHT_GENERIC_WRITE = 0x40000000;
export const ADS_RIGHT_GENERIC_READ = 0x80000000;

/** AclRevision: ACL_REVISION for ACLs of plain ACEs, ACL_REVISION_DS once there are object ACEs. */
export const ACL_REVISION = 2;
export const ACL_REVISION_DS = 4;

/** AceType values (MS-DTYP 2.4.4.1); the first four are decoded, the rest kept as bytes. */
export const ACE_TYPE_ACCESS_ALLOWED = 0x00;
export const ACE_TYPE_ACCESS_DENIED = 0x01;
export const ACE_TYPE_SYSTEM_AUDIT = 0x02;
export const ACE_TYPE_ACCESS_ALLOWED_OBJECT = 0x05;
export const ACE_TYPE_ACCESS_DENIED_OBJECT = 0x06;
export const ACE_TYPE_SYSTEM_AUDIT_OBJECT = 0x07;

const ACE_OBJECT_TYPE_PRESENT = 0x1;
const ACE_INHERITED_OBJECT_TYPE_PRESENT = 0x2;

/** ACCESS_ALLOWED_ACE or ACCESS_DENIED_ACE. */
export interface AccessAce {
  type: typeof ACE_TYPE_ACCESS_ALLOWED | typeof ACE_TYPE_ACCESS_DENIED;
  /** AceFlags: OBJECT_INHERIT_ACE, CONTAINER_INHERIT_ACE, ... */
  flags: number;
  /** ACCESS_MASK: ADS_RIGHT_* bits, unsigned. */
  mask: number;
  /** "S-1-5-21-..." */
  sid: string;
  objectType?: undefined;
  inheritedObjectType?: undefined;
  /** Bytes AceSize covers after the SID: MS-DTYP allows them and nobody reads them; kept so the
   * ACE is written back as it was read. */
  extra?: Buffer;
  body?: undefined;
}

/** ACCESS_ALLOWED_OBJECT_ACE or ACCESS_DENIED_OBJECT_ACE: the right applies to one attribute,
 * property set, class (create/delete child) or extended right, and/or is inherited only by objects
 * of one class. */
export interface ObjectAce {
  type: typeof ACE_TYPE_ACCESS_ALLOWED_OBJECT | typeof ACE_TYPE_ACCESS_DENIED_OBJECT;
  flags: number;
  mask: number;
  /** Lower-case GUID: the schemaIDGUID of an attribute or class, or a property set or extended
   * right's rightsGuid; absent: the right applies to the object as a whole. */
  objectType?: string;
  /** Lower-case GUID of the class of the objects that inherit the ACE; absent: every class. */
  inheritedObjectType?: string;
  sid: string;
  extra?: Buffer;
  body?: undefined;
}

/** Any other ACE (audit, callback, mandatory label ...), kept as read: `body` tells it apart. */
export interface RawAce {
  /** AceType, e.g. ACE_TYPE_SYSTEM_AUDIT_OBJECT. */
  type: number;
  flags: number;
  /** The ACE after its 4-byte header. */
  body: Buffer;
  mask?: undefined;
  sid?: undefined;
  objectType?: undefined;
  inheritedObjectType?: undefined;
}

export type Ace = AccessAce | ObjectAce | RawAce;

export function isRawAce(ace: Ace): ace is RawAce {
  return ace.body !== undefined;
}

/** An allow or deny ACE, plain or object. */
export function isAccessAce(ace: Ace): ace is AccessAce | ObjectAce {
  return ace.body === undefined;
}

export function isAllowAce(ace: Ace): ace is AccessAce | ObjectAce {
  return (
    ace.body === undefined &&
    (ace.type === ACE_TYPE_ACCESS_ALLOWED || ace.type === ACE_TYPE_ACCESS_ALLOWED_OBJECT)
  );
}

export function isObjectAce(ace: Ace): ace is ObjectAce {
  return (
    ace.body === undefined &&
    (ace.type === ACE_TYPE_ACCESS_ALLOWED_OBJECT || ace.type === ACE_TYPE_ACCESS_DENIED_OBJECT)
  );
}

export interface Acl {
  /** ACL_REVISION (2) or ACL_REVISION_DS (4). */
  revision: number;
  aces: Ace[];
}

export type SecurityDescriptorPart = "owner" | "group" | "sacl" | "dacl";

/** Where the parts of a self-relative descriptor are laid out when nothing says otherwise: the
 * order Samba writes them in. */
const DEFAULT_LAYOUT: SecurityDescriptorPart[] = ["owner", "group", "sacl", "dacl"];

export interface SecurityDescriptor {
  /** SE_* control bits, written back as given: with a DACL, SE_DACL_PRESENT must be among them. */
  control: number;
  /** Sbz1: resource-manager control bits, only with SE_RM_CONTROL_VALID; absent when 0. */
  rmControl?: number;
  owner?: string;
  group?: string;
  sacl?: Acl;
  /** Absent with SE_DACL_PRESENT is a NULL DACL, which lets everyone do everything; absent
   * without it: no DACL was asked for (or none is there). */
  dacl?: Acl;
  /** The order of the parts in the bytes read, when it is not owner, group, SACL, DACL (Windows
   * writes SACL, DACL, owner, group), so that serializing gives the same bytes. */
  layout?: SecurityDescriptorPart[];
}

export class SecurityDescriptorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecurityDescriptorError";
  }
}

function fail(message: string): never {
  throw new SecurityDescriptorError(message);
}

// SIDs (MS-DTYP 2.4.2): revision 1, up to 15 sub-authorities, a 48-bit big-endian authority and
// little-endian 32-bit sub-authorities.

const MAX_SUB_AUTHORITIES = 15;
const SID_PATTERN = /^S-1-(\d+|0x[0-9a-f]{12})((?:-\d+){0,15})$/i;

/** The length of the SID starting at `offset`, or why it does not fit before `end`. */
function sidLength(bytes: Buffer, offset: number, end: number, what: string): number {
  if (offset + 8 > end) {
    fail(
      `${what}: the SID at offset ${offset} runs past the end of its ${end === bytes.length ? "buffer" : "ACE"}`,
    );
  }
  const revision = bytes[offset];
  const count = bytes[offset + 1];
  if (revision !== 1) fail(`${what}: the SID at offset ${offset} has revision ${revision}, not 1`);
  if (count > MAX_SUB_AUTHORITIES) {
    fail(`${what}: the SID at offset ${offset} has ${count} sub-authorities (at most 15)`);
  }
  const length = 8 + 4 * count;
  if (offset + length > end) {
    fail(
      `${what}: the SID at offset ${offset} runs past the end of its ${end === bytes.length ? "buffer" : "ACE"}`,
    );
  }
  return length;
}

function readSid(
  bytes: Buffer,
  offset: number,
  what: string,
  end = bytes.length,
): { sid: string; length: number } {
  const length = sidLength(bytes, offset, end, what);
  const count = bytes[offset + 1];
  const authority = bytes.readUIntBE(offset + 2, 6);
  // MS-DTYP 2.4.2.1: decimal below 2^32, else 0x and twelve hex digits.
  const authorityText =
    authority < 2 ** 32 ? String(authority) : `0x${authority.toString(16).toUpperCase().padStart(12, "0")}`;
  const subs: number[] = [];
  for (let i = 0; i < count; i++) {
    subs.push(bytes.readUInt32LE(offset + 8 + 4 * i));
  }
  return { sid: ["S-1", authorityText, ...subs].join("-"), length };
}

export function isSid(text: string): boolean {
  const m = SID_PATTERN.exec(text);
  if (!m) return false;
  const authority = m[1].toLowerCase().startsWith("0x") ? Number.parseInt(m[1].slice(2), 16) : Number(m[1]);
  const subs = m[2] ? m[2].slice(1).split("-").map(Number) : [];
  return authority < 2 ** 48 && subs.every((s) => s < 2 ** 32);
}

/** The SID's binary form (objectSid, and inside descriptors). */
export function sidToBytes(sid: string): Buffer {
  if (typeof sid !== "string" || !isSid(sid)) {
    fail(`"${sid}" is not a SID (expected S-1-5-21-...)`);
  }
  const [, authorityText, ...subs] = sid.slice(2).split("-");
  const authority = authorityText.toLowerCase().startsWith("0x")
    ? Number.parseInt(authorityText.slice(2), 16)
    : Number(authorityText);
  const bytes = Buffer.alloc(8 + 4 * subs.length);
  bytes[0] = 1;
  bytes[1] = subs.length;
  bytes.writeUIntBE(authority, 2, 6);
  subs.forEach((s, i) => {
    bytes.writeUInt32LE(Number(s), 8 + 4 * i);
  });
  return bytes;
}

/** "S-1-5-21-..." from a SID's bytes (objectSid); the whole buffer must be the SID. */
export function sidFromBytes(bytes: Buffer): string {
  const { sid, length } = readSid(bytes, 0, "objectSid");
  if (length !== bytes.length) fail(`objectSid has ${bytes.length} bytes, its SID ${length}`);
  return sid;
}

/** The same SID in the spelling this module writes (upper-case S and hex authority). */
export function normalizeSid(sid: string): string {
  return readSid(sidToBytes(sid), 0, "SID").sid;
}

// ACEs (MS-DTYP 2.4.4): a 4-byte header (AceType, AceFlags, AceSize), then per type.

function readAce(bytes: Buffer, offset: number, end: number, what: string): { ace: Ace; size: number } {
  if (offset + 4 > end) fail(`${what}: an ACE header at offset ${offset} runs past the ACL's end`);
  const aceType = bytes[offset];
  const flags = bytes[offset + 1];
  const size = bytes.readUInt16LE(offset + 2);
  if (size < 4 || offset + size > end) {
    fail(`${what}: the ACE at offset ${offset} has size ${size}, which does not fit the ACL`);
  }
  const aceEnd = offset + size;
  const raw = (): { ace: Ace; size: number } => ({
    ace: { type: aceType, flags, body: Buffer.from(bytes.subarray(offset + 4, aceEnd)) },
    size,
  });
  const withExtra = <T extends AccessAce | ObjectAce>(ace: T, sidEnd: number): { ace: Ace; size: number } => {
    if (sidEnd < aceEnd) ace.extra = Buffer.from(bytes.subarray(sidEnd, aceEnd));
    return { ace, size };
  };
  switch (aceType) {
    case ACE_TYPE_ACCESS_ALLOWED:
    case ACE_TYPE_ACCESS_DENIED: {
      if (size < 16) fail(`${what}: the ACE at offset ${offset} is too short (${size} bytes) for its type`);
      const mask = bytes.readUInt32LE(offset + 4);
      const { sid, length } = readSid(bytes, offset + 8, what, aceEnd);
      return withExtra<AccessAce>({ type: aceType, flags, mask, sid }, offset + 8 + length);
    }
    case ACE_TYPE_ACCESS_ALLOWED_OBJECT:
    case ACE_TYPE_ACCESS_DENIED_OBJECT: {
      if (size < 20) fail(`${what}: the ACE at offset ${offset} is too short (${size} bytes) for its type`);
      const mask = bytes.readUInt32LE(offset + 4);
      const objectFlags = bytes.readUInt32LE(offset + 8);
      if (objectFlags & ~(ACE_OBJECT_TYPE_PRESENT | ACE_INHERITED_OBJECT_TYPE_PRESENT)) {
        // Undefined bits: kept as read rather than guessed at.
        return raw();
      }
      let at = offset + 12;
      const guid = (): string => {
        if (at + 16 > aceEnd) fail(`${what}: the object ACE at offset ${offset} ends inside a GUID`);
        const g = guidFromBytes(bytes.subarray(at, at + 16));
        at += 16;
        return g;
      };
      const ace: ObjectAce = { type: aceType, flags, mask, sid: "" };
      if (objectFlags & ACE_OBJECT_TYPE_PRESENT) ace.objectType = guid();
      if (objectFlags & ACE_INHERITED_OBJECT_TYPE_PRESENT) ace.inheritedObjectType = guid();
      const { sid, length } = readSid(bytes, at, what, aceEnd);
      ace.sid = sid;
      return withExtra(ace, at + length);
    }
    default:
      return raw();
  }
}

function aceBytes(ace: Ace): Buffer {
  let body: Buffer;
  if (isRawAce(ace)) {
    body = ace.body;
  } else if (ace.type === ACE_TYPE_ACCESS_ALLOWED || ace.type === ACE_TYPE_ACCESS_DENIED) {
    const mask = Buffer.alloc(4);
    mask.writeUInt32LE(checkMask(ace.mask));
    body = Buffer.concat([mask, sidToBytes(ace.sid), ace.extra ?? Buffer.alloc(0)]);
  } else if (ace.type === ACE_TYPE_ACCESS_ALLOWED_OBJECT || ace.type === ACE_TYPE_ACCESS_DENIED_OBJECT) {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(checkMask(ace.mask), 0);
    const guids: Buffer[] = [];
    let objectFlags = 0;
    if (ace.objectType !== undefined) {
      objectFlags |= ACE_OBJECT_TYPE_PRESENT;
      guids.push(guidBytes(ace.objectType));
    }
    if (ace.inheritedObjectType !== undefined) {
      objectFlags |= ACE_INHERITED_OBJECT_TYPE_PRESENT;
      guids.push(guidBytes(ace.inheritedObjectType));
    }
    head.writeUInt32LE(objectFlags, 4);
    body = Buffer.concat([head, ...guids, sidToBytes(ace.sid), ace.extra ?? Buffer.alloc(0)]);
  } else {
    fail(`ACE type ${(ace as Ace).type} has no decoded form: give its bytes as body`);
  }
  if (!Number.isInteger(ace.type) || ace.type < 0 || ace.type > 0xff)
    fail(`ACE type ${ace.type} is not a byte`);
  const size = 4 + body.length;
  if (size > 0xffff) fail(`an ACE of ${size} bytes does not fit AceSize`);
  if (!Number.isInteger(ace.flags) || ace.flags < 0 || ace.flags > 0xff) {
    fail(`ACE flags ${ace.flags} are not a byte`);
  }
  const header = Buffer.alloc(4);
  header[0] = ace.type;
  header[1] = ace.flags;
  header.writeUInt16LE(size, 2);
  return Buffer.concat([header, body]);
}

/** One ACE's bytes (MS-DTYP 2.4.4): an entry recorded this way is written back exactly. */
export function aceToBytes(ace: Ace): Buffer {
  return aceBytes(ace);
}

/** The ACE whose bytes `bytes` are, all of them. */
export function aceFromBytes(bytes: Buffer): Ace {
  const { ace, size } = readAce(bytes, 0, bytes.length, "ACE");
  if (size !== bytes.length) fail(`an ACE of ${size} bytes was given ${bytes.length}`);
  return ace;
}

function checkMask(mask: number): number {
  if (!Number.isInteger(mask) || mask < 0 || mask > 0xffffffff) {
    fail(`access mask ${mask} is not an unsigned 32-bit integer`);
  }
  return mask;
}

function guidBytes(guid: string): Buffer {
  if (!isGuid(guid)) fail(`"${guid}" is not a GUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
  return guidToBytes(guid);
}

// ACLs (MS-DTYP 2.4.5): AclRevision, Sbz1, AclSize, AceCount, Sbz2, then the ACEs.

function readAcl(bytes: Buffer, offset: number, what: string): { acl: Acl; size: number } {
  if (offset + 8 > bytes.length)
    fail(`${what} at offset ${offset} runs past the end (${bytes.length} bytes)`);
  const revision = bytes[offset];
  const size = bytes.readUInt16LE(offset + 2);
  const count = bytes.readUInt16LE(offset + 4);
  if (revision !== ACL_REVISION && revision !== ACL_REVISION_DS) {
    fail(`${what} has revision ${revision} (expected ${ACL_REVISION} or ${ACL_REVISION_DS})`);
  }
  if (size < 8 || offset + size > bytes.length) {
    fail(`${what} at offset ${offset} has size ${size}, which does not fit the ${bytes.length} bytes`);
  }
  const end = offset + size;
  const aces: Ace[] = [];
  let at = offset + 8;
  for (let i = 0; i < count; i++) {
    const { ace, size: aceSize } = readAce(bytes, at, end, `${what}, ACE ${i}`);
    aces.push(ace);
    at += aceSize;
  }
  return { acl: { revision, aces }, size };
}

function aclBytes(acl: Acl): Buffer {
  if (acl.revision !== ACL_REVISION && acl.revision !== ACL_REVISION_DS) {
    fail(`ACL revision ${acl.revision} is neither ${ACL_REVISION} nor ${ACL_REVISION_DS}`);
  }
  const aces = acl.aces.map(aceBytes);
  const size = 8 + aces.reduce((n, a) => n + a.length, 0);
  if (size > 0xffff) fail(`an ACL of ${size} bytes does not fit AclSize (64 KiB at most)`);
  if (acl.aces.length > 0xffff) fail(`${acl.aces.length} ACEs do not fit AceCount`);
  const header = Buffer.alloc(8);
  header[0] = acl.revision;
  header.writeUInt16LE(size, 2);
  header.writeUInt16LE(acl.aces.length, 4);
  return Buffer.concat([header, ...aces]);
}

// The descriptor: Revision, Sbz1, Control, then the offsets of owner, group, SACL and DACL
// (0: absent), each part somewhere after the 20-byte header.

const HEADER_SIZE = 20;

export function parseSecurityDescriptor(bytes: Buffer): SecurityDescriptor {
  if (!Buffer.isBuffer(bytes) || bytes.length < HEADER_SIZE) {
    fail(`a security descriptor has at least ${HEADER_SIZE} bytes, not ${bytes?.length}`);
  }
  if (bytes[0] !== 1) fail(`security descriptor revision ${bytes[0]}, not 1`);
  const control = bytes.readUInt16LE(2);
  if (!(control & SE_SELF_RELATIVE)) {
    fail("the security descriptor is not self-relative (SE_SELF_RELATIVE is not set)");
  }
  const offsets: Record<SecurityDescriptorPart, number> = {
    owner: bytes.readUInt32LE(4),
    group: bytes.readUInt32LE(8),
    sacl: bytes.readUInt32LE(12),
    dacl: bytes.readUInt32LE(16),
  };
  const sd: SecurityDescriptor = { control };
  if (bytes[1] !== 0) sd.rmControl = bytes[1];
  for (const [part, offset] of Object.entries(offsets) as [SecurityDescriptorPart, number][]) {
    if (offset === 0) continue;
    if (offset < HEADER_SIZE) fail(`the ${part} offset ${offset} points into the header`);
    if (part === "owner" || part === "group") {
      sd[part] = readSid(bytes, offset, `the ${part}`).sid;
    } else {
      sd[part] = readAcl(bytes, offset, part === "dacl" ? "the DACL" : "the SACL").acl;
    }
  }
  const layout = (Object.keys(offsets) as SecurityDescriptorPart[])
    .filter((p) => offsets[p] !== 0)
    .sort((a, b) => offsets[a] - offsets[b]);
  if (layout.join() !== DEFAULT_LAYOUT.filter((p) => layout.includes(p)).join()) sd.layout = layout;
  return sd;
}

export function serializeSecurityDescriptor(sd: SecurityDescriptor): Buffer {
  if (!Number.isInteger(sd.control) || sd.control < 0 || sd.control > 0xffff) {
    fail(`security descriptor control ${sd.control} is not a 16-bit value`);
  }
  const rm = sd.rmControl ?? 0;
  if (!Number.isInteger(rm) || rm < 0 || rm > 0xff) fail(`rmControl ${rm} is not a byte`);
  const parts: Partial<Record<SecurityDescriptorPart, Buffer>> = {};
  if (sd.owner !== undefined) parts.owner = sidToBytes(sd.owner);
  if (sd.group !== undefined) parts.group = sidToBytes(sd.group);
  if (sd.sacl !== undefined) parts.sacl = aclBytes(sd.sacl);
  if (sd.dacl !== undefined) parts.dacl = aclBytes(sd.dacl);
  const order = [...(sd.layout ?? []), ...DEFAULT_LAYOUT].filter(
    (p, i, all) => all.indexOf(p) === i && parts[p] !== undefined,
  );
  const header = Buffer.alloc(HEADER_SIZE);
  header[0] = 1;
  header[1] = rm;
  header.writeUInt16LE(sd.control, 2);
  const slot: Record<SecurityDescriptorPart, number> = { owner: 4, group: 8, sacl: 12, dacl: 16 };
  let at = HEADER_SIZE;
  for (const part of order) {
    header.writeUInt32LE(at, slot[part]);
    at += (parts[part] as Buffer).length;
  }
  return Buffer.concat([header, ...order.map((p) => parts[p] as Buffer)]);
}

// Text for messages, in the shape of SDDL's ACE strings (MS-DTYP 2.5.1.1).

const ACE_FLAG_NAMES: [number, string][] = [
  [OBJECT_INHERIT_ACE, "OI"],
  [CONTAINER_INHERIT_ACE, "CI"],
  [NO_PROPAGATE_INHERIT_ACE, "NP"],
  [INHERIT_ONLY_ACE, "IO"],
  [INHERITED_ACE, "ID"],
  [SUCCESSFUL_ACCESS_ACE_FLAG, "SA"],
  [FAILED_ACCESS_ACE_FLAG, "FA"],
];

const RIGHT_NAMES: [number, string][] = [
  [ADS_RIGHT_GENERIC_ALL, "GA"],
  [ADS_RIGHT_GENERIC_READ, "GR"],
  [ADS_RIGHT_GENERIC_WRITE, "GW"],
  [ADS_RIGHT_GENERIC_EXECUTE, "GX"],
  [ADS_RIGHT_READ_PROP, "RP"],
  [ADS_RIGHT_WRITE_PROP, "WP"],
  [ADS_RIGHT_CONTROL_ACCESS, "CR"],
  [ADS_RIGHT_CREATE_CHILD, "CC"],
  [ADS_RIGHT_DELETE_CHILD, "DC"],
  [ADS_RIGHT_LIST, "LC"],
  [ADS_RIGHT_LIST_OBJECT, "LO"],
  [ADS_RIGHT_READ_CONTROL, "RC"],
  [ADS_RIGHT_WRITE_OWNER, "WO"],
  [ADS_RIGHT_WRITE_DAC, "WD"],
  [ADS_RIGHT_DELETE, "SD"],
  [ADS_RIGHT_DELETE_TREE, "DT"],
  [ADS_RIGHT_SELF, "SW"],
];

/** SDDL-style ACE flags, e.g. "CIIO". */
export function aceFlagsText(flags: number): string {
  let rest = flags;
  let text = "";
  for (const [bit, name] of ACE_FLAG_NAMES) {
    if (flags & bit) {
      text += name;
      rest &= ~bit;
    }
  }
  return rest ? `${text}0x${rest.toString(16)}` : text;
}

/** SDDL-style rights, e.g. "RPWP"; bits SDDL has no name for follow in hex. */
export function rightsText(mask: number): string {
  let rest = mask >>> 0;
  let text = "";
  for (const [bit, name] of RIGHT_NAMES) {
    if ((mask >>> 0) & bit) {
      text += name;
      rest = (rest & ~bit) >>> 0;
    }
  }
  return rest ? `${text}0x${rest.toString(16)}` : text;
}

type Names = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

function nameOf(guid: string | undefined, names?: Names): string {
  if (guid === undefined) return "";
  const key = guid.toLowerCase();
  const name = names instanceof Map ? names.get(key) : (names as Record<string, string> | undefined)?.[key];
  return name ?? guid;
}

/**
 * One ACE as SDDL-like text for messages, e.g. `(OA;CIIO;WP;targetAddress;user;S-1-5-21-…-1127)`;
 * `names` maps lower-case GUIDs to names (e.g. schemaIDGUID → lDAPDisplayName).
 */
export function describeAce(ace: Ace, names?: Names): string {
  if (isRawAce(ace)) {
    return `(0x${ace.type.toString(16).padStart(2, "0")};${aceFlagsText(ace.flags)};${ace.body.length + 4} bytes)`;
  }
  const head = `${aceFlagsText(ace.flags)};${rightsText(ace.mask)}`;
  switch (ace.type) {
    case ACE_TYPE_ACCESS_ALLOWED:
      return `(A;${head};;;${ace.sid})`;
    case ACE_TYPE_ACCESS_DENIED:
      return `(D;${head};;;${ace.sid})`;
    default:
      return (
        `(${ace.type === ACE_TYPE_ACCESS_ALLOWED_OBJECT ? "OA" : "OD"};${head};` +
        `${nameOf(ace.objectType, names)};${nameOf(ace.inheritedObjectType, names)};${ace.sid})`
      );
  }
}
