// The license groups' member lists that a wave's observations share (lib/reachBack/userApi.ts):
// reused for a few seconds, but never across a membership change this process made, so the
// observation that follows an update's group move sees the move (before, the list the refresh
// had just read was reused and the state kept "back in the original group" after up fixed it).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { DEPLOYER_ROLES } from "../../emulator/tenantPair";
import type { GraphClient } from "../../lib/graph/client";
import {
  addCloudMember,
  memberListChanged,
  membershipsAmong,
  removeCloudMember,
} from "../../lib/reachBack/userApi";
import { asEstate, emulatedPair, emulatorAdmin, type TenantPairUnderTest } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: Graph's JSON
type Json = any;

describe("integration: license groups' member lists shared by observations (emulator)", () => {
  let pair: TenantPairUnderTest;
  let graph: GraphClient;
  let userId: string;
  let original: string;
  let reachBack: string;
  const names = async (groups: readonly string[]) =>
    (await membershipsAmong(graph, userId, groups)).map((g) => g.id).sort();
  const listReads = () =>
    (pair.emulator?.http.log ?? []).filter((r) => r.method === "GET" && /\/members\?/.test(r.path)).length;

  before(async () => {
    pair = await emulatedPair([...DEPLOYER_ROLES], { source: "fabrikam.example" });
    graph = pair.graph("source");
    await asEstate(pair, async () => {
      const tag = randomUUID().slice(0, 8);
      const group = (name: string) =>
        graph.post<Json>("/groups", {
          displayName: name,
          mailEnabled: false,
          mailNickname: name,
          securityEnabled: true,
        });
      original = (await group(`LICE5${tag}`)).id;
      reachBack = (await group(`LICRB${tag}`)).id;
      const user = (await emulatorAdmin(pair, "source", "POST", "/users", {
        userPrincipalName: `member-${tag}@fabrikam.example`,
        mail: `member-${tag}@fabrikam.example`,
      })) as Json;
      userId = user.id;
      await addCloudMember(graph, original, userId);
    });
  });
  after(async () => pair.close());

  it("reuses a list read moments ago: the second observation reads nothing", async () => {
    assert.deepEqual(await names([original, reachBack]), [original]);
    const before = listReads();
    assert.deepEqual(await names([original, reachBack]), [original]);
    assert.equal(listReads(), before, "both lists reused");
  });

  it("reads a group's list again after this process moved a member, within the reuse time", async () => {
    assert.deepEqual(await names([original, reachBack]), [original]);
    await addCloudMember(graph, reachBack, userId);
    await removeCloudMember(graph, original, userId);
    assert.deepEqual(await names([original, reachBack]), [reachBack], "the move is seen at once");
  });

  it("an on-premises group's change, once synced, is told to it (memberListChanged)", async () => {
    assert.deepEqual(await names([reachBack]), [reachBack]);
    // Not through removeCloudMember: the list does not know, as with a change Entra Connect syncs.
    await graph.delete(`/groups/${reachBack}/members/${userId}/$ref`);
    assert.deepEqual(await names([reachBack]), [reachBack], "within the reuse time: the list read before");
    memberListChanged(graph, reachBack);
    assert.deepEqual(await names([reachBack]), [], "told: read again");
  });
});
