/**
 * Partner-side CLI for the legacy pay-password scheme (SPEC §4: "ship a
 * partner-side helper ... so integrators stop guessing").
 *
 *   npm run paypassword -- <sessionkey> <loginpwd> <paypwd> [ecb|cbc]
 *
 * Prints Base64(3DES(UTF8(UPPER_MD5(pay)), KEY2)) on one line. Runs with Node 24
 * type stripping (no build step), hence the `.ts` import specifier.
 * Note: passwords given as arguments are visible in shell history and `ps`;
 * use it for integration testing, not with production credentials.
 */
import { encryptPayPassword, type TripleDesMode } from "../src/crypto/paypassword.ts";

const USAGE_EXIT_CODE = 2;
const USAGE =
  "usage: npm run paypassword -- <sessionkey> <loginpwd> <paypwd> [ecb|cbc]\n" +
  "  prints Base64(3DES(UTF8(UPPER_MD5(paypwd)), KEY2)),\n" +
  "  KEY2 = SHA256(UTF8(sessionkey + UPPER_MD5(loginpwd)))[0..24); mode defaults to ecb\n";

interface CliArguments {
  sessionKey: string;
  loginPassword: string;
  payPassword: string;
  mode: TripleDesMode;
}

/** Returns null when the arguments do not fit the usage line. */
function parseArguments(argv: readonly string[]): CliArguments | null {
  if (argv.length < 3 || argv.length > 4) return null;
  const [sessionKey, loginPassword, payPassword, modeArgument = "ecb"] = argv;
  if (sessionKey === undefined || loginPassword === undefined || payPassword === undefined) return null;
  if (modeArgument !== "ecb" && modeArgument !== "cbc") return null;
  return { sessionKey, loginPassword, payPassword, mode: modeArgument };
}

async function main(): Promise<void> {
  const cliArguments = parseArguments((process.argv as string[]).slice(2));
  if (cliArguments === null) {
    process.stderr.write(USAGE);
    process.exitCode = USAGE_EXIT_CODE;
    return;
  }
  const { sessionKey, loginPassword, payPassword, mode } = cliArguments;
  const ciphertext = await encryptPayPassword(sessionKey, loginPassword, payPassword, mode);
  process.stdout.write(`${ciphertext}\n`);
}

await main();
