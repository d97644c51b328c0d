"""OpenID Connect sign-in (Entra ID, Keycloak, ADFS...): the authorization code flow with PKCE
(authlib's OAuth 2 client), then the ID token checked here: its signature against the
provider's published keys, its issuer, audience, expiry and issue time, the `nonce` sent with
the request, and, for a signature, the `auth_time` of a fresh authentication (`prompt=login`,
`max_age=0`). The person's role comes from a claim (groups or roles) through OIDC_ROLE_MAP."""

import secrets
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import authlib.deprecate  # noqa: E402,F401 - its import sets its own filter; ours goes after
import httpx
from authlib.common.security import generate_token
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from domain import Role
from settings import Settings

with warnings.catch_warnings():  # authlib 1.9 would rather have the httpx2 fork; httpx works
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import AsyncOAuth2Client

DISCOVERY = "/.well-known/openid-configuration"
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
LEEWAY = 60  # seconds of clock difference tolerated with the provider
METADATA_TTL = 3600.0


class OidcError(Exception):
    """The provider's answer cannot be trusted or used; `code` is stable, the message says
    why in words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    name: str  # the account's name in StudyFlow
    printed_name: str
    email: str | None
    role: Role | None  # None: no value of the role claim is mapped
    groups: tuple[str, ...]
    auth_time: int | None
    claims: dict[str, Any]


def configured(settings: Settings) -> bool:
    return bool(settings.oidc_issuer and settings.oidc_client_id)


class OidcClient:
    """One per web app: the provider's metadata and keys are fetched once an hour (and the keys
    again when a token names a key not seen yet: the provider rolled them)."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        assert settings.oidc_issuer and settings.oidc_client_id
        self.settings = settings
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self.secret = (settings.oidc_client_secret.get_secret_value()
                       if settings.oidc_client_secret else None) or None  # "": a public client
        self.http = http or httpx.AsyncClient(timeout=10)
        self._metadata: dict[str, Any] | None = None
        self._fetched = 0.0
        self._keys: KeySet | None = None

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None or time.monotonic() - self._fetched > METADATA_TTL:
            try:
                r = await self.http.get(self.issuer + DISCOVERY)
                r.raise_for_status()
                meta = r.json()
            except (httpx.HTTPError, ValueError) as e:
                raise OidcError("oidc_unreachable", f"the directory ({self.issuer}) did not "
                                f"answer: {e}") from e
            if meta.get("issuer", "").rstrip("/") != self.issuer:
                raise OidcError("oidc_issuer_mismatch", f"the directory calls itself "
                                f"{meta.get('issuer')!r}, not {self.issuer!r}")
            self._metadata, self._fetched, self._keys = meta, time.monotonic(), None
        return self._metadata

    async def keys(self, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            meta = await self.metadata()
            r = await self.http.get(meta["jwks_uri"])
            r.raise_for_status()
            self._keys = KeySet.import_key_set(r.json())
        return self._keys

    def _oauth(self, redirect_uri: str) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(client_id=self.client_id, client_secret=self.secret,
                                 scope=self.settings.oidc_scopes, redirect_uri=redirect_uri,
                                 code_challenge_method="S256",
                                 token_endpoint_auth_method="client_secret_post"
                                 if self.secret else "none")

    async def authorization_url(self, redirect_uri: str, *, fresh: bool = False
                                ) -> tuple[str, str, str, str]:
        """(url, state, nonce, code_verifier) of a new request; `fresh`: the person must
        authenticate again now (a signature), whatever session the provider has."""
        meta = await self.metadata()
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        extra: dict[str, Any] = {"nonce": nonce}
        if fresh:
            extra.update(prompt="login", max_age=0)
        async with self._oauth(redirect_uri) as client:
            url, _ = client.create_authorization_url(meta["authorization_endpoint"], state=state,
                                                     code_verifier=verifier, **extra)
        return url, state, nonce, verifier

    async def exchange(self, redirect_uri: str, code: str, verifier: str, nonce: str,
                       *, fresh_since: int | None = None) -> Identity:
        """Trade the code for tokens and check the ID token; `fresh_since`: the authentication
        must have happened at or after this time (seconds since the epoch)."""
        meta = await self.metadata()
        async with self._oauth(redirect_uri) as client:
            try:
                token = await client.fetch_token(meta["token_endpoint"], code=code,
                                                 code_verifier=verifier,
                                                 grant_type="authorization_code")
            except Exception as e:  # noqa: BLE001 - any refusal of the token endpoint
                raise OidcError("oidc_token_refused", f"the directory refused the code: "
                                f"{e}") from e
        id_token = token.get("id_token")
        if not id_token:
            raise OidcError("oidc_no_id_token", "the directory sent no ID token (is the "
                            "`openid` scope granted?)")
        claims = await self.verify(id_token, nonce)
        auth_time = claims.get("auth_time")
        if fresh_since is not None:
            if not isinstance(auth_time, int) or auth_time < fresh_since - LEEWAY:
                raise OidcError("oidc_not_fresh", "the directory did not authenticate you "
                                "again for this signature (auth_time is missing or too old)")
        return self.identity(claims)

    async def verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        try:
            try:
                decoded = jwt.decode(id_token, await self.keys(), algorithms=ALGORITHMS)
            except (JoseError, ValueError):  # a key rolled since we fetched them
                decoded = jwt.decode(id_token, await self.keys(refresh=True),
                                     algorithms=ALGORITHMS)
        except (JoseError, ValueError) as e:
            raise OidcError("oidc_bad_signature", f"the ID token's signature does not "
                            f"verify: {e}") from e
        claims = dict(decoded.claims)
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY, iss={"essential": True, "value": self.issuer},
            sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
            nonce={"essential": True, "value": nonce})
        try:
            registry.validate(claims)
        except JoseError as e:
            raise OidcError("oidc_invalid_token", f"the ID token was refused: {e}") from e
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.client_id not in audiences:
            raise OidcError("oidc_wrong_audience", "the ID token was issued for another "
                            f"application ({audience!r})")
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise OidcError("oidc_wrong_audience", "the ID token's authorized party is not "
                            "this application")
        return claims

    def identity(self, claims: dict[str, Any]) -> Identity:
        settings = self.settings
        raw = claims.get(settings.oidc_role_claim) or []
        groups = tuple(str(g) for g in (raw if isinstance(raw, list) else [raw]))
        role = role_for(groups, settings.oidc_role_map)
        name = next((str(claims[c]) for c in settings.oidc_name_claims if claims.get(c)),
                    str(claims["sub"]))
        printed = str(claims.get("name") or " ".join(
            str(claims[c]) for c in ("given_name", "family_name") if claims.get(c)) or name)
        return Identity(issuer=self.issuer, subject=str(claims["sub"]), name=name,
                        printed_name=printed, email=claims.get("email"), role=role,
                        groups=groups, auth_time=claims.get("auth_time"), claims=claims)


def role_for(groups: tuple[str, ...], role_map: Mapping[str, str]) -> Role | None:
    """The role of the first group (in the map's order) the person is in; several mapped
    groups: the map's first wins, so that the unit decides, not the directory's order."""
    for group, role in role_map.items():
        if group in groups:
            return Role(role)
    return None


def new_state() -> str:
    return secrets.token_urlsafe(32)
