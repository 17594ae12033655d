// What the gateway may know about a Kazoo token without asking Kazoo: whether it can be sent at all.
const MAX_TOKEN_LENGTH = 8_192;

/**
 * Whether `token` can be sent to Kazoo: 1 to 8192 visible ASCII characters (0x21–0x7E). Kazoo's tokens are JWTs or
 * hex; anything else (CR/LF, NUL, spaces, characters beyond ASCII) is refused before any call, so a client cannot
 * make the HTTP layer fail in ways that look like Kazoo failing.
 */
export function isSendableToken(token: unknown): token is string {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return false;
  for (let index = 0; index < token.length; index++) {
    const code = token.charCodeAt(index);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}
