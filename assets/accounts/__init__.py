"""The user's own account: named API tokens, two-factor sign-in (TOTP and recovery codes) and
single sign-on (OIDC). Issue 20."""
