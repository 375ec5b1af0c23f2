// Runs s3rver in its own Node process (started with --openssl-legacy-provider: s3rver encrypts
// ListObjects continuation tokens with DES, which OpenSSL 3 only offers through the legacy provider).
// argv[2] is a JSON config; the first stdout line is {"port": N} once it listens.
import S3rver from 's3rver';

interface ChildConfig {
  directory: string;
  port: number;
  buckets: string[];
  watchParent: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const server = new S3rver({
  address: '127.0.0.1',
  port: config.port,
  directory: config.directory,
  silent: true,
  configureBuckets: config.buckets.map((name) => ({ name, configs: [] })),
});
const address = (await server.run()) as { port: number };
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);

const stop = () => {
  // Open keep-alive connections would hold close() until they time out: end them now.
  (server as unknown as { httpServer?: { closeAllConnections(): void } }).httpServer?.closeAllConnections();
  server.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (config.watchParent) {
  // Tied to the parent: when its end of stdin closes, the child goes too.
  process.stdin.on('end', stop);
  process.stdin.resume();
}
