// A relying party built on panva's openid-client, driven by tests/oidc/test_openid_client.py.
//
// Reads one JSON command on stdin and prints one JSON answer: "start" discovers the provider and
// builds an authorization URL with PKCE (S256), state and nonce; "finish" exchanges the callback's
// code (openid-client validates state, PKCE, the ID token's signature, iss, aud, exp and nonce),
// fetches userinfo and refreshes. Errors are printed as {"error": name, "message": ...}.
import * as oidc from 'openid-client';

const input = JSON.parse(await new Promise((resolve) => {
  let data = '';
  process.stdin.on('data', (chunk) => { data += chunk; });
  process.stdin.on('end', () => resolve(data));
}));

async function configuration() {
  const auth = input.client_secret
    ? oidc.ClientSecretBasic(input.client_secret)
    : oidc.None();
  // Loopback http only: the provider under test listens on 127.0.0.1.
  return oidc.discovery(new URL(input.issuer), input.client_id, undefined, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

async function start() {
  const config = await configuration();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: input.redirect_uri,
    scope: input.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(input.extra || {}),
  });
  return { url: url.href, verifier, state, nonce, metadata: config.serverMetadata() };
}

async function finish() {
  const config = await configuration();
  const tokens = await oidc.authorizationCodeGrant(config, new URL(input.callback), {
    pkceCodeVerifier: input.verifier,
    expectedState: input.state,
    expectedNonce: input.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  return {
    claims,
    userinfo,
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    id_token: tokens.id_token,
    refreshed: { access_token: refreshed.access_token, refresh_token: refreshed.refresh_token },
  };
}

try {
  const answer = input.command === 'start' ? await start() : await finish();
  process.stdout.write(JSON.stringify(answer));
} catch (err) {
  process.stdout.write(JSON.stringify({ error: err.code || err.name, message: String(err.message) }));
}
