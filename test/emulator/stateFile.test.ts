// The emulator's state file (the sandbox's emulator-state.json): writes are coalesced, and what
// changed right before close is in the file a restarted emulator starts from.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import { type Emulator, startEmulator } from "../../emulator/server";
import { SKU_FIXTURES } from "../../emulator/skus";
import { ensureTenant } from "../../emulator/tenantPair";
import { credentialFor, GraphClient } from "../../lib/graph/client";
import { workDir } from "../support/tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: assertions walk Graph's JSON freely
type GraphJson = any;

describe("emulator: state file", () => {
  const dir = workDir("state-file");
  const stateFile = path.join(dir, "emulator-state.json");
  const caDir = process.env.NODE_EXTRA_CA_CERTS ? path.dirname(process.env.NODE_EXTRA_CA_CERTS) : dir;
  const spec = {
    role: "source" as const,
    tenantId: randomUUID(),
    displayName: "state file tenant",
    domain: "statefile.example",
    clientId: randomUUID(),
  };
  const roles = ["Group.ReadWrite.All", "LicenseAssignment.ReadWrite.All", "User.ReadWrite.All"];
  let emulator: Emulator | undefined;
  afterEach(async () => emulator?.close());

  const start = async (): Promise<GraphClient> => {
    emulator = await startEmulator({ caDir, stateFile });
    const conn = ensureTenant(emulator.store, spec, dir, roles);
    const cloud = {
      authorityHost: emulator.url,
      graphEndpoint: emulator.url,
      disableInstanceDiscovery: true,
    };
    const credential = credentialFor(
      { ...conn, credential: { kind: "certificate", certificatePath: conn.certificatePath } },
      cloud,
    );
    return new GraphClient(conn.tenantId, credential, cloud, { retryDelaySeconds: 1 });
  };

  it("a restarted emulator has every change made right before close, and processes the interrupted licensing", async () => {
    let graph = await start();
    // Processing outlasts the emulator: it is interrupted by the restart.
    const tenant = emulator?.store.tenant(spec.tenantId);
    assert.ok(tenant);
    tenant.licensing.processingDelayMs = 60_000;
    const name = `kept-${randomUUID().slice(0, 8)}`;
    const group = await graph.post<GraphJson>("/groups", {
      displayName: name,
      mailEnabled: false,
      mailNickname: name,
      securityEnabled: true,
    });
    const skuId = SKU_FIXTURES.SPE_E3.skuId;
    await graph.post(`/groups/${group.id}/assignLicense`, {
      addLicenses: [{ skuId, disabledPlans: [] }],
      removeLicenses: [],
    });
    // Closed at once: the coalesced write has not happened yet; close writes it.
    await emulator?.close();
    emulator = undefined;

    graph = await start();
    const again = await graph.get<GraphJson>(
      `/groups/${group.id}?$select=displayName,assignedLicenses,licenseProcessingState`,
    );
    assert.equal(again.displayName, name);
    assert.deepEqual(again.assignedLicenses, [{ skuId, disabledPlans: [] }]);
    assert.deepEqual(again.licenseProcessingState, { state: "QueuedForProcessing" });
  });
});
