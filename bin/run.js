#!/usr/bin/env node
// The SDK warns about Node 20 on every client; `cruddur doctor` reports the Node version instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
