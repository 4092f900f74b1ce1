/**
 * Who is calling. Signatures are not verified (any SigV4 Authorization header is accepted), but one must be
 * present. The emulator's dummy access key ids end with the 12-digit account they act as
 * (`EMULATOR111122223333`), which lets a test call as another account, e.g. the owner of a shared mesh; any other
 * access key id acts as the emulator's own account. Whatever precedes the 12 digits is free, so distinct keys of
 * one account (`EMULATORENV1111122223333`, `EMULATORENV2111122223333`) tell callers apart in the request log and
 * for `faults.killAt`.
 */
import { ServiceError } from './errors';

const ACCESS_KEY_PREFIX = 'EMULATOR';
const DUMMY_SECRET = 'emulator-does-not-verify-signatures';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * Dummy credentials acting as `accountId`. `caller` (letters and digits) goes between the prefix and the account,
 * giving one caller of that account its own access key id: `credentialsFor('111122223333', 'ENV3')` →
 * `EMULATORENV3111122223333`.
 */
export function credentialsFor(accountId: string, caller = ''): Credentials {
  if (!/^[A-Za-z0-9]*$/.test(caller))
    throw new RangeError(`caller must be letters and digits, got '${caller}'`);
  return { accessKeyId: `${ACCESS_KEY_PREFIX}${caller}${accountId}`, secretAccessKey: DUMMY_SECRET };
}

/** The account an access key id acts as, or undefined when it does not name one. */
export function accountOfAccessKey(accessKeyId: string | undefined): string | undefined {
  return /(\d{12})$/.exec(accessKeyId ?? '')?.[1];
}

/**
 * The access key id of an Authorization header that names one (`Credential=<key>/…`), without judging the rest
 * of the header: the request log records it, and a killed caller is recognised by it, even on a request the
 * service then refuses.
 */
export function accessKeyIdOf(header: string | undefined): string | undefined {
  return /\bCredential=([^/\s,]+)\//.exec(header ?? '')?.[1];
}

/**
 * The service a SigV4 Authorization header is signed for, the fourth part of its credential scope
 * (`Credential=<key>/<date>/<region>/<service>/aws4_request`): the model's signing name, as the SDKs sign. Tells
 * apart services that share one wire shape (the query protocol's form POST to /).
 */
export function signingServiceOf(header: string | undefined): string | undefined {
  return /\bCredential=[^/\s,]+\/[^/\s,]+\/[^/\s,]+\/([^/\s,]+)\/aws4_request\b/.exec(header ?? '')?.[1];
}

/**
 * Reads the access key id from a SigV4 Authorization header
 * (`AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=…, Signature=…`).
 * Throws the error AWS answers with when the header is missing or is not SigV4.
 */
export function accessKeyFromAuthorization(header: string | undefined, missingStatus: number): string {
  if (!header) {
    throw new ServiceError(
      'MissingAuthenticationTokenException',
      'Missing Authentication Token',
      missingStatus,
    );
  }
  const match =
    /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/[^,]+,\s*SignedHeaders=[^,]+,\s*Signature=[0-9a-f]+$/i.exec(
      header.trim(),
    );
  if (!match?.[1]) {
    throw new ServiceError(
      'IncompleteSignatureException',
      'Authorization header requires a SigV4 signature (AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…)',
      400,
    );
  }
  return match[1];
}

/** The ARN partition of a region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
