// Delegated write rights in a security descriptor's DACL, without I/O: which of the wanted
// allow-object ACEs a trustee has, which are missing, and which of its other ACEs give more than
// reading (those a least-privilege delegation must report). The client reads and writes the
// descriptors (DirectoryClient.readSecurityDescriptor / writeSecurityDescriptor).
import { z } from "zod";
import { isGuid } from "./guid";
import {
  ACE_TYPE_ACCESS_ALLOWED_OBJECT,
  ACL_REVISION_DS,
  type AccessAce,
  type Ace,
  type Acl,
  ADS_RIGHT_ACCESS_SYSTEM_SECURITY,
  ADS_RIGHT_CONTROL_ACCESS,
  ADS_RIGHT_CREATE_CHILD,
  ADS_RIGHT_DELETE,
  ADS_RIGHT_DELETE_CHILD,
  ADS_RIGHT_DELETE_TREE,
  ADS_RIGHT_GENERIC_ALL,
  ADS_RIGHT_GENERIC_EXECUTE,
  ADS_RIGHT_GENERIC_READ,
  ADS_RIGHT_GENERIC_WRITE,
  ADS_RIGHT_LIST,
  ADS_RIGHT_LIST_OBJECT,
  ADS_RIGHT_READ_CONTROL,
  ADS_RIGHT_READ_PROP,
  ADS_RIGHT_SELF,
  ADS_RIGHT_SYNCHRONIZE,
  ADS_RIGHT_WRITE_DAC,
  ADS_RIGHT_WRITE_OWNER,
  ADS_RIGHT_WRITE_PROP,
  CONTAINER_INHERIT_ACE,
  INHERIT_ONLY_ACE,
  INHERITED_ACE,
  isAllowAce,
  isObjectAce,
  isSid,
  normalizeSid,
  OBJECT_INHERIT_ACE,
  type ObjectAce,
  SE_DACL_PRESENT,
  type SecurityDescriptor,
} from "./securityDescriptor";

/** One right to delegate: write `attribute` on objects of `objectClass` below the container
 *  (scope "descendants": CI|IO ACE with inheritedObjectType = class), or on the object itself (scope "object"). */
export interface AttributeGrant {
  /** lDAPDisplayName, for messages. */
  attribute: string;
  /** The attribute's schemaIDGUID. */
  attributeGuid: string;
  /** lDAPDisplayName of the class, for messages. */
  objectClass: string;
  /** The class's schemaIDGUID (the ACE's inheritedObjectType for scope "descendants"). */
  objectClassGuid: string;
  scope: "descendants" | "object";
}

/** A broader or unexpected right of the trustee: `ace` is the very object in the DACL's aces. */
export interface DelegationFinding {
  ace: Ace;
  /** False: inherited from a parent container, so it can only be removed there. */
  explicit: boolean;
  /** In words, e.g. "writes every property". */
  reason: string;
}

export interface DelegationState {
  granted: AttributeGrant[];
  missing: AttributeGrant[];
  broader: DelegationFinding[];
}

const guid = z.string().refine(isGuid, { error: "must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)" });

export const attributeGrantSchema = z.strictObject({
  attribute: z.string().min(1),
  attributeGuid: guid,
  objectClass: z.string().min(1),
  objectClassGuid: guid,
  scope: z.enum(["descendants", "object"]),
});

/** Reading and listing: never a finding. */
const READ_RIGHTS =
  ADS_RIGHT_READ_PROP |
  ADS_RIGHT_LIST |
  ADS_RIGHT_LIST_OBJECT |
  ADS_RIGHT_READ_CONTROL |
  ADS_RIGHT_SYNCHRONIZE |
  ADS_RIGHT_GENERIC_READ |
  // On directory objects GENERIC_EXECUTE maps to list contents only.
  ADS_RIGHT_GENERIC_EXECUTE;

/** Rights beyond reading, in words; WRITE_PROP is judged on its own (it depends on the attribute). */
const RIGHT_REASONS: [number, (object: string | undefined) => string][] = [
  [ADS_RIGHT_GENERIC_ALL, () => "has full control (GENERIC_ALL)"],
  [ADS_RIGHT_GENERIC_WRITE, () => "writes every property (GENERIC_WRITE)"],
  [ADS_RIGHT_WRITE_DAC, () => "may change permissions (WRITE_DAC)"],
  [ADS_RIGHT_WRITE_OWNER, () => "may take ownership (WRITE_OWNER)"],
  [ADS_RIGHT_ACCESS_SYSTEM_SECURITY, () => "may read and change auditing (ACCESS_SYSTEM_SECURITY)"],
  [
    ADS_RIGHT_CREATE_CHILD,
    (o) => (o ? `may create ${o} objects (CREATE_CHILD)` : "may create objects of any class (CREATE_CHILD)"),
  ],
  [
    ADS_RIGHT_DELETE_CHILD,
    (o) => (o ? `may delete ${o} objects (DELETE_CHILD)` : "may delete child objects (DELETE_CHILD)"),
  ],
  [ADS_RIGHT_DELETE, () => "may delete the object (DELETE)"],
  [ADS_RIGHT_DELETE_TREE, () => "may delete a whole subtree (DELETE_TREE)"],
  [
    ADS_RIGHT_SELF,
    (o) => (o ? `may do the validated write ${o} (SELF)` : "may do every validated write (SELF)"),
  ],
  [
    ADS_RIGHT_CONTROL_ACCESS,
    (o) =>
      o
        ? `has the extended right ${o} (CONTROL_ACCESS)`
        : "has every extended right, such as resetting passwords (CONTROL_ACCESS)",
  ],
];
const KNOWN_RIGHTS = RIGHT_REASONS.reduce((all, [bit]) => all | bit, READ_RIGHTS | ADS_RIGHT_WRITE_PROP);

const INHERITED_REASON = "inherited from a parent container, so it also reaches objects outside this one";

function checkInputs(sd: SecurityDescriptor, trusteeSid: string, grants: AttributeGrant[]): Acl {
  if (typeof trusteeSid !== "string" || !isSid(trusteeSid)) {
    throw new Error(`delegation: the trustee "${trusteeSid}" is not a SID (expected S-1-5-21-...)`);
  }
  if (!Array.isArray(grants)) throw new Error("delegation: grants must be an array");
  grants.forEach((g, i) => {
    const parsed = attributeGrantSchema.safeParse(g);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`delegation: grant ${i} (${g?.attribute}): ${issue.path.join(".")} ${issue.message}`);
    }
  });
  if (!sd.dacl) {
    throw new Error(
      sd.control & SE_DACL_PRESENT
        ? "delegation: the security descriptor has a NULL DACL (everyone may do everything): give it a DACL first"
        : "delegation: the security descriptor has no DACL: read it with DACL_SECURITY_INFORMATION",
    );
  }
  return sd.dacl;
}

function sameGuid(a: string | undefined, b: string | undefined): boolean {
  return a?.toLowerCase() === b?.toLowerCase();
}

function sameSid(a: string, b: string): boolean {
  try {
    return normalizeSid(a) === normalizeSid(b);
  } catch {
    return false;
  }
}

/** The one ACE a grant writes: allow-object, WRITE_PROP only, on the attribute; CI|IO and limited
 * to the class for the objects below, or no flags for the object itself. */
function aceFor(trusteeSid: string, grant: AttributeGrant): ObjectAce {
  const descendants = grant.scope === "descendants";
  const ace: ObjectAce = {
    type: ACE_TYPE_ACCESS_ALLOWED_OBJECT,
    flags: descendants ? CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE : 0,
    mask: ADS_RIGHT_WRITE_PROP,
    objectType: grant.attributeGuid.toLowerCase(),
    sid: normalizeSid(trusteeSid),
  };
  if (descendants) ace.inheritedObjectType = grant.objectClassGuid.toLowerCase();
  return ace;
}

function isExactly(ace: Ace, trusteeSid: string, grant: AttributeGrant): boolean {
  const wanted = aceFor(trusteeSid, grant);
  return (
    isObjectAce(ace) &&
    ace.type === ACE_TYPE_ACCESS_ALLOWED_OBJECT &&
    ace.flags === wanted.flags &&
    ace.mask >>> 0 === wanted.mask &&
    sameGuid(ace.objectType, wanted.objectType) &&
    sameGuid(ace.inheritedObjectType, wanted.inheritedObjectType) &&
    sameSid(ace.sid, wanted.sid)
  );
}

function grantKey(g: AttributeGrant): string {
  return `${g.attributeGuid.toLowerCase()}/${g.objectClassGuid.toLowerCase()}/${g.scope}`;
}

function distinct(grants: AttributeGrant[]): AttributeGrant[] {
  const seen = new Set<string>();
  return grants.filter((g) => {
    const k = grantKey(g);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Where a WRITE_PROP ACE on a granted attribute reaches beyond what `grant` asks for. */
function scopeReasons(
  ace: AccessAce | ObjectAce,
  grant: AttributeGrant,
  name: (g?: string) => string,
): string[] {
  const reasons: string[] = [];
  const selfToo = (ace.flags & INHERIT_ONLY_ACE) === 0;
  // AD propagates with CONTAINER_INHERIT; OBJECT_INHERIT is counted too, to err on the safe side.
  const inheritable = (ace.flags & (CONTAINER_INHERIT_ACE | OBJECT_INHERIT_ACE)) !== 0;
  const inheritedClass = ace.inheritedObjectType;
  if (grant.scope === "descendants") {
    if (selfToo) reasons.push("applies to the container itself (not inherit-only)");
    if (inheritable && inheritedClass === undefined) {
      reasons.push(`applies to all object classes, not only ${grant.objectClass}`);
    } else if (inheritable && !sameGuid(inheritedClass, grant.objectClassGuid)) {
      reasons.push(`applies to ${name(inheritedClass)} objects, not ${grant.objectClass} objects`);
    }
  } else if (inheritable) {
    reasons.push(
      inheritedClass === undefined
        ? "is also inherited by every object below"
        : `is also inherited by the ${name(inheritedClass)} objects below`,
    );
  }
  return reasons;
}

/** Why an allow ACE of the trustee that is not one of the grants' gives more than reading; none: it does not. */
function broaderReasons(ace: AccessAce | ObjectAce, grants: AttributeGrant[], name: (g?: string) => string) {
  const mask = ace.mask >>> 0;
  const objectType = ace.objectType;
  const reasons: string[] = [];
  for (const [bit, reason] of RIGHT_REASONS) {
    if (mask & bit) reasons.push(reason(objectType && name(objectType)));
  }
  const unknown = (mask & ~KNOWN_RIGHTS) >>> 0;
  if (unknown) reasons.push(`has rights 0x${unknown.toString(16)} beyond reading`);
  if (mask & ADS_RIGHT_WRITE_PROP) {
    const same = grants.filter((g) => sameGuid(g.attributeGuid, objectType));
    if (objectType === undefined) {
      reasons.push("writes every property");
    } else if (same.length === 0) {
      reasons.push(`writes ${name(objectType)}, which is not delegated here`);
    } else {
      // Against the grant it comes closest to.
      const scope = same
        .map((g) => scopeReasons(ace, g, name))
        .reduce((best, r) => (r.length < best.length ? r : best));
      // The same right set on a parent: it reaches the parent's other children too.
      if (ace.flags & INHERITED_ACE) reasons.push(INHERITED_REASON);
      // An explicit variant that reaches no further (no propagation, extra read rights) is not broader.
      reasons.push(...scope);
    }
  }
  return reasons;
}

/** The trustee's allow ACEs, by their SID in any spelling. */
function trusteeAllows(acl: Acl, trusteeSid: string): (AccessAce | ObjectAce)[] {
  return acl.aces.filter((a): a is AccessAce | ObjectAce => isAllowAce(a) && sameSid(a.sid, trusteeSid));
}

/**
 * Which of `grants` the trustee has as exact explicit ACEs, which are missing, and which of its
 * other allow ACEs (explicit or inherited) give more than reading. Deny ACEs and read-only rights
 * are not findings.
 */
export function inspectDelegation(
  sd: SecurityDescriptor,
  trusteeSid: string,
  grants: AttributeGrant[],
  /** More GUID → name pairs for the reasons (lower-case GUIDs), e.g. other attributes'. */
  names: ReadonlyMap<string, string> = new Map(),
): DelegationState {
  const dacl = checkInputs(sd, trusteeSid, grants);
  const wanted = distinct(grants);
  const known = new Map(names);
  for (const g of wanted) {
    known.set(g.attributeGuid.toLowerCase(), g.attribute);
    known.set(g.objectClassGuid.toLowerCase(), g.objectClass);
  }
  const name = (g?: string) => (g === undefined ? "" : (known.get(g.toLowerCase()) ?? g));
  const granted = new Set<AttributeGrant>();
  const broader: DelegationFinding[] = [];
  for (const ace of trusteeAllows(dacl, trusteeSid)) {
    const explicit = (ace.flags & INHERITED_ACE) === 0;
    const matches = explicit ? wanted.filter((g) => isExactly(ace, trusteeSid, g)) : [];
    if (matches.length > 0) {
      for (const g of matches) granted.add(g);
      continue;
    }
    const reasons = broaderReasons(ace, wanted, name);
    if (reasons.length > 0) broader.push({ ace, explicit, reason: reasons.join("; ") });
  }
  return {
    granted: wanted.filter((g) => granted.has(g)),
    missing: wanted.filter((g) => !granted.has(g)),
    broader,
  };
}

/**
 * The descriptor with the missing grants added as explicit allow-object ACEs after the explicit
 * ACEs and before the inherited ones (canonical order: explicit deny, explicit allow, inherited);
 * everything else is left as it is. Returns `sd` itself when nothing is missing.
 */
export function addGrants(
  sd: SecurityDescriptor,
  trusteeSid: string,
  grants: AttributeGrant[],
): SecurityDescriptor {
  const dacl = checkInputs(sd, trusteeSid, grants);
  const { missing } = inspectDelegation(sd, trusteeSid, grants);
  if (missing.length === 0) return sd;
  const firstInherited = dacl.aces.findIndex((a) => (a.flags & INHERITED_ACE) !== 0);
  const at = firstInherited === -1 ? dacl.aces.length : firstInherited;
  const aces = [
    ...dacl.aces.slice(0, at),
    ...missing.map((g) => aceFor(trusteeSid, g)),
    ...dacl.aces.slice(at),
  ];
  return {
    ...sd,
    control: sd.control | SE_DACL_PRESENT,
    // Object ACEs need the DS revision of the ACL.
    dacl: { revision: Math.max(dacl.revision, ACL_REVISION_DS), aces },
  };
}

/** The descriptor without the trustee's explicit ACEs that are exactly these grants (every copy);
 * inherited and other ACEs stay. Returns `sd` itself when there are none. */
export function removeGrants(
  sd: SecurityDescriptor,
  trusteeSid: string,
  grants: AttributeGrant[],
): SecurityDescriptor {
  const dacl = checkInputs(sd, trusteeSid, grants);
  const wanted = distinct(grants);
  const aces = dacl.aces.filter(
    (a) => (a.flags & INHERITED_ACE) !== 0 || !wanted.some((g) => isExactly(a, trusteeSid, g)),
  );
  if (aces.length === dacl.aces.length) return sd;
  return { ...sd, dacl: { ...dacl, aces } };
}
