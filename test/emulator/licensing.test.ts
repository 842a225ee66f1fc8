// The emulated licensing: subscribedSkus, security groups with members, group-based license
// assignment processed asynchronously, per-user license states, and licenses feeding proxy
// calculation for synced users. Driven through the project's Graph client.
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { planData, SCRUBBING_SERVICES, SKU_FIXTURES } from "../../emulator/skus";
import type { GraphClient } from "../../lib/graph/client";
import { findGroupsByName } from "../../lib/licensing/licenseGroupApi";
import { graphError } from "../support/graphError";
import { emulatedPair, type TenantPairUnderTest } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;

const ROLES = [
  "Organization.Read.All",
  "Group.ReadWrite.All",
  "GroupMember.ReadWrite.All",
  "LicenseAssignment.ReadWrite.All",
  "User.ReadWrite.All",
];
const E5 = SKU_FIXTURES.SPE_E5;
const E3 = SKU_FIXTURES.SPE_E3;
const EMS = SKU_FIXTURES.EMS;
const USER_LICENSES = "$select=id,mail,proxyAddresses,assignedLicenses,licenseAssignmentStates";

describe("emulator: licensing", () => {
  let pair: TenantPairUnderTest;
  let graph: GraphClient;
  let tenantId: string;

  const admin = async (method: string, path: string, body?: unknown): Promise<GraphJson> => {
    const e = pair.emulator;
    assert.ok(e);
    const res = await fetch(`${e.url}/_emulator/tenants/${tenantId}${path}`, {
      method,
      headers: {
        "x-emulator-admin-key": e.adminKey,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const setDelay = (processingDelayMs: number) => admin("PATCH", "/licensing", { processingDelayMs });

  /** A synced user projected the way Entra Connect does (admin API: no AD needed). */
  const syncedUser = async (name: string, extra: Record<string, unknown> = {}): Promise<GraphJson> =>
    admin("POST", "/entraConnect/users", {
      immutableId: randomBytes(16).toString("base64"),
      samAccountName: name,
      userPrincipalName: `${name}@${pair.connections.source.domain}`,
      displayName: name,
      ...extra,
    });

  const createGroup = async (displayName = `lic-${randomUUID().slice(0, 8)}`): Promise<GraphJson> =>
    graph.post<GraphJson>("/groups", {
      displayName,
      description: "license group",
      mailEnabled: false,
      mailNickname: displayName,
      securityEnabled: true,
    });
  const addMember = (groupId: string, userId: string) =>
    graph.post(`/groups/${groupId}/members/$ref`, {
      "@odata.id": `${pair.cloud.graphEndpoint}/v1.0/directoryObjects/${userId}`,
    });
  const assign = (
    groupId: string,
    add: Array<{ skuId: string; disabledPlans: string[] }>,
    remove: string[] = [],
  ) =>
    graph.post<GraphJson>(`/groups/${groupId}/assignLicense`, { addLicenses: add, removeLicenses: remove });
  const processingState = async (groupId: string): Promise<string | null> =>
    (await graph.get<GraphJson>(`/groups/${groupId}?$select=licenseProcessingState`)).licenseProcessingState
      ?.state ?? null;
  const waitProcessed = async (groupId: string) => {
    for (let i = 0; i < 200; i++) {
      if ((await processingState(groupId)) === "ProcessingComplete") return;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail(`group ${groupId}: license processing did not complete`);
  };
  const userLicenses = (id: string) => graph.get<GraphJson>(`/users/${id}?${USER_LICENSES}`);
  const sku = async (skuId: string) =>
    (await graph.get<GraphJson>("/subscribedSkus")).value.find((s: GraphJson) => s.skuId === skuId);

  before(async () => {
    // About licensing, not replication (replication.test.ts): new objects are seen at once.
    pair = await emulatedPair(ROLES, {}, { replicationDelayMs: 0 });
    graph = pair.graph("source");
    tenantId = pair.connections.source.tenantId;
  });
  after(async () => pair.close());
  beforeEach(() => setDelay(300));

  describe("subscribedSkus", () => {
    it("lists the seeded subscriptions with the fields of Graph's documented example", async () => {
      const list = await graph.get<GraphJson>("/subscribedSkus");
      assert.match(list["@odata.context"], /\$metadata#subscribedSkus$/);
      const parts = list.value.map((s: GraphJson) => s.skuPartNumber);
      for (const p of ["SPE_E5", "SPE_E3", "EMS"]) assert.ok(parts.includes(p), `${p} in ${parts}`);
      // The fields of "List subscribedSkus", response example.
      const fields = [
        "accountName",
        "accountId",
        "appliesTo",
        "capabilityStatus",
        "consumedUnits",
        "id",
        "prepaidUnits",
        "servicePlans",
        "skuId",
        "skuPartNumber",
        "subscriptionIds",
      ];
      for (const s of list.value) {
        assert.deepEqual(Object.keys(s).sort(), [...fields].sort(), s.skuPartNumber);
        assert.deepEqual(Object.keys(s.prepaidUnits).sort(), [
          "enabled",
          "lockedOut",
          "suspended",
          "warning",
        ]);
        assert.equal(s.id, `${tenantId}_${s.skuId}`);
        for (const p of s.servicePlans)
          assert.deepEqual(Object.keys(p).sort(), [
            "appliesTo",
            "provisioningStatus",
            "servicePlanId",
            "servicePlanName",
          ]);
      }
      const e5 = list.value.find((s: GraphJson) => s.skuPartNumber === "SPE_E5");
      assert.equal(e5.skuId, E5.skuId);
      assert.equal(e5.servicePlans.length, E5.servicePlans.length);
      const one = await graph.get<GraphJson>(`/subscribedSkus/${e5.id}?$select=skuId,skuPartNumber`);
      assert.equal(one.skuPartNumber, "SPE_E5");
      assert.equal(one.servicePlans, undefined);
    });

    it("needs Organization.Read.All (or a higher permission)", async () => {
      const target = pair.graph("target");
      const targetId = pair.connections.target.tenantId;
      const e = pair.emulator;
      assert.ok(e);
      const t = e.store.tenant(targetId);
      assert.ok(t);
      e.store.setAppRoles(t, pair.connections.target.clientId, ["User.Read.All"]);
      const err = await graphError(target.get("/subscribedSkus?$select=skuId"));
      assert.equal(err.status, 403);
      assert.equal(err.code, "Authorization_RequestDenied");
    });
  });

  describe("groups", () => {
    it("finds a group by a display name with &, +, # and a quote in it", async () => {
      const name = `R&D + Sales #1 O'Brien ${randomUUID().slice(0, 4)}`;
      const g = await createGroup(name);
      await createGroup(`R&D ${randomUUID().slice(0, 4)}`);
      const found = await findGroupsByName(graph, name);
      assert.deepEqual(
        found.map((f) => f.id),
        [g.id],
      );
    });

    it("creates a security group (201), refuses a duplicate member, removes members", async () => {
      const g = await createGroup("Reach-back E5");
      assert.equal(g.displayName, "Reach-back E5");
      assert.equal(g.securityEnabled, true);
      assert.equal(g.mailEnabled, false);
      assert.deepEqual(g.assignedLicenses, []);
      const u = await syncedUser(`m${randomUUID().slice(0, 6)}`);
      await addMember(g.id, u.id);
      const dup = await graphError(addMember(g.id, u.id));
      assert.equal(dup.status, 400);
      assert.equal(
        dup.graphMessage,
        "One or more added object references already exist for the following modified properties: 'members'.",
      );
      const members = await graph.get<GraphJson>(`/groups/${g.id}/members?$select=id`);
      assert.deepEqual(
        members.value.map((m: GraphJson) => m.id),
        [u.id],
      );
      await graph.delete(`/groups/${g.id}/members/${u.id}/$ref`);
      assert.equal((await graph.get<GraphJson>(`/groups/${g.id}/members`)).value.length, 0);
      const gone = await graphError(graph.delete(`/groups/${g.id}/members/${u.id}/$ref`));
      assert.equal(gone.status, 404);
    });

    it("refuses to remove a group's last owner", async () => {
      const g = await createGroup();
      const a = await syncedUser(`o${randomUUID().slice(0, 6)}`);
      const b = await syncedUser(`o${randomUUID().slice(0, 6)}`);
      for (const u of [a, b])
        await graph.post(`/groups/${g.id}/owners/$ref`, {
          "@odata.id": `${pair.cloud.graphEndpoint}/v1.0/users/${u.id}`,
        });
      await graph.delete(`/groups/${g.id}/owners/${a.id}/$ref`);
      const err = await graphError(graph.delete(`/groups/${g.id}/owners/${b.id}/$ref`));
      assert.equal(err.status, 400);
      const owners = await graph.get<GraphJson>(`/groups/${g.id}/owners?$select=id`);
      assert.deepEqual(
        owners.value.map((o: GraphJson) => o.id),
        [b.id],
      );
    });
  });

  describe("group-based licensing", () => {
    it("assignLicense answers 202 with the group; processing completes later and members get states", async () => {
      await setDelay(400);
      const g = await createGroup();
      const users = [
        await syncedUser(`a${randomUUID().slice(0, 6)}`),
        await syncedUser(`b${randomUUID().slice(0, 6)}`),
      ];
      for (const u of users) await addMember(g.id, u.id);
      const before = (await sku(E5.skuId)).consumedUnits;
      const disabled = [E5.servicePlans[0].servicePlanId];
      const answer = await assign(g.id, [{ skuId: E5.skuId, disabledPlans: disabled }]);
      assert.equal(answer.id, g.id);
      assert.equal(answer.securityEnabled, true);
      const first = await processingState(g.id);
      assert.ok(first === "QueuedForProcessing" || first === "ProcessingInProgress", String(first));
      // Nothing is applied before processing completes.
      assert.deepEqual((await userLicenses(users[0].id)).licenseAssignmentStates, []);
      await waitProcessed(g.id);
      for (const u of users) {
        const got = await userLicenses(u.id);
        assert.equal(got.licenseAssignmentStates.length, 1);
        const [s] = got.licenseAssignmentStates;
        assert.equal(s.skuId, E5.skuId);
        assert.equal(s.assignedByGroup, g.id);
        assert.equal(s.state, "Active");
        assert.equal(s.error, null);
        assert.deepEqual(s.disabledPlans, disabled);
        assert.match(s.lastUpdatedDateTime, /^\d{4}-\d\d-\d\dT/);
        assert.deepEqual(got.assignedLicenses, [{ skuId: E5.skuId, disabledPlans: disabled }]);
      }
      assert.equal((await sku(E5.skuId)).consumedUnits, before + 2);
      const filtered = await graph.get<GraphJson>(
        `/groups?$filter=assignedLicenses/any(x:x/skuId eq ${E5.skuId})&$select=id,assignedLicenses,licenseProcessingState`,
      );
      const mine = filtered.value.find((x: GraphJson) => x.id === g.id);
      assert.deepEqual(mine.assignedLicenses, [{ skuId: E5.skuId, disabledPlans: disabled }]);
      assert.deepEqual(mine.licenseProcessingState, { state: "ProcessingComplete" });
      const others = await graph.get<GraphJson>(
        `/groups?$filter=assignedLicenses/any(x:x/skuId eq ${EMS.skuId})`,
      );
      assert.ok(!others.value.some((x: GraphJson) => x.id === g.id));
    });

    it("changing disabledPlans in place keeps the license on the members throughout", async () => {
      await setDelay(400);
      const g = await createGroup();
      const u = await syncedUser(`c${randomUUID().slice(0, 6)}`);
      await addMember(g.id, u.id);
      await assign(g.id, [{ skuId: E3.skuId, disabledPlans: [] }]);
      await waitProcessed(g.id);
      const plan = E3.servicePlans[1].servicePlanId;
      await assign(g.id, [{ skuId: E3.skuId, disabledPlans: [plan] }]);
      let polls = 0;
      for (;;) {
        const got = await userLicenses(u.id);
        const e3 = got.assignedLicenses.filter((l: GraphJson) => l.skuId === E3.skuId);
        assert.equal(
          e3.length,
          1,
          `poll ${polls}: the member has E3 (${JSON.stringify(got.assignedLicenses)})`,
        );
        polls++;
        if (e3[0].disabledPlans.includes(plan)) break;
        assert.ok(polls < 400, "the new disabledPlans never arrived");
      }
      assert.ok(polls > 3, `polled ${polls} times while processing`);
      const group = await graph.get<GraphJson>(`/groups/${g.id}?$select=assignedLicenses`);
      assert.deepEqual(group.assignedLicenses, [{ skuId: E3.skuId, disabledPlans: [plan] }]);
    });

    it("processes a group whose membership keeps changing: a member added first is licensed while changes go on", async () => {
      // It was never processed until the changes stopped: each change restarted the pending run,
      // so a 1,000-member set-up (changes every few milliseconds) licensed nobody until its end.
      await setDelay(300);
      const g = await createGroup();
      await assign(g.id, [{ skuId: E3.skuId, disabledPlans: [] }]);
      await waitProcessed(g.id);
      const [first, toggled] = [
        await syncedUser(`f${randomUUID().slice(0, 6)}`),
        await syncedUser(`t${randomUUID().slice(0, 6)}`),
      ];
      await addMember(g.id, first.id);
      const licensed = async () =>
        (await userLicenses(first.id)).licenseAssignmentStates.some(
          (s: GraphJson) => s.assignedByGroup === g.id && s.state === "Active",
        );
      // A stream of changes, one after another with no pause, far more than processing needs.
      let changes = 0;
      for (; changes < 1000 && !(await licensed()); changes++) {
        if (changes % 2 === 0) await addMember(g.id, toggled.id);
        else await graph.delete(`/groups/${g.id}/members/${toggled.id}/$ref`);
      }
      assert.ok(changes < 1000, "the first member was still unlicensed after 1,000 membership changes");
      // The last change is picked up too, once the stream stops.
      await waitProcessed(g.id);
      const last = await userLicenses(toggled.id);
      const inGroup = changes % 2 === 1;
      assert.equal(
        last.licenseAssignmentStates.some((s: GraphJson) => s.assignedByGroup === g.id),
        inGroup,
        `the toggled member ${inGroup ? "has" : "has no"} the group's license after the last change`,
      );
    });

    it("answers Graph's errors for an unknown SKU, an unknown plan and a missing parameter", async () => {
      const g = await createGroup();
      const unknown = randomUUID();
      let err = await graphError(assign(g.id, [{ skuId: unknown, disabledPlans: [] }]));
      assert.equal(err.status, 400);
      assert.equal(err.graphMessage, `License ${unknown} does not correspond to a valid company License.`);
      err = await graphError(assign(g.id, [{ skuId: E5.skuId, disabledPlans: [randomUUID()] }]));
      assert.equal(err.status, 400);
      err = await graphError(graph.post(`/groups/${g.id}/assignLicense`, { addLicenses: [] }));
      assert.equal(err.status, 400);
      err = await graphError(assign(g.id, [{ skuId: "not-a-guid", disabledPlans: [] }]));
      assert.equal(err.status, 400);
      assert.deepEqual(
        (await graph.get<GraphJson>(`/groups/${g.id}?$select=assignedLicenses`)).assignedLicenses,
        [],
      );
    });

    it("gives CountViolation when units run out, and none of that group's licenses", async () => {
      await setDelay(0);
      const ems = await sku(EMS.skuId);
      await admin("PATCH", `/subscribedSkus/${EMS.skuId}`, {
        prepaidUnits: { enabled: ems.consumedUnits + 1 },
      });
      const g = await createGroup();
      const [a, b] = [
        await syncedUser(`d${randomUUID().slice(0, 6)}`),
        await syncedUser(`e${randomUUID().slice(0, 6)}`),
      ];
      await addMember(g.id, a.id);
      await addMember(g.id, b.id);
      const e3Before = (await sku(E3.skuId)).consumedUnits;
      await assign(g.id, [
        { skuId: EMS.skuId, disabledPlans: [] },
        { skuId: E3.skuId, disabledPlans: [] },
      ]);
      assert.equal(await processingState(g.id), "ProcessingComplete");
      const first = await userLicenses(a.id);
      assert.deepEqual(
        first.licenseAssignmentStates.map((s: GraphJson) => s.state),
        ["Active", "Active"],
      );
      const second = await userLicenses(b.id);
      const byId = Object.fromEntries(second.licenseAssignmentStates.map((s: GraphJson) => [s.skuId, s]));
      assert.equal(byId[EMS.skuId].state, "Error");
      assert.equal(byId[EMS.skuId].error, "CountViolation");
      assert.equal(byId[E3.skuId].state, "Error", "none of the group's licenses apply");
      assert.deepEqual(second.assignedLicenses, []);
      assert.equal((await sku(EMS.skuId)).consumedUnits, ems.consumedUnits + 1);
      assert.equal((await sku(E3.skuId)).consumedUnits, e3Before + 1);
      // A user holding EMS through another group too still counts once.
      const g2 = await createGroup();
      await addMember(g2.id, a.id);
      await assign(g2.id, [{ skuId: EMS.skuId, disabledPlans: [] }]);
      const twice = await userLicenses(a.id);
      assert.equal(twice.licenseAssignmentStates.filter((s: GraphJson) => s.state === "Active").length, 3);
      assert.equal((await sku(EMS.skuId)).consumedUnits, ems.consumedUnits + 1);
    });

    it("refuses writes to a synced group but assigns it licenses", async () => {
      await setDelay(0);
      const e = pair.emulator;
      assert.ok(e);
      const u = await syncedUser(`f${randomUUID().slice(0, 6)}`);
      const v = await syncedUser(`g${randomUUID().slice(0, 6)}`);
      const id = randomUUID();
      const t = e.store.tenant(tenantId);
      assert.ok(t);
      t.groups[id] = {
        id,
        displayName: "LIC-ONPREM",
        description: null,
        mailEnabled: false,
        mailNickname: "LIC-ONPREM",
        securityEnabled: true,
        groupTypes: [],
        proxyAddresses: [],
        onPremisesSyncEnabled: true,
        assignedLicenses: [],
        licenseProcessingState: null,
        members: [u.id],
        owners: [],
      };
      const message =
        "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.";
      let err = await graphError(addMember(id, v.id));
      assert.equal(err.status, 400);
      assert.equal(err.graphMessage, message);
      err = await graphError(graph.patch(`/groups/${id}`, { description: "changed" }));
      assert.equal(err.graphMessage, message);
      err = await graphError(graph.delete(`/groups/${id}/members/${u.id}/$ref`));
      assert.equal(err.graphMessage, message);
      await assign(id, [{ skuId: E3.skuId, disabledPlans: [] }]);
      const got = await userLicenses(u.id);
      assert.deepEqual(
        got.licenseAssignmentStates.map((s: GraphJson) => [s.assignedByGroup, s.state]),
        [[id, "Active"]],
      );
    });

    it("refuses to delete a group that assigns licenses; deletes it once they are removed", async () => {
      await setDelay(0);
      const g = await createGroup();
      const u = await syncedUser(`h${randomUUID().slice(0, 6)}`);
      await addMember(g.id, u.id);
      await assign(g.id, [{ skuId: E3.skuId, disabledPlans: [] }]);
      const err = await graphError(graph.delete(`/groups/${g.id}`));
      assert.equal(err.status, 400);
      assert.ok(await graph.getOptional(`/groups/${g.id}`), "the group is still there");
      assert.equal((await userLicenses(u.id)).assignedLicenses.length, 1);
      await assign(g.id, [], [E3.skuId]);
      await graph.delete(`/groups/${g.id}`);
      assert.equal(await graph.getOptional(`/groups/${g.id}`), undefined);
      assert.deepEqual((await userLicenses(u.id)).licenseAssignmentStates, []);
    });

    it("assigns a license directly to a user (assignedByGroup null), refusing one without units", async () => {
      const u = await syncedUser(`i${randomUUID().slice(0, 6)}`);
      await graph.post(`/users/${u.id}/assignLicense`, {
        addLicenses: [{ skuId: E3.skuId, disabledPlans: [] }],
        removeLicenses: [],
      });
      const got = await userLicenses(u.id);
      assert.deepEqual(
        got.licenseAssignmentStates.map((s: GraphJson) => [s.skuId, s.assignedByGroup, s.state]),
        [[E3.skuId, null, "Active"]],
      );
      const ems = await sku(EMS.skuId);
      await admin("PATCH", `/subscribedSkus/${EMS.skuId}`, { prepaidUnits: { enabled: ems.consumedUnits } });
      const err = await graphError(
        graph.post(`/users/${u.id}/assignLicense`, {
          addLicenses: [{ skuId: EMS.skuId, disabledPlans: [] }],
          removeLicenses: [],
        }),
      );
      assert.equal(err.status, 400);
      assert.equal((await userLicenses(u.id)).assignedLicenses.length, 1);
    });
  });

  describe("licenseDetails", () => {
    it("GET /users/{id}/licenseDetails answers one licenseDetails per SKU, disabled plans as Disabled (it answered 400 before)", async () => {
      await setDelay(0);
      const u = await syncedUser(`l${randomUUID().slice(0, 6)}`);
      const g = await createGroup();
      await addMember(g.id, u.id);
      const disabled = E5.servicePlans.filter((p) => p.servicePlanName === "EXCHANGE_S_ENTERPRISE");
      await assign(g.id, [{ skuId: E5.skuId, disabledPlans: disabled.map((p) => p.servicePlanId) }]);

      const list = await graph.get<GraphJson>(`/users/${u.id}/licenseDetails`);
      assert.match(list["@odata.context"], new RegExp(`\\$metadata#users\\('${u.id}'\\)/licenseDetails$`));
      assert.equal(list.value.length, 1);
      const [detail] = list.value;
      assert.deepEqual(Object.keys(detail).sort(), ["id", "servicePlans", "skuId", "skuPartNumber"]);
      assert.equal(detail.skuId, E5.skuId);
      assert.equal(detail.skuPartNumber, "SPE_E5");
      // Ids as in Graph's example: base64url of the tenant's and the SKU's GUID bytes.
      const guid = (b: Buffer) =>
        [
          b.subarray(0, 4).reverse(),
          b.subarray(4, 6).reverse(),
          b.subarray(6, 8).reverse(),
          b.subarray(8, 10),
          b.subarray(10),
        ]
          .map((x) => x.toString("hex"))
          .join("-");
      const idBytes = Buffer.from(detail.id, "base64url");
      assert.deepEqual([guid(idBytes.subarray(0, 16)), guid(idBytes.subarray(16))], [tenantId, E5.skuId]);
      assert.equal(detail.servicePlans.length, E5.servicePlans.length);
      for (const p of detail.servicePlans) {
        assert.deepEqual(Object.keys(p).sort(), [
          "appliesTo",
          "provisioningStatus",
          "servicePlanId",
          "servicePlanName",
        ]);
        const off = disabled.some((d) => d.servicePlanId === p.servicePlanId);
        assert.equal(p.provisioningStatus, off ? "Disabled" : "Success", p.servicePlanName);
      }

      const picked = await graph.get<GraphJson>(`/users/${u.id}/licenseDetails?$select=skuPartNumber`);
      assert.deepEqual(picked.value, [{ id: detail.id, skuPartNumber: "SPE_E5" }]);
      const none = await graph.get<GraphJson>(
        `/users/${(await syncedUser(`n${randomUUID().slice(0, 6)}`)).id}/licenseDetails`,
      );
      assert.deepEqual(none.value, []);
    });

    it("needs a user-reading or license-reading permission", async () => {
      const other = await emulatedPair(["Policy.Read.All"]);
      try {
        const err = await graphError(other.graph("source").get(`/users/${randomUUID()}/licenseDetails`));
        assert.equal(err.status, 403);
        assert.equal(err.code, "Authorization_RequestDenied");
      } finally {
        await other.close();
      }
    });
  });

  describe("licenses and proxy calculation", () => {
    it("scrubs by a plan's service, not its name: Exchange Foundation scrubs, an Exchange-named Teams plan does not", async () => {
      await setDelay(0);
      const skuId = randomUUID();
      await admin("POST", "/subscribedSkus", {
        skuId,
        skuPartNumber: "TEST_LOOKALIKE",
        servicePlans: [
          { servicePlanId: randomUUID(), servicePlanName: "EXCHANGE_S_LOOKALIKE", service: "Teams" },
        ],
      });
      const name = `s${randomUUID().slice(0, 6)}`;
      const external = `${name}@partner-unverified.example`;
      const u = await syncedUser(name, { mail: external, proxyAddresses: [`SMTP:${external}`] });
      const g = await createGroup();
      await addMember(g.id, u.id);
      await assign(g.id, [{ skuId, disabledPlans: [] }]);
      assert.equal(
        (await userLicenses(u.id)).mail,
        external,
        "a Teams plan does not scrub, whatever its name",
      );

      const e = pair.emulator;
      assert.ok(e);
      const unknown = await fetch(
        `${e.url}/_emulator/tenants/${tenantId}/subscribedSkus/${skuId}/servicePlans`,
        {
          method: "POST",
          headers: { "x-emulator-admin-key": e.adminKey, "content-type": "application/json" },
          body: JSON.stringify({ servicePlanId: randomUUID(), servicePlanName: "MYSTERY_PLAN" }),
        },
      );
      assert.equal(unknown.status, 400);
      assert.match(await unknown.text(), /no data on service plan .*give its service/);

      // Exchange Foundation, which the emulator knows: Microsoft lists it among the Exchange plans.
      const foundation = EMS.servicePlans.find((p) => p.servicePlanName === "EXCHANGE_S_FOUNDATION");
      assert.ok(foundation);
      await admin("POST", `/subscribedSkus/${skuId}/servicePlans`, {
        servicePlanId: foundation.servicePlanId,
        servicePlanName: foundation.servicePlanName,
      });
      assert.notEqual((await userLicenses(u.id)).mail, external, "Exchange Foundation scrubs");
    });

    it("a synced mail user keeps an unverified primary SMTP address until a group gives an enabled scrubbing plan", async () => {
      await setDelay(100);
      const name = `j${randomUUID().slice(0, 6)}`;
      const external = `${name}@partner-unverified.example`;
      const u = await syncedUser(name, { mail: external, proxyAddresses: [`SMTP:${external}`] });
      assert.equal(u.mail, external, "a mail user without an Exchange plan is not scrubbed");

      // The emulator's own data: every plan of a service that scrubs.
      const scrubbing = E5.servicePlans
        .filter((p) => SCRUBBING_SERVICES.has(planData(p.servicePlanId)?.service ?? "Unknown"))
        .map((p) => p.servicePlanId);
      assert.ok(scrubbing.length > 5);
      const reachBack = await createGroup();
      await addMember(reachBack.id, u.id);
      await assign(reachBack.id, [{ skuId: E5.skuId, disabledPlans: scrubbing }]);
      await waitProcessed(reachBack.id);
      let got = await userLicenses(u.id);
      assert.equal(got.assignedLicenses.length, 1, "licensed");
      assert.equal(got.mail, external, "every scrubbing plan disabled: the address survives");
      assert.deepEqual(got.proxyAddresses, [`SMTP:${external}`]);

      const full = await createGroup();
      await assign(full.id, [{ skuId: E5.skuId, disabledPlans: [] }]);
      await waitProcessed(full.id);
      await addMember(full.id, u.id);
      await waitProcessed(full.id);
      got = await userLicenses(u.id);
      assert.deepEqual(
        got.assignedLicenses,
        [{ skuId: E5.skuId, disabledPlans: [] }],
        "plans enabled by any group",
      );
      assert.notEqual(got.mail, external, "the full SKU scrubs the unverified address");
      assert.ok(
        !got.proxyAddresses.some((p: string) => p.toLowerCase().endsWith("@partner-unverified.example")),
        JSON.stringify(got.proxyAddresses),
      );

      // Back in the reach-back group only: the address comes back with the next calculation.
      await graph.delete(`/groups/${full.id}/members/${u.id}/$ref`);
      await waitProcessed(full.id);
      got = await userLicenses(u.id);
      assert.equal(got.mail, external);

      // Microsoft adds a plan that triggers scrubbing to the SKU: it is enabled for the user.
      await admin("PATCH", `/subscribedSkus/${E5.skuId}`, {
        addServicePlans: [
          {
            servicePlanId: randomUUID(),
            servicePlanName: "EXCHANGE_S_NEW_ADDON",
            service: "Exchange Online add-on",
          },
        ],
      });
      got = await userLicenses(u.id);
      assert.notEqual(got.mail, external, "the new plan scrubs the address");
    });

    it("a direct assignment: assignLicense replaces a held SKU's disabledPlans, and an enabled Exchange plan on it scrubs", async () => {
      await setDelay(100);
      // E3, which no test here changes (the one above adds a plan to E5).
      const name = `k${randomUUID().slice(0, 6)}`;
      const external = `${name}@partner-unverified.example`;
      const u = await syncedUser(name, { mail: external, proxyAddresses: [`SMTP:${external}`] });
      const scrubbing = E3.servicePlans
        .filter((p) => SCRUBBING_SERVICES.has(planData(p.servicePlanId)?.service ?? "Unknown"))
        .map((p) => p.servicePlanId);
      const teams = E3.servicePlans.find((p) => p.servicePlanName === "TEAMS1")?.servicePlanId as string;
      const exchange = E3.servicePlans.find((p) => p.servicePlanName === "EXCHANGE_S_ENTERPRISE")
        ?.servicePlanId as string;
      assert.ok(teams && scrubbing.includes(exchange) && !scrubbing.includes(teams));
      const assignDirect = (disabledPlans: string[]) =>
        graph.post<GraphJson>(`/users/${u.id}/assignLicense`, {
          addLicenses: [{ skuId: E3.skuId, disabledPlans }],
          removeLicenses: [],
        });

      // "user: assignLicense" answers the user (200).
      const answer = await assignDirect([teams]);
      assert.equal(answer.id, u.id);
      let got = await userLicenses(u.id);
      assert.deepEqual(
        got.licenseAssignmentStates.map((s: GraphJson) => [
          s.skuId,
          s.assignedByGroup,
          s.state,
          s.disabledPlans,
        ]),
        [[E3.skuId, null, "Active", [teams]]],
      );
      assert.notEqual(got.mail, external, "an enabled Exchange plan on a direct license scrubs");

      // The same SKU again: its disabledPlans are replaced (not merged), the license kept.
      await assignDirect([...scrubbing, teams]);
      got = await userLicenses(u.id);
      assert.deepEqual(
        got.licenseAssignmentStates.map((s: GraphJson) => [s.assignedByGroup, [...s.disabledPlans].sort()]),
        [[null, [...scrubbing, teams].sort()]],
      );
      assert.deepEqual(got.assignedLicenses, [{ skuId: E3.skuId, disabledPlans: [...scrubbing, teams] }]);
      assert.equal(got.mail, external, "every scrubbing plan disabled: the address comes back");

      // Exchange enabled again on the direct license: a group with it disabled does not help.
      const reachBack = await createGroup();
      await assign(reachBack.id, [{ skuId: E3.skuId, disabledPlans: scrubbing }]);
      await waitProcessed(reachBack.id);
      await addMember(reachBack.id, u.id);
      await waitProcessed(reachBack.id);
      assert.equal((await userLicenses(u.id)).mail, external);
      await assignDirect(scrubbing.filter((p) => p !== exchange));
      got = await userLicenses(u.id);
      assert.equal(got.licenseAssignmentStates.length, 2, "the group's and the direct one");
      assert.notEqual(got.mail, external, "a plan enabled by the direct assignment is enabled");
    });
  });
});
