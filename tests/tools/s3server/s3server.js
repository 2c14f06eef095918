#!/usr/bin/env node
// A local S3 protocol server for the etcd-backup tests: @20minutes/s3rver 5.0.0, the one npm server that enforces
// SigV4 signatures and stores exactly the bytes the AWS SDK for .NET sends (../shared/design/reference/etcd-backup.md).
// Two known bugs are mended at load time, and the start refuses if the text to mend is not where it was:
//   1. the SigV4 check drops a trailing '/' from the canonical URI, so bucket-level calls (PUT /bucket/, list) fail;
//   2. list responses carry a wrong XML namespace (harmless to the AWS SDK, kept right for any other client).
// Only the one key pair given in the environment is accepted (the built-in S3RVER/S3RVER pair is revoked).
// With S3_TLS_CERT and S3_TLS_KEY (PEM files) it serves HTTPS. Each write prints
// "write <call> <path> <x-amz-content-sha256> <x-amz-server-side-encryption> <x-amz-server-side-encryption-aws-kms-key-id>"
// ('-' for a header not sent), so a test can see whether the client signed a body and which encryption settings it
// sent (s3rver itself ignores them).
//
// usage: S3_ACCESS_KEY=... S3_SECRET_KEY=... node --openssl-legacy-provider s3server.js DIR PORT BUCKET...
// prints "listening 127.0.0.1:PORT" when ready.
'use strict'
const fs = require('node:fs')
const Module = require('node:module')
const path = require('node:path')

const [dir, port, ...buckets] = process.argv.slice(2)
const accessKey = process.env.S3_ACCESS_KEY
const secretKey = process.env.S3_SECRET_KEY
if (!dir || !port || !accessKey || !secretKey) {
  console.error('usage: S3_ACCESS_KEY=.. S3_SECRET_KEY=.. s3server.js DIR PORT BUCKET...')
  process.exit(2)
}

const root = path.dirname(require.resolve('@20minutes/s3rver/package.json'))
const authFile = path.join(root, 'lib', 'middleware', 'authentication.js')
const original = fs.readFileSync(authFile, 'utf8')
const anchor = "    canonicalizedResource = canonicalizedResource\n      .split('/')"
if (!original.includes(anchor)) {
  console.error(`s3server: ${authFile} changed; the trailing-slash mend no longer applies`)
  process.exit(3)
}
const mended = original.replace(
  anchor,
  "    if (ctx.path.endsWith('/') && !canonicalizedResource.endsWith('/')) canonicalizedResource += '/'\n" + anchor)
const authModule = new Module(authFile, module)
authModule.filename = authFile
authModule.paths = Module._nodeModulePaths(path.dirname(authFile))
authModule._compile(mended, authFile)
authModule.loaded = true
require.cache[authFile] = authModule

const S3rver = require('@20minutes/s3rver')
const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account')
DUMMY_ACCOUNT.revokeAccessKey('S3RVER')
DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey)

const tls = process.env.S3_TLS_CERT && process.env.S3_TLS_KEY
  ? { cert: fs.readFileSync(process.env.S3_TLS_CERT), key: fs.readFileSync(process.env.S3_TLS_KEY) }
  : {}
const server = new S3rver({
  ...tls,
  address: '127.0.0.1',
  port: Number(port),
  directory: dir,
  silent: true,
  vhostBuckets: false,
  configureBuckets: buckets.map((name) => ({ name })),
})
server.middleware.unshift(async (ctx, next) => {
  const call = ctx.method === 'PUT' ? (ctx.query.partNumber ? 'UploadPart' : 'PutObject')
    : ctx.method === 'POST' && 'uploads' in ctx.query ? 'CreateMultipartUpload' : null
  if (call) {
    const header = (name) => ctx.get(name) || '-'
    console.log(`write ${call} ${ctx.path} ${header('x-amz-content-sha256')} ${header('x-amz-server-side-encryption')} ` +
      header('x-amz-server-side-encryption-aws-kms-key-id'))
  }
  await next()
  if (typeof ctx.body === 'string' && ctx.body.includes('http://doc.s3.amazonaws.com/2006-03-01/')) {
    ctx.body = ctx.body.replaceAll('http://doc.s3.amazonaws.com/2006-03-01/', 'http://s3.amazonaws.com/doc/2006-03-01/')
  }
})
server.run().then(
  (address) => console.log(`listening ${address.address}:${address.port}`),
  (err) => {
    console.error(`s3server: ${err.message}`)
    process.exit(1)
  })
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close().finally(() => process.exit(0)))
