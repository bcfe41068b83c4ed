// Runs the Python Thrift client (client.py, python3-thrift 0.17) as a child process and returns its JSON output.
// /usr/bin/python3 is the interpreter Debian's python3-thrift is installed for (a pyenv python3 lacks the module).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { generateThriftCode } from "./generate.ts";
import type { ThriftProtocolName, ThriftTransportName } from "./server.ts";

export const PYTHON = process.env.THRIFT_PYTHON ?? "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./client.py", import.meta.url));

export interface PythonClientOptions {
  port: number;
  transport: ThriftTransportName;
  protocol: ThriftProtocolName;
  multiplexed?: boolean;
  headers?: Record<string, string>;
  /** Marks the arguments of this run's calls (default "py"). */
  tag?: string;
  /** Number of sequential slow() calls (default 3). */
  slow?: number;
  timeoutMs?: number;
}

export interface PythonClientResults {
  calculate: { id: number; value: number; partials: Record<string, number>; trace: string[]; ratio: number };
  invalid: { exception?: string; whatOp?: number; why?: string; returned?: boolean };
  crash: { exception?: string; type?: number; message?: string; returned?: boolean };
  zip: null;
  slow: string[];
  echo?: string;
  split?: string[];
  /** THeader: the info headers of each reply, in call order (the oneway call has no reply). */
  replyHeaders?: Record<string, string>[];
}

export function runPythonClient(options: PythonClientOptions): Promise<PythonClientResults> {
  const { pyDir } = generateThriftCode();
  const args = [
    SCRIPT,
    "--gen-dir", pyDir,
    "--port", String(options.port),
    "--transport", options.transport,
    "--protocol", options.protocol,
    "--tag", options.tag ?? "py",
    "--slow", String(options.slow ?? 3),
  ];
  if (options.multiplexed) args.push("--multiplexed");
  for (const [key, value] of Object.entries(options.headers ?? {})) args.push("--header", `${key}=${value}`);
  const timeout = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    execFile(PYTHON, args, { timeout, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${PYTHON} client.py ${args.slice(1).join(" ")} failed: ${error.message}\n${stdout}${stderr}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as PythonClientResults);
      } catch {
        reject(new Error(`client.py printed no JSON: ${stdout}\n${stderr}`));
      }
    });
  });
}
