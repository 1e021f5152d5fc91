/**
 * librdkafka's mock cluster for tests (Debian's librdkafka-dev): builds test/kafka/mockcluster.c once into the
 * temp folder, starts it with N brokers on loopback and drives it through stdin (topics, brokers down/up).
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../cli.ts';

const SOURCE = join(ROOT, 'test/kafka/mockcluster.c');
const BINARY = join(tmpdir(), `arena-mockcluster-${process.getuid?.() ?? 0}`);

/** Why the mock cluster cannot run here (undefined: it can). */
export function mockClusterUnavailable(): string | undefined {
  if (!existsSync('/usr/include/librdkafka/rdkafka_mock.h')) return "librdkafka's mock cluster needs Debian's librdkafka-dev (apt-get install -y librdkafka-dev kcat)";
  if (spawnSync('cc', ['--version']).status !== 0) return 'no C compiler (cc) to build the mock cluster launcher';
  return undefined;
}

export class MockCluster {
  private lines: string[] = [];
  private waiters: ((line: string) => void)[] = [];

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly bootstrap: string,
  ) {}

  static async start(brokers = 3): Promise<MockCluster> {
    if (!existsSync(BINARY)) {
      const cc = spawnSync('cc', ['-O1', SOURCE, '-o', BINARY, '-lrdkafka'], { encoding: 'utf8' });
      if (cc.status !== 0) throw new Error(`cannot build the mock cluster launcher: ${cc.stderr}`);
    }
    const child = spawn(BINARY, [String(brokers)]);
    let buffer = '';
    let cluster: MockCluster | undefined;
    const bootstrap = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the mock cluster did not start')), 10_000);
      child.stdout.on('data', (d) => {
        buffer += String(d);
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.startsWith('bootstrap ')) {
            clearTimeout(timer);
            resolve(line.slice('bootstrap '.length));
          } else if (cluster) {
            const w = cluster.waiters.shift();
            if (w) w(line);
            else cluster.lines.push(line);
          }
        }
      });
      child.on('exit', (code) => reject(new Error(`the mock cluster exited with ${code}`)));
    });
    cluster = new MockCluster(child, bootstrap);
    return cluster;
  }

  private command(cmd: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const answer = (line: string) => (line === 'ok' ? resolve() : reject(new Error(`mock cluster: ${cmd}: ${line}`)));
      const queued = this.lines.shift();
      if (queued !== undefined) answer(queued);
      else this.waiters.push(answer);
      this.child.stdin.write(`${cmd}\n`);
    });
  }

  createTopic(name: string, partitions: number): Promise<void> {
    return this.command(`topic ${name} ${partitions}`);
  }

  down(broker: number): Promise<void> {
    return this.command(`down ${broker}`);
  }

  up(broker: number): Promise<void> {
    return this.command(`up ${broker}`);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.on('exit', () => resolve());
      this.child.stdin.end('quit\n');
      setTimeout(() => this.child.kill('SIGKILL'), 3000);
    });
  }
}
