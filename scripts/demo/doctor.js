// Demo step: `cruddur doctor` on the demo app. It reports the environment, so a failed check (exit 1)
// is shown, not treated as a broken demo; anything else (a crash, no table) is.
export default async function step({ cli, log }) {
  log('# doctor: what is configured, what is missing, and how to fix it');
  const result = await cli(['doctor', '--timeout', '5000']);
  if (![0, 1].includes(result.exitCode) || !/\d+ ok, \d+ warnings?, \d+ failed, \d+ skipped/.test(result.stdout)) {
    throw new Error(`cruddur doctor did not produce its report (exit ${result.exitCode})`);
  }
}
