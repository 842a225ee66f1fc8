// Delegated rights in a DACL, without a directory: what counts as granted, what is missing, which
// of the trustee's other ACEs are broader (each kind, with its reason), where addGrants puts the
// new ACEs, and that adding and removing are idempotent and leave everything else alone.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type AttributeGrant,
  addGrants,
  inspectDelegation,
  removeGrants,
} from "../../lib/directory/delegation";
import {
  ACE_TYPE_ACCESS_ALLOWED,
  ACE_TYPE_ACCESS_ALLOWED_OBJECT,
  ACE_TYPE_ACCESS_DENIED,
  ACE_TYPE_ACCESS_DENIED_OBJECT,
  type Ace,
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
  ADS_RIGHT_WRITE_DAC,
  ADS_RIGHT_WRITE_OWNER,
  ADS_RIGHT_WRITE_PROP,
  CONTAINER_INHERIT_ACE,
  describeAce,
  INHERIT_ONLY_ACE,
  INHERITED_ACE,
  NO_PROPAGATE_INHERIT_ACE,
  parseSecurityDescriptor,
  SE_DACL_AUTO_INHERITED,
  SE_DACL_PRESENT,
  SE_SELF_RELATIVE,
  type SecurityDescriptor,
  serializeSecurityDescriptor,
} from "../../lib/directory/securityDescriptor";

const SVC = "S-1-5-21-3954023736-2837308494-86352702-1127";
const OTHER = "S-1-5-21-3954023736-2837308494-86352702-1128";
const USER = "bf967aba-0de6-11d0-a285-00aa003049e2";
const GROUP = "bf967a9c-0de6-11d0-a285-00aa003049e2";
const CONTACT = "5cb41ed0-0e4c-11d0-a286-00aa003049e2";
const MEMBER = "bf9679c0-0de6-11d0-a285-00aa003049e2";
const DESCRIPTION = "bf967950-0de6-11d0-a285-00aa003049e2";
const RESET_PASSWORD = "00299570-246d-11d0-a768-00aa006e0529";
const ATTRIBUTES: Record<string, string> = {
  mail: "bf967961-0de6-11d0-a285-00aa003049e2",
  proxyAddresses: "bf967a06-0de6-11d0-a285-00aa003049e2",
  targetAddress: "b74b8612-1c5f-4a25-bd8a-e62261be7089",
  msExchRecipientDisplayType: "88f5ae7c-d9e5-4e01-b89c-0a30bb6665e5",
  msExchRecipientTypeDetails: "d77a75db-32cc-4b18-bd96-b545383f8750",
  msExchRemoteRecipientType: "c5f52a3b-d5ca-45db-80ab-8bc82fb1ee30",
};
const TARGET = ATTRIBUTES.targetAddress;
const CI_IO = CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE;

const SIX: AttributeGrant[] = Object.entries(ATTRIBUTES).map(([attribute, attributeGuid]) => ({
  attribute,
  attributeGuid,
  objectClass: "user",
  objectClassGuid: USER,
  scope: "descendants",
}));
const MEMBER_OF_GROUP: AttributeGrant = {
  attribute: "member",
  attributeGuid: MEMBER,
  objectClass: "group",
  objectClassGuid: GROUP,
  scope: "object",
};

function allow(sid: string, mask: number, flags = 0): Ace {
  return { type: ACE_TYPE_ACCESS_ALLOWED, flags, mask, sid };
}

function allowObject(
  sid: string,
  mask: number,
  flags: number,
  objectType?: string,
  inheritedObjectType?: string,
): Ace {
  const ace: Ace = { type: ACE_TYPE_ACCESS_ALLOWED_OBJECT, flags, mask, sid };
  if (objectType) ace.objectType = objectType;
  if (inheritedObjectType) ace.inheritedObjectType = inheritedObjectType;
  return ace;
}

/** The exact ACE a descendants grant writes. */
function exact(attributeGuid: string, sid = SVC): Ace {
  return allowObject(sid, ADS_RIGHT_WRITE_PROP, CI_IO, attributeGuid, USER);
}

/** An OU's DACL in canonical order: an explicit deny, explicit allows, then inherited ACEs. */
function ouDescriptor(extra: Ace[] = []): SecurityDescriptor {
  return {
    control: SE_SELF_RELATIVE | SE_DACL_PRESENT | SE_DACL_AUTO_INHERITED,
    dacl: {
      revision: 4,
      aces: [
        { type: ACE_TYPE_ACCESS_DENIED_OBJECT, flags: 0, mask: ADS_RIGHT_DELETE_TREE, sid: "S-1-1-0" },
        allow("S-1-5-18", 0xf01ff),
        allow(
          "S-1-5-11",
          ADS_RIGHT_READ_PROP | ADS_RIGHT_LIST | ADS_RIGHT_LIST_OBJECT | ADS_RIGHT_READ_CONTROL,
        ),
        ...extra,
        allow("S-1-5-32-544", 0xf01bd, CONTAINER_INHERIT_ACE | INHERITED_ACE),
        allowObject("S-1-5-32-554", ADS_RIGHT_READ_PROP, CI_IO | INHERITED_ACE, ATTRIBUTES.mail, USER),
      ],
    },
  };
}

function reasonsFor(ace: Ace, grants: AttributeGrant[] = SIX, names?: Map<string, string>) {
  const sd = ouDescriptor([ace]);
  const { broader } = inspectDelegation(sd, SVC, grants, names);
  return broader.map((f) => f.reason);
}

describe("directory delegation (DACL logic)", () => {
  describe("inspectDelegation", () => {
    it("finds nothing granted in a DACL without the trustee, and every grant missing", () => {
      const state = inspectDelegation(ouDescriptor(), SVC, SIX);
      assert.deepEqual(state, { granted: [], missing: SIX, broader: [] });
    });

    it("counts the exact explicit ACEs as granted, whatever their place and the SID's spelling", () => {
      const sd = ouDescriptor([exact(ATTRIBUTES.mail), exact(TARGET, SVC.toLowerCase())]);
      const state = inspectDelegation(sd, SVC, SIX);
      assert.deepEqual(
        state.granted.map((g) => g.attribute),
        ["mail", "targetAddress"],
      );
      assert.equal(state.missing.length, 4);
      assert.deepEqual(state.broader, []);
    });

    it("counts an object-scope grant only as an ACE without inheritance or class", () => {
      const onGroup = allowObject(SVC, ADS_RIGHT_WRITE_PROP, 0, MEMBER);
      const state = inspectDelegation(ouDescriptor([onGroup]), SVC, [MEMBER_OF_GROUP]);
      assert.deepEqual(state.granted, [MEMBER_OF_GROUP]);
      const asDescendants = inspectDelegation(ouDescriptor([exact(MEMBER)]), SVC, [MEMBER_OF_GROUP]);
      assert.deepEqual(asDescendants.granted, []);
    });

    it("does not count an inherited copy of the exact ACE as granted, and reports it", () => {
      const inherited = allowObject(SVC, ADS_RIGHT_WRITE_PROP, CI_IO | INHERITED_ACE, TARGET, USER);
      const sd = ouDescriptor([inherited]);
      const state = inspectDelegation(sd, SVC, SIX);
      assert.equal(state.missing.length, 6);
      assert.equal(state.broader.length, 1);
      assert.equal(state.broader[0].explicit, false);
      assert.match(
        state.broader[0].reason,
        /^inherited from a parent container, so it also reaches objects outside/,
      );
      assert.equal(state.broader[0].ace, sd.dacl?.aces[3], "the finding is the DACL's own ACE object");
    });

    describe("a broader right, for each kind", () => {
      const cases: [string, Ace, RegExp][] = [
        [
          "WRITE_PROP without an object type",
          allow(SVC, ADS_RIGHT_WRITE_PROP, CI_IO),
          /^writes every property$/,
        ],
        [
          "WRITE_PROP on another attribute",
          allowObject(SVC, ADS_RIGHT_WRITE_PROP, CI_IO, DESCRIPTION, USER),
          new RegExp(`^writes ${DESCRIPTION}, which is not delegated here$`),
        ],
        [
          "a delegated attribute for all classes",
          allowObject(SVC, ADS_RIGHT_WRITE_PROP, CI_IO, TARGET),
          /^applies to all object classes, not only user$/,
        ],
        [
          "a delegated attribute for another class",
          allowObject(SVC, ADS_RIGHT_WRITE_PROP, CI_IO, TARGET, CONTACT),
          new RegExp(`^applies to ${CONTACT} objects, not user objects$`),
        ],
        [
          "a delegated attribute on the container itself too",
          allowObject(SVC, ADS_RIGHT_WRITE_PROP, CONTAINER_INHERIT_ACE, TARGET, USER),
          /^applies to the container itself \(not inherit-only\)$/,
        ],
        [
          "a delegated attribute on the container only",
          allowObject(SVC, ADS_RIGHT_WRITE_PROP, 0, TARGET),
          /^applies to the container itself \(not inherit-only\)$/,
        ],
        [
          "GENERIC_ALL",
          allow(SVC, ADS_RIGHT_GENERIC_ALL, CONTAINER_INHERIT_ACE),
          /^has full control \(GENERIC_ALL\)$/,
        ],
        ["GENERIC_WRITE", allow(SVC, ADS_RIGHT_GENERIC_WRITE), /^writes every property \(GENERIC_WRITE\)$/],
        ["WRITE_DAC", allow(SVC, ADS_RIGHT_WRITE_DAC), /^may change permissions \(WRITE_DAC\)$/],
        ["WRITE_OWNER", allow(SVC, ADS_RIGHT_WRITE_OWNER), /^may take ownership \(WRITE_OWNER\)$/],
        [
          "ACCESS_SYSTEM_SECURITY",
          allow(SVC, ADS_RIGHT_ACCESS_SYSTEM_SECURITY),
          /^may read and change auditing \(ACCESS_SYSTEM_SECURITY\)$/,
        ],
        [
          "CREATE_CHILD of a class",
          allowObject(SVC, ADS_RIGHT_CREATE_CHILD, 0, USER),
          /^may create user objects \(CREATE_CHILD\)$/,
        ],
        [
          "CREATE_CHILD of any class",
          allow(SVC, ADS_RIGHT_CREATE_CHILD),
          /^may create objects of any class \(CREATE_CHILD\)$/,
        ],
        ["DELETE_CHILD", allow(SVC, ADS_RIGHT_DELETE_CHILD), /^may delete child objects \(DELETE_CHILD\)$/],
        ["DELETE", allow(SVC, ADS_RIGHT_DELETE, CI_IO), /^may delete the object \(DELETE\)$/],
        ["DELETE_TREE", allow(SVC, ADS_RIGHT_DELETE_TREE), /^may delete a whole subtree \(DELETE_TREE\)$/],
        ["SELF", allow(SVC, ADS_RIGHT_SELF), /^may do every validated write \(SELF\)$/],
        [
          "one extended right",
          allowObject(SVC, ADS_RIGHT_CONTROL_ACCESS, CI_IO, RESET_PASSWORD, USER),
          new RegExp(`^has the extended right ${RESET_PASSWORD} \\(CONTROL_ACCESS\\)$`),
        ],
        [
          "every extended right",
          allow(SVC, ADS_RIGHT_CONTROL_ACCESS),
          /^has every extended right, such as resetting passwords \(CONTROL_ACCESS\)$/,
        ],
        ["a right without a name", allow(SVC, 0x200), /^has rights 0x200 beyond reading$/],
      ];
      for (const [what, ace, reason] of cases) {
        it(what, () => {
          const sd = ouDescriptor([ace]);
          const { broader, granted } = inspectDelegation(sd, SVC, SIX);
          assert.equal(broader.length, 1, describeAce(ace));
          assert.match(broader[0].reason, reason);
          assert.equal(broader[0].explicit, true);
          assert.equal(broader[0].ace, sd.dacl?.aces[3]);
          assert.deepEqual(granted, []);
        });
      }

      it("every reason of one ACE, joined", () => {
        const ace = allow(SVC, ADS_RIGHT_GENERIC_ALL | ADS_RIGHT_WRITE_DAC | ADS_RIGHT_WRITE_PROP, CI_IO);
        assert.deepEqual(reasonsFor(ace), [
          "has full control (GENERIC_ALL); may change permissions (WRITE_DAC); writes every property",
        ]);
      });

      it("names GUIDs it is given names for", () => {
        const ace = allowObject(SVC, ADS_RIGHT_WRITE_PROP, CI_IO, DESCRIPTION, CONTACT);
        assert.deepEqual(reasonsFor(ace, SIX, new Map([[DESCRIPTION, "description"]])), [
          "writes description, which is not delegated here",
        ]);
        const wrongClass = allowObject(SVC, ADS_RIGHT_WRITE_PROP, CI_IO, TARGET, CONTACT);
        assert.deepEqual(reasonsFor(wrongClass, SIX, new Map([[CONTACT, "contact"]])), [
          "applies to contact objects, not user objects",
        ]);
      });

      it("on an object-scope grant: the group's ACE inherited from its OU (as Samba writes it)", () => {
        // What OU=Groups' (OA;CIIO;WP;member;group;svc) becomes on a group below it.
        const inherited = allowObject(
          SVC,
          ADS_RIGHT_WRITE_PROP,
          CONTAINER_INHERIT_ACE | INHERITED_ACE,
          MEMBER,
          GROUP,
        );
        const { broader } = inspectDelegation(ouDescriptor([inherited]), SVC, [MEMBER_OF_GROUP]);
        assert.equal(broader.length, 1);
        assert.equal(broader[0].explicit, false);
        assert.equal(
          broader[0].reason,
          "inherited from a parent container, so it also reaches objects outside this one; " +
            "is also inherited by the group objects below",
        );
      });
    });

    it("does not report reading, deny ACEs, other trustees, or narrower variants of a grant", () => {
      const harmless: Ace[] = [
        allow(
          SVC,
          ADS_RIGHT_READ_PROP |
            ADS_RIGHT_LIST |
            ADS_RIGHT_LIST_OBJECT |
            ADS_RIGHT_READ_CONTROL |
            ADS_RIGHT_GENERIC_READ |
            ADS_RIGHT_GENERIC_EXECUTE,
          CONTAINER_INHERIT_ACE,
        ),
        allowObject(SVC, ADS_RIGHT_READ_PROP, CI_IO, DESCRIPTION, USER),
        { type: ACE_TYPE_ACCESS_DENIED, flags: CONTAINER_INHERIT_ACE, mask: ADS_RIGHT_GENERIC_ALL, sid: SVC },
        {
          type: ACE_TYPE_ACCESS_DENIED_OBJECT,
          flags: CI_IO,
          mask: ADS_RIGHT_WRITE_PROP,
          objectType: TARGET,
          sid: SVC,
        },
        allow(OTHER, ADS_RIGHT_GENERIC_ALL, CONTAINER_INHERIT_ACE),
        // Only the OU's direct children, and with reading besides: no further than the grant.
        allowObject(SVC, ADS_RIGHT_WRITE_PROP, CI_IO | NO_PROPAGATE_INHERIT_ACE, TARGET, USER),
        allowObject(SVC, ADS_RIGHT_WRITE_PROP | ADS_RIGHT_READ_PROP, CI_IO, ATTRIBUTES.mail, USER),
        // An audit ACE, kept raw.
        { type: 0x07, flags: 0x52, body: Buffer.alloc(40) },
      ];
      const state = inspectDelegation(ouDescriptor(harmless), SVC, SIX);
      assert.deepEqual(state.broader, []);
      assert.deepEqual(state.granted, [], "the variants are not the exact ACEs");
    });

    it("refuses a bad trustee, a bad grant, and a descriptor without a DACL", () => {
      assert.throws(
        () => inspectDelegation(ouDescriptor(), "svc-reachback", SIX),
        /"svc-reachback" is not a SID/,
      );
      assert.throws(
        () => inspectDelegation(ouDescriptor(), SVC, [{ ...SIX[0], attributeGuid: "mail" }]),
        /grant 0 \(mail\): attributeGuid must be a GUID/,
      );
      assert.throws(
        () => inspectDelegation(ouDescriptor(), SVC, [{ ...SIX[0], scope: "subtree" as "object" }]),
        /grant 0 \(mail\): scope/,
      );
      assert.throws(
        () => inspectDelegation({ control: SE_SELF_RELATIVE }, SVC, SIX),
        /no DACL: read it with DACL_SECURITY_INFORMATION/,
      );
      assert.throws(
        () => inspectDelegation({ control: SE_SELF_RELATIVE | SE_DACL_PRESENT }, SVC, SIX),
        /NULL DACL/,
      );
    });
  });

  describe("addGrants", () => {
    it("adds the missing ACEs after the explicit ones and before the inherited ones", () => {
      const before = ouDescriptor([exact(ATTRIBUTES.mail)]);
      const after = addGrants(before, SVC, SIX);
      const aces = after.dacl?.aces ?? [];
      assert.equal(aces.length, (before.dacl?.aces.length ?? 0) + 5);
      assert.deepEqual(
        aces.slice(0, 4),
        before.dacl?.aces.slice(0, 4),
        "explicit deny and allows first, unchanged",
      );
      assert.deepEqual(
        aces.slice(4, 9),
        SIX.slice(1).map((g) => exact(g.attributeGuid)),
      );
      assert.deepEqual(aces.slice(9), before.dacl?.aces.slice(4), "inherited ACEs last, unchanged");
      const state = inspectDelegation(after, SVC, SIX);
      assert.equal(state.granted.length, 6);
      assert.deepEqual(state.missing, []);
      assert.deepEqual(state.broader, []);
    });

    it("appends when there are no inherited ACEs, and raises the ACL revision for object ACEs", () => {
      const sd: SecurityDescriptor = {
        control: SE_SELF_RELATIVE | SE_DACL_PRESENT,
        dacl: { revision: 2, aces: [allow("S-1-5-18", ADS_RIGHT_GENERIC_ALL)] },
      };
      const after = addGrants(sd, SVC, [MEMBER_OF_GROUP]);
      assert.equal(after.dacl?.revision, 4);
      assert.deepEqual(after.dacl?.aces, [
        allow("S-1-5-18", ADS_RIGHT_GENERIC_ALL),
        allowObject(SVC, ADS_RIGHT_WRITE_PROP, 0, MEMBER),
      ]);
      assert.equal(sd.dacl?.aces.length, 1, "the input is not changed");
    });

    it("is idempotent and leaves broader ACEs for the caller to decide on", () => {
      const broad = allow(SVC, ADS_RIGHT_WRITE_PROP, CI_IO);
      const once = addGrants(ouDescriptor([broad]), SVC, SIX);
      assert.equal(addGrants(once, SVC, SIX), once);
      assert.deepEqual(addGrants(once, SVC, [...SIX, ...SIX]), once);
      assert.equal(inspectDelegation(once, SVC, SIX).broader[0].ace, broad);
    });

    it("survives the trip through bytes", () => {
      const written = serializeSecurityDescriptor(addGrants(ouDescriptor(), SVC, [...SIX, MEMBER_OF_GROUP]));
      const state = inspectDelegation(parseSecurityDescriptor(written), SVC, [...SIX, MEMBER_OF_GROUP]);
      assert.equal(state.granted.length, 7);
    });
  });

  describe("removeGrants", () => {
    it("removes exactly the trustee's explicit grant ACEs, every copy, and nothing else", () => {
      const inherited = allowObject(SVC, ADS_RIGHT_WRITE_PROP, CI_IO | INHERITED_ACE, TARGET, USER);
      const otherTrustee = exact(TARGET, OTHER);
      const broad = allow(SVC, ADS_RIGHT_GENERIC_WRITE);
      const sd = ouDescriptor([
        exact(TARGET),
        exact(ATTRIBUTES.mail),
        exact(TARGET),
        otherTrustee,
        broad,
        inherited,
      ]);
      const after = removeGrants(sd, SVC, [SIX[2]]);
      assert.deepEqual(
        after.dacl?.aces,
        ouDescriptor([exact(ATTRIBUTES.mail), otherTrustee, broad, inherited]).dacl?.aces,
      );
      assert.equal(removeGrants(after, SVC, [SIX[2]]), after, "nothing left to remove: the same descriptor");
    });

    it("undoes addGrants (property)", () => {
      const someOf = fc.subarray([...SIX, MEMBER_OF_GROUP], { minLength: 1 });
      fc.assert(
        fc.property(someOf, someOf, (present, wanted) => {
          const start = addGrants(ouDescriptor(), SVC, present);
          const added = addGrants(start, SVC, wanted);
          assert.deepEqual(addGrants(added, SVC, wanted), added);
          const removed = removeGrants(added, SVC, wanted);
          const state = inspectDelegation(removed, SVC, [...SIX, MEMBER_OF_GROUP]);
          assert.deepEqual(new Set(state.granted), new Set(present.filter((g) => !wanted.includes(g))));
          assert.deepEqual(
            removeGrants(addGrants(ouDescriptor(), SVC, wanted), SVC, wanted).dacl,
            ouDescriptor().dacl,
          );
        }),
      );
    });
  });
});
