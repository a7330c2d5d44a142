// An upstream OpenID provider for the federation tests: panva's oidc-provider on loopback.
//
// Reads one JSON configuration from stdin (issuer, port, client, accounts), listens, prints
// "ready" and serves until killed. devInteractions is on: its login form accepts any password for
// a login that names a configured account (the login is the account's sub), then asks consent.
import Provider from 'oidc-provider';

const input = JSON.parse(await new Promise((resolve) => {
  let data = '';
  process.stdin.on('data', (chunk) => { data += chunk; });
  process.stdin.on('end', () => resolve(data));
}));

const provider = new Provider(input.issuer, {
  clients: [{
    client_id: input.client_id,
    client_secret: input.client_secret,
    redirect_uris: input.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  async findAccount(ctx, id) {
    const account = input.accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'locale'],
  },
  // Put the email scope's claims in the ID token too (the RP reads only the ID token).
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
});
provider.listen(input.port, '127.0.0.1', () => { process.stdout.write('ready\n'); });
