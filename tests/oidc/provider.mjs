// A real OpenID Provider for the single sign-on tests: panva's oidc-provider (OpenID
// Certified), configured from the environment by tests/tests/sso.rs.
//   OIDC_PROVIDER_MODULE  path of oidc-provider's entry file (installed by .ci/run)
//   PORT                  port on 127.0.0.1
//   KEY_ID                the id of the signing key generated at start (a restart with
//                         another id is a key rotation)
//   CLIENTS               JSON: the registered clients
//   ACCOUNTS              JSON: subject -> claims
//   CLOCK_OFFSET_SECONDS  optional: the provider's clock runs this far from the real one
//   MODE=unsigned         instead, a hostile provider that answers every login at once with
//                         an unsigned ID token (alg « none »), which oidc-provider refuses
//                         to issue: the relying party must refuse it
import crypto from 'node:crypto';
import http from 'node:http';
import { pathToFileURL } from 'node:url';

if (process.env.MODE === 'unsigned') {
  const port = Number(process.env.PORT);
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = JSON.parse(process.env.CLIENTS)[0].client_id;
  const nonces = new Map();
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  http.createServer((request, response) => {
    const url = new URL(request.url, issuer);
    const json = (value) => { response.writeHead(200, { 'content-type': 'application/json' }); response.end(JSON.stringify(value)); };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json({
        issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`, response_types_supported: ['code'], subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['none', 'RS256'],
      });
    }
    if (url.pathname === '/jwks') return json({ keys: [] });
    if (url.pathname === '/auth') {
      const code = crypto.randomBytes(16).toString('hex');
      nonces.set(code, url.searchParams.get('nonce'));
      const back = new URL(url.searchParams.get('redirect_uri'));
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state'));
      response.writeHead(303, { location: back.toString() });
      return response.end();
    }
    if (url.pathname === '/token') {
      let body = '';
      request.on('data', (chunk) => { body += chunk; });
      request.on('end', () => {
        const code = new URLSearchParams(body).get('code');
        const now = Math.floor(Date.now() / 1000);
        const claims = { iss: issuer, sub: 'agent-ars', aud: clientId, iat: now, exp: now + 600, nonce: nonces.get(code) };
        json({ access_token: 'jeton', token_type: 'Bearer', expires_in: 600, id_token: `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.` });
      });
      return undefined;
    }
    response.writeHead(404);
    return response.end();
  }).listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
} else {

const offset = Number(process.env.CLOCK_OFFSET_SECONDS || 0) * 1000;
if (offset !== 0) {
  const realNow = Date.now;
  Date.now = () => realNow() + offset;
}

const { default: Provider } = await import(pathToFileURL(process.env.OIDC_PROVIDER_MODULE).href);

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signing = { ...privateKey.export({ format: 'jwk' }), kid: process.env.KEY_ID || 'cle-1', use: 'sig', alg: 'RS256' };
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');

const provider = new Provider(issuer, {
  clients: JSON.parse(process.env.CLIENTS || '[]'),
  jwks: { keys: [signing] },
  async findAccount(ctx, sub) {
    if (!accounts[sub]) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) };
  },
  // scope_all: Pro Santé Connect's scope of the professional's record (SubjectRefPro).
  claims: { openid: ['sub'], email: ['email', 'email_verified'], scope_all: ['SubjectRefPro'] },
  scopes: ['openid', 'email', 'scope_all'],
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  enabledJWA: { idTokenSigningAlgValues: ['RS256', 'HS256'] },
  pkce: { required: () => true },
  cookies: { keys: ['une clé de test des cookies du fournisseur'] },
});
provider.on('server_error', (ctx, error) => console.error('server_error', error));
provider.listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
}
