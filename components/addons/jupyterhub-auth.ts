/**
 * JupyterHub's authenticator configuration (traitlets under `hub.config`) for each authenticator the spec
 * offers, with everything the authenticator needs to log anyone in. Versions: the z2jh 4.4.0 hub image
 * ships oauthenticator 17.4.0 and jupyterhub-ldapauthenticator 2.0.2
 * (jupyterhub/zero-to-jupyterhub-k8s images/hub/requirements.txt, tag 4.4.0). Credentials never appear
 * here: the OAuth client id/secret and the LDAP bind password reach the hub as environment variables
 * from a Kubernetes Secret.
 */
import type { JupyterHubAuth } from "../../spec/types";

/** Kubernetes Secret with the authenticator's credentials. */
export const JUPYTERHUB_AUTH_SECRET = "jupyterhub-auth";

/** What the hub is configured with for one authenticator. */
export interface AuthenticatorConfig {
  /** `hub.config.JupyterHub.authenticator_class`. */
  readonly authenticatorClass: string;
  /** The traitlets section configuring it (`hub.config.<section>`). */
  readonly section: string;
  readonly config: Record<string, unknown>;
  /** `hub.extraEnv`: Secret references only. */
  readonly extraEnv: Record<string, unknown>;
  /** `hub.extraConfig`: Python snippets (LDAP's bind password has no environment default). */
  readonly extraConfig: Record<string, string>;
  /** Secret key → Vault field. */
  readonly secretKeys: Record<string, string>;
}

function secretRef(key: string): Record<string, unknown> {
  return { valueFrom: { secretKeyRef: { name: JUPYTERHUB_AUTH_SECRET, key } } };
}

/**
 * OAuthenticator reads `OAUTH_CLIENT_ID` / `OAUTH_CLIENT_SECRET` for every provider when its own
 * variable is unset (oauthenticator/oauth2.py 17.4.0, lines 750-772: `_client_id_default`, `_client_secret_default`).
 */
const OAUTH_ENV = {
  OAUTH_CLIENT_ID: secretRef("client_id"),
  OAUTH_CLIENT_SECRET: secretRef("client_secret"),
};
const OAUTH_KEYS = { client_id: "client_id", client_secret: "client_secret" };

/**
 * Group allow-lists of the generic and Azure AD authenticators only work with `manage_groups` on; setting
 * `allowed_groups` without it is an error at hub start (oauth2.py lines 428-438, `_requires_manage_groups`).
 */
function groups(allowed: readonly string[]): Record<string, unknown> {
  return allowed.length === 0 ? {} : { manage_groups: true, allowed_groups: [...allowed] };
}

/** The hub configuration for `auth`, with the OAuth callback at `https://<host>/hub/oauth_callback`. */
export function authenticatorConfig(auth: JupyterHubAuth, host: string): AuthenticatorConfig {
  const callback = { oauth_callback_url: `https://${host}/hub/oauth_callback` };
  const oauth = { extraEnv: OAUTH_ENV, extraConfig: {}, secretKeys: OAUTH_KEYS };
  switch (auth.type) {
    case "github":
      return {
        ...oauth,
        authenticatorClass: "github",
        section: "GitHubOAuthenticator",
        config: {
          ...callback,
          ...(auth.url === undefined ? {} : { github_url: auth.url }),
          // Private organisation membership is only visible with read:org (github.py lines 101-115).
          scope: ["read:org"],
          allowed_organizations: [...auth.allowedGroups],
        },
      };
    case "gitlab":
      return {
        ...oauth,
        authenticatorClass: "gitlab",
        section: "GitLabOAuthenticator",
        config: {
          ...callback,
          ...(auth.url === undefined ? {} : { gitlab_url: auth.url }),
          // Group membership is read from GitLab's REST API, one call per group (gitlab.py lines 106-115),
          // which needs the read_api scope.
          scope: ["read_user", "read_api"],
          allowed_gitlab_groups: [...auth.allowedGroups],
        },
      };
    case "generic-oauth":
      return {
        ...oauth,
        authenticatorClass: "generic-oauth",
        section: "GenericOAuthenticator",
        config: {
          ...callback,
          // No OIDC discovery in GenericOAuthenticator 17.4.0: the three endpoints are configuration
          // (oauth2.py lines 439-520; their environment defaults OAUTH2_* are unset in the hub).
          authorize_url: auth.authorizeUrl,
          token_url: auth.tokenUrl,
          userdata_url: auth.userdataUrl,
          scope: [...auth.scopes],
          // Default "username" (oauth2.py line 524) is not an OIDC claim.
          username_claim: auth.usernameClaim,
          // Groups come from the userinfo response, kept in auth_state under "oauth_user"
          // (oauth2.py lines 389-403; generic.py lines 35-44).
          auth_state_groups_key: `oauth_user.${auth.groupsClaim}`,
          ...groups(auth.allowedGroups),
        },
      };
    case "azuread":
      return {
        ...oauth,
        authenticatorClass: "azuread",
        section: "AzureAdOAuthenticator",
        config: {
          ...callback,
          // The endpoints are derived from the tenant (azuread.py lines 46-92); the default tenant is the
          // AAD_TENANT_ID variable, unset in the hub.
          tenant_id: auth.tenantId,
          ...(auth.usernameClaim === undefined ? {} : { username_claim: auth.usernameClaim }),
          ...groups(auth.allowedGroups),
        },
      };
    case "ldap":
      return {
        authenticatorClass: "ldapauthenticator.LDAPAuthenticator",
        section: "LDAPAuthenticator",
        // jupyterhub/ldapauthenticator ldapauthenticator.py 2.0.2: server_address (line 26); the default
        // tls_strategy "before_bind" upgrades to TLS before any credential is sent (line 75); lookup_dn
        // with a search account finds the user's DN under user_search_base by user_attribute (lines
        // 231-334); allowed_groups are group DNs (line 168).
        config: {
          server_address: auth.serverAddress,
          tls_strategy: "before_bind",
          lookup_dn: true,
          lookup_dn_search_user: auth.bindDn,
          user_search_base: auth.userSearchBase,
          user_attribute: auth.userAttribute,
          lookup_dn_user_dn_attribute: auth.userAttribute,
          ...(auth.allowedGroups.length === 0 ? {} : { allowed_groups: [...auth.allowedGroups] }),
        },
        extraEnv: { LDAP_BIND_PASSWORD: secretRef("bind_password") },
        extraConfig: {
          "00-ldap-bind-password":
            "import os\nc.LDAPAuthenticator.lookup_dn_search_password = os.environ['LDAP_BIND_PASSWORD']\n",
        },
        secretKeys: { bind_password: "bind_password" },
      };
  }
}
