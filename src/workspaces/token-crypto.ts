import crypto from 'node:crypto';

/**
 * Bot tokens at rest: AES-256-GCM with a key derived from TOKEN_ENCRYPTION_KEY (HKDF-SHA256),
 * a fresh 96-bit IV per token, and the authentication tag checked on every read, so a
 * tampered or foreign value is refused rather than used. Stored as `v1.<iv>.<tag>.<data>`.
 */
export interface TokenCipher {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
}

export function tokenCipher(secret: string): TokenCipher {
  if (secret.length < 32) throw new Error('TOKEN_ENCRYPTION_KEY must be at least 32 characters');
  const key = Buffer.from(crypto.hkdfSync('sha256', secret, 'campaign-stats', 'slack-bot-tokens v1', 32));
  return {
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), data]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    decrypt(stored) {
      const [version, iv, tag, data] = stored.split('.');
      if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('not an encrypted token');
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
