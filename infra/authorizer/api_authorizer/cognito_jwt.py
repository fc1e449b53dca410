"""Verification of the JSON Web Tokens of an Amazon Cognito user pool (``Bearer`` requests).

New clients (web viewers behind a login page, AI pipelines) sign in to the deployment's
Cognito user pool and send its tokens, as AWS recommends; this checks them the way AWS's
"Verifying a JSON Web Token" guide says: an RS256 signature by one of the pool's published
keys, the pool as issuer, an app client of this deployment as audience, a ``token_use`` of
``id`` or ``access``, and an expiry in the future.

The RSA check is RFC 8017's RSASSA-PKCS1-v1_5 verification, which re-encodes the expected
message and compares it whole with the signature's (no parsing of attacker-controlled
padding, the classic source of forged signatures). It is a few lines of integer arithmetic,
which keeps the authorizer free of compiled dependencies (a wheel per Lambda platform) and
its cold start short; the tests check it against tokens signed by ``cryptography``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

from chalicelib.credentials import group_role

# DER prefix of DigestInfo for SHA-256 (RFC 8017, section 9.2, note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
# An unknown key id makes the keys be fetched again, at most this often (the pool rotates
# keys rarely; forged key ids must not turn every request into a download).
JWKS_REFRESH_SECONDS = 60
JWKS_TIMEOUT_SECONDS = 3


class InvalidToken(Exception):
    """The token is not one this deployment accepts (the reason is logged, not returned)."""


@dataclass(frozen=True)
class RsaKey:
    n: int
    e: int


def _b64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidToken("not base64url") from error


def _json_object(part: str) -> dict[str, Any]:
    """A JSON object of the token (header or claims); anything else is refused."""
    try:
        value = json.loads(_b64url(part))
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidToken("not JSON") from error
    if not isinstance(value, dict):
        raise InvalidToken("not a JSON object")
    return value


def key_id(token: str) -> str:
    """The ``kid`` of the token's header (read before the signature can be checked, so
    nothing about it is trusted)."""
    kid = _json_object(token.split(".", 1)[0]).get("kid")
    if not isinstance(kid, str):
        raise InvalidToken("no key id")
    return kid


def rsa_sha256_verify(key: RsaKey, message: bytes, signature: bytes) -> bool:
    """RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017, section 8.2.2)."""
    size = (key.n.bit_length() + 7) // 8
    if len(signature) != size:
        return False
    s = int.from_bytes(signature, "big")
    if s >= key.n:
        return False
    encoded = pow(s, key.e, key.n).to_bytes(size, "big")
    digest_info = SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    padding = size - len(digest_info) - 3
    if padding < 8:
        return False
    expected = b"\x00\x01" + b"\xff" * padding + b"\x00" + digest_info
    return hmac.compare_digest(encoded, expected)


def parse_jwks(document: dict[str, Any]) -> dict[str, RsaKey]:
    """The RSA signing keys of a JWKS document, by key id."""
    keys = {}
    for jwk in document.get("keys", []):
        if jwk.get("kty") == "RSA" and jwk.get("use", "sig") == "sig" and "kid" in jwk:
            n = int.from_bytes(_b64url(jwk["n"]), "big")
            e = int.from_bytes(_b64url(jwk["e"]), "big")
            keys[jwk["kid"]] = RsaKey(n, e)
    return keys


def verify(
    token: str,
    keys: dict[str, RsaKey],
    issuer: str,
    client_ids: frozenset[str],
    now: float,
) -> dict[str, Any]:
    """The claims of a valid token; :class:`InvalidToken` otherwise."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("not a JWS compact serialization")
    header = _json_object(parts[0])
    claims = _json_object(parts[1])
    if header.get("alg") != "RS256":
        raise InvalidToken(f"algorithm {header.get('alg')!r}")
    key = keys.get(key_id(token))
    if key is None:
        raise InvalidToken("unknown key id")
    signed = f"{parts[0]}.{parts[1]}".encode("ascii")
    if not rsa_sha256_verify(key, signed, _b64url(parts[2])):
        raise InvalidToken("bad signature")
    if claims.get("iss") != issuer:
        raise InvalidToken("another issuer")
    expiry = claims.get("exp")
    if not isinstance(expiry, int | float) or expiry <= now:
        raise InvalidToken("expired")
    use = claims.get("token_use")
    audience = claims.get("aud") if use == "id" else claims.get("client_id")
    if use not in ("id", "access") or not isinstance(audience, str) or audience not in client_ids:
        raise InvalidToken(f"token_use {use!r} for client {audience!r}")
    return claims


def principal(claims: dict[str, Any]) -> str:
    """Who is calling: the user, or the app client of a machine-to-machine token."""
    return str(claims.get("cognito:username") or claims.get("username") or claims["client_id"])


def role(claims: dict[str, Any]) -> str:
    """The caller's role, from the pool's groups it belongs to (``cognito:groups``, in ID and
    access tokens alike); a machine-to-machine token belongs to none and is read-only."""
    groups = claims.get("cognito:groups")
    if not isinstance(groups, list):
        groups = []
    return group_role(group for group in groups if isinstance(group, str))


class Verifier:
    """The pool's keys, downloaded once per container and again when a key id is new."""

    def __init__(self, issuer: str, client_ids: frozenset[str]) -> None:
        self.issuer = issuer
        self.client_ids = client_ids
        self._keys: dict[str, RsaKey] = {}
        self._fetched = float("-inf")

    def _refresh(self) -> None:
        if time.monotonic() - self._fetched < JWKS_REFRESH_SECONDS:
            return
        url = f"{self.issuer}/.well-known/jwks.json"
        if not url.startswith("https://"):
            raise InvalidToken("the issuer must be an https URL")
        with urllib.request.urlopen(url, timeout=JWKS_TIMEOUT_SECONDS) as answer:  # noqa: S310
            self._keys = parse_jwks(json.load(answer))
        self._fetched = time.monotonic()

    def verify(self, token: str) -> dict[str, Any]:
        if key_id(token) not in self._keys:
            self._refresh()
        return verify(token, self._keys, self.issuer, self.client_ids, time.time())
