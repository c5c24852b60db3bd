// Script tags that the dashboard's Content-Security-Policy lets run: each carries the
// response's nonce, which the page's Document provides (see src/http/security-headers.ts).
import { type Child, createContext, useContext } from 'hono/jsx';

const ScriptNonce = createContext<string | undefined>(undefined);

/** Makes `nonce` the nonce of every <Script> rendered inside it. */
export function ScriptNonceProvider({ nonce, children }: { nonce: string | undefined; children: Child }) {
  return <ScriptNonce.Provider value={nonce}>{children}</ScriptNonce.Provider>;
}

/** One of our files in public/, loaded after the page is parsed. */
export function Script({ src }: { src: `/${string}.js` }) {
  return <script src={src} nonce={useContext(ScriptNonce)} defer />;
}
