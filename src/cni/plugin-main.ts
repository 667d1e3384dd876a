// STAND-IN entry (replaced by the wt-cni branch's): the plugin in this process, for a runtime
// that execs it without a daemon: process.env + stdin in, stdout and the exit code out.
import { runCni } from './run';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

readStdin()
  .then((stdin) => runCni({ env: process.env, stdin }))
  .then((r) => {
    process.stdout.write(r.stdout);
    if (r.stderr) process.stderr.write(r.stderr);
    process.exitCode = r.exitCode;
  });
