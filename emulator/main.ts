// `node dist/emulator/main.js`: runs the tenant emulator for the sandbox, or only makes its CA.
//   serve --dir .sandbox [--port 18443]   start (state kept in <dir>/emulator-state.json)
//   init-ca --dir <dir>                   make <dir>/ca.pem if missing, print its path
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { loadOrCreateCa } from "./pki";
import { startEmulator } from "./server";
import { ensureTenant, SANDBOX_TENANTS } from "./tenantPair";

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
  .action(async (opts: { dir: string; port: string; adminKey?: string }) => {
    const dir = path.resolve(opts.dir);
    const emulator = await startEmulator({
      caDir: dir,
      stateFile: path.join(dir, "emulator-state.json"),
      port: Number(opts.port),
      adminKey: opts.adminKey,
    });
    const tenants = SANDBOX_TENANTS.map((spec) => ensureTenant(emulator.store, spec, dir));
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
  });

program.parseAsync().catch((e) => {
  process.stderr.write(`emulator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
