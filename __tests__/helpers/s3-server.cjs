// A local S3-compatible server for the tests: s3rver on 127.0.0.1, a free port, the given buckets.
// Run as its own process with --openssl-legacy-provider: s3rver makes ListObjectsV2 continuation tokens
// with DES, which Node 20's OpenSSL 3 leaves out by default, so paging fails without it.
// Usage: node --openssl-legacy-provider s3-server.cjs <dir> <bucket>...; prints {"port":N}; stops when stdin closes.
const S3rver = require("s3rver");

const [dir, ...buckets] = process.argv.slice(2);
const server = new S3rver({ address: "127.0.0.1", port: 0, directory: dir, silent: true, configureBuckets: buckets.map((name) => ({ name })) });
server.run().then(({ port }) => process.stdout.write(`${JSON.stringify({ port })}\n`));
process.stdin.on("end", () => server.close().then(() => process.exit(0)));
process.stdin.resume();
