/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/): the `standardwebhooks`
 * library computes `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. During a rotation overlap
 * both secrets sign, space-separated, as the specification allows; a receiver holding either
 * secret verifies.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** `whsec_` + base64 of 32 random bytes (the spec asks for 24 to 64). */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export interface SigningKeys {
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: string | null;
}

/** The secrets that sign at `at`: the current one, and the previous one until its overlap ends. */
export function signingSecrets(k: SigningKeys, at: Date): string[] {
  const previousLive = k.previousSecret && k.previousSecretExpiresAt && Date.parse(k.previousSecretExpiresAt) > at.getTime();
  return previousLive ? [k.secret, k.previousSecret!] : [k.secret];
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three Standard Webhooks headers for one attempt. */
export function signedHeaders(msgId: string, at: Date, body: string, secrets: readonly string[]): SignedHeaders {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(msgId, at, body)).join(' '),
  };
}
