/** A client message id. `crypto.randomUUID` needs a secure context; `getRandomValues` works on plain http pages too. */
export function newClientId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
