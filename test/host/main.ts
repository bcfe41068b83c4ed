// The bundled Envoy-compatible host as a command, taking Envoy's own flags so that run scripts can start a real
// envoy instead:  node --import tsx test/host/main.ts -c envoy/awesomerpc.yaml -l info --concurrency 1
// Like Envoy it logs to stderr (or --log-path) in Envoy's default format, prints nothing on stdout, and shuts down
// cleanly on SIGINT, SIGTERM or the admin's POST /quitquitquit.
import { createWriteStream } from "node:fs";
import { LogLevel } from "./api.ts";
import { CommandLineError, parseCommandLine, USAGE, type CommandLine } from "./proxy/command_line.ts";
import { envoyFormatSink, Logger, type HostLogSink } from "./proxy/log.ts";
import { startHost } from "./proxy/server.ts";

async function main(): Promise<number> {
  let commandLine: CommandLine | "help";
  try {
    commandLine = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 1;
  }
  if (commandLine === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const logFile = commandLine.logPath === undefined ? undefined : createWriteStream(commandLine.logPath, { flags: "a" });
  const write = (line: string) => (logFile ? logFile.write(line) : process.stderr.write(line));
  const sink: HostLogSink = commandLine.logLevel === "off" ? () => {} : envoyFormatSink(write);
  const logLevel = commandLine.logLevel === "off" ? LogLevel.Critical : commandLine.logLevel;
  const mainLog = new Logger(sink, logLevel).named("main");
  for (const note of commandLine.notes) mainLog(LogLevel.Info, note);

  let exitCode = 0;
  try {
    const host = await startHost({ config: commandLine.configPath, logLevel, concurrency: commandLine.concurrency, log: sink });
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        mainLog(LogLevel.Warn, `caught ${signal}`);
        void host.stop();
      });
    }
    await host.stopped;
  } catch (error) {
    mainLog(LogLevel.Critical, `error initializing configuration '${commandLine.configPath}': ${(error as Error).message}`);
    exitCode = 1;
  }
  await new Promise<void>((resolve) => (logFile ? logFile.end(resolve) : resolve()));
  return exitCode;
}

// Exit explicitly: a plugin's leftover timer must not keep a stopped host alive.
main().then((code) => process.exit(code));
