// `node dist/emulator/main.js`: runs the tenant emulator for the sandbox, or only makes its CA.
//   serve --dir .sandbox [--port 18443] [--ad <samba connection.json>] [--replication-delay <ms>]
//                                         start (state kept in <dir>/emulator-state.json), syncing
//                                         the source tenant from that AD when given; new objects
//                                         stay invisible for the replication delay
//   init-ca --dir <dir>                   make <dir>/ca.pem if missing, print its path
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { credentialFor, GraphClient } from "../lib/graph/client";
import { loadOrCreateCa } from "./pki";
import { parseReplicationDelays } from "./replication";
import { seedLicenseGroups } from "./sandboxEstate";
import { startEmulator } from "./server";
import { DEPLOYER_ROLES, ensureTenant, SANDBOX_TENANTS } from "./tenantPair";

const program = new Command("emulator").description("Microsoft Entra tenant emulator for entra-coexistence");

program
  .command("init-ca")
  .requiredOption("--dir <dir>", "directory for ca.pem and ca-key.pem")
  .action((opts: { dir: string }) => {
    process.stdout.write(`${loadOrCreateCa(path.resolve(opts.dir)).certPath}\n`);
  });

program
  .command("serve")
  .requiredOption("--dir <dir>", "directory for the CA, the state and the deployers' credentials")
  .option("--port <port>", "HTTPS port on 127.0.0.1", "18443")
  .option(
    "--admin-key <key>",
    "key for the /_emulator admin API (default: random, written to connection.json)",
  )
  .option(
    "--ad <connection.json>",
    "sync the source tenant from this AD (as written by scripts/samba.sh start)",
  )
  .option("--sync-interval <seconds>", "Entra Connect delta cycle period", "30")
  .option(
    "--replication-delay <ms>",
    "how long objects created through Graph stay invisible to reads: milliseconds for every kind, or per kind (groups=1500,applications=2000; kinds: users, groups, applications, servicePrincipals, partners)",
    "0",
  )
  .action(
    async (opts: {
      dir: string;
      port: string;
      adminKey?: string;
      ad?: string;
      syncInterval: string;
      replicationDelay: string;
    }) => {
      const dir = path.resolve(opts.dir);
      const replicationDelays = parseReplicationDelays(opts.replicationDelay);
      const emulator = await startEmulator({
        caDir: dir,
        stateFile: path.join(dir, "emulator-state.json"),
        port: Number(opts.port),
        adminKey: opts.adminKey,
      });
      // The sandbox's deploying apps also run the example wave's users (stacks/waves/wave-example.csv),
      // which the procedure does as the stack's credential: inviting and writing users.
      const roles = [...DEPLOYER_ROLES, "User.Invite.All", "User.ReadWrite.All"];
      const tenants = SANDBOX_TENANTS.map((spec) => ensureTenant(emulator.store, spec, dir, roles));
      if (opts.ad) {
        const ad = JSON.parse(readFileSync(opts.ad, "utf8"));
        const source = tenants.find((t) => t.role === "source");
        if (!source) throw new Error("no source tenant");
        // Entra Connect's connector account reads the whole Fabrikam OU, as the sandbox seeds it.
        const engine = emulator.attachEntraConnect(
          source.tenantId,
          {
            url: ad.ldapsUrl,
            caCertPath: ad.caCertPath,
            bindDn: ad.adminBindDn,
            password: ad.adminPassword,
            baseDn: `OU=Fabrikam,${ad.baseDn}`,
          },
          { intervalMs: Number(opts.syncInterval) * 1000 },
        );
        const first = await engine.requestCycle();
        process.stdout.write(
          `Entra Connect: initial cycle synced ${first.usersAdded + first.usersUpdated} users from ${ad.ldapsUrl}\n`,
        );
        // Needs this process to trust the emulator's CA (NODE_EXTRA_CA_CERTS, as the sandbox sets it).
        const cloud = {
          authorityHost: emulator.url,
          graphEndpoint: emulator.url,
          disableInstanceDiscovery: true,
        };
        const conn = {
          tenantId: source.tenantId,
          domain: source.domain,
          clientId: source.clientId,
          credential: { kind: "certificate" as const, certificatePath: source.certificatePath },
        };
        await seedLicenseGroups(new GraphClient(source.tenantId, credentialFor(conn, cloud), cloud));
      }
      // After the seeding: what it made stands for an estate that existed before the stack.
      emulator.replication.setDelays(replicationDelays);
      const connection = {
        url: emulator.url,
        caCertPath: emulator.caCertPath,
        adminKey: emulator.adminKey,
        tenants,
      };
      writeFileSync(path.join(dir, "connection.json"), JSON.stringify(connection, null, 2), { mode: 0o600 });
      process.stdout.write(`emulator listening on ${emulator.url} (pid ${process.pid})\n`);
      const stop = () => void emulator.close().then(() => process.exit(0));
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
    },
  );

program.parseAsync().catch((e) => {
  process.stderr.write(`emulator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
