"""The API's authorizer: Orthanc-style HTTP Basic credentials against Secrets Manager, and
the tokens of a Cognito user pool (signed here with ``cryptography``, as Cognito signs)."""

from __future__ import annotations

import base64
import fnmatch
import io
import json
import os
import time
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from chalicelib.credentials import basic_user
from infra.authorizer.api_authorizer import basic, cognito_jwt, handler
from tests.support.api_gateway import method_arn

METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/api/GET/patients"
ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool"
CLIENT = "client1"


def basic_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    """A key pair of the pool, and tokens it signs."""

    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict[str, str]:
        numbers = self.private.public_key().public_numbers()

        def encode(value: int) -> str:
            return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))

        return {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
                "n": encode(numbers.n), "e": encode(numbers.e)}  # fmt: skip

    def token(self, header: dict[str, Any] | None = None, **claims: Any) -> str:
        header = {"kid": self.kid, "alg": "RS256", **(header or {})}
        body = {
            "iss": ISSUER,
            "token_use": "access",
            "client_id": CLIENT,
            "username": "alice",
            "exp": int(time.time()) + 3600,
            **claims,
        }
        signed = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(body).encode())}"
        signature = self.private.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signed}.{b64url(signature)}"


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer("key-1")


@pytest.fixture
def user_pool(monkeypatch: pytest.MonkeyPatch, signer: Signer, users_secret) -> list[str]:
    """The deployment's pool (its keys served at the issuer's JWKS address); the list
    records each download."""
    monkeypatch.setenv("CIRRUS_JWT_ISSUER", ISSUER)
    monkeypatch.setenv("CIRRUS_JWT_CLIENT_IDS", f"other,{CLIENT}")
    handler._verifier.cache_clear()
    downloads: list[str] = []

    def urlopen(url: str, timeout: float) -> io.BytesIO:
        downloads.append(url)
        return io.BytesIO(json.dumps({"keys": [signer.jwk()]}).encode())

    monkeypatch.setattr(cognito_jwt.urllib.request, "urlopen", urlopen)
    yield downloads
    handler._verifier.cache_clear()


def authorize(header: str) -> dict[str, Any]:
    return handler.handler({"authorizationToken": header, "methodArn": METHOD_ARN}, None)


def test_valid_credentials_allow_the_whole_api(users_secret) -> None:
    answer = authorize(basic_header("alice", "s3cret:with colon"))
    assert answer["principalId"] == "alice"
    [statement] = answer["policyDocument"]["Statement"]
    assert statement == {
        "Action": "execute-api:Invoke",
        "Effect": "Allow",
        "Resource": "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/api/*/*",
    }


def iam_allows(policy: dict[str, Any], arn: str) -> bool:
    """Whether an Allow statement of ``policy`` covers ``arn``, IAM's way: ``*`` matches any
    characters, slashes included, and ``?`` one."""
    return any(
        statement["Effect"] == "Allow" and fnmatch.fnmatchcase(arn, statement["Resource"])
        for statement in policy["Statement"]
    )


def test_behind_the_greedy_proxy_the_policy_still_sees_method_and_path(users_secret) -> None:
    """With one ``/{proxy+}`` resource, API Gateway's methodArn names the request's own method
    and path. The cached policy is reused for the caller's later requests to any path, so it
    must cover the whole API (a policy for the first methodArn alone would refuse them); and
    a policy may still grant by method and path, as read-only callers will need."""
    delete = method_arn("DELETE", "/instances/0b6f4a1e-6e2bcf80-b2d9a1b1-7b8f5c1d-3a2e9f04")
    read = method_arn("GET", "/studies/5a8b2c3d-1e4f5a6b-7c8d9e0f-1a2b3c4d-5e6f7a8b/archive")
    answer = handler.handler(
        {
            "type": "TOKEN",
            "authorizationToken": basic_header("alice", "s3cret:with colon"),
            "methodArn": delete,
        },
        None,
    )
    assert iam_allows(answer["policyDocument"], delete)
    assert iam_allows(answer["policyDocument"], read)
    api = delete.split("/DELETE/")[0]
    read_only = {"Statement": [{"Effect": "Allow", "Resource": f"{api}/GET/*"}]}
    assert iam_allows(read_only, read) and not iam_allows(read_only, delete)
    find = {"Statement": [{"Effect": "Allow", "Resource": f"{api}/POST/tools/find"}]}
    assert iam_allows(find, method_arn("POST", "/tools/find"))
    assert not iam_allows(find, method_arn("POST", "/instances"))


@pytest.mark.parametrize(
    "header",
    [
        basic_header("alice", "wrong"),
        basic_header("carol", "pw"),
        basic_header("bob", ""),
        "Bearer abc",
        "Basic !!!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "",
    ],
)
def test_anything_else_is_unauthorized(users_secret, header: str) -> None:
    """API Gateway turns exactly this exception text into 401 (with WWW-Authenticate)."""
    with pytest.raises(Exception, match="^Unauthorized$"):
        authorize(header)


def test_scheme_is_case_insensitive() -> None:
    header = "basic " + base64.b64encode(b"bob:pw").decode()
    assert basic_user(header, {"bob": "pw"}) == "bob"


def test_bearer_access_and_id_tokens_of_the_pool_are_accepted(user_pool, signer) -> None:
    assert authorize(f"Bearer {signer.token()}")["principalId"] == "alice"
    id_token = signer.token(token_use="id", aud=CLIENT, client_id=None, username=None,
                            **{"cognito:username": "bob"})  # fmt: skip
    assert authorize(f"Bearer {id_token}")["principalId"] == "bob"
    # A machine client's token (client credentials) names no user.
    machine = signer.token(username=None)
    assert authorize(f"Bearer {machine}")["principalId"] == CLIENT
    assert user_pool == [f"{ISSUER}/.well-known/jwks.json"]


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 1},
        {"exp": "tomorrow"},
        {"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"},
        {"client_id": "someone-else"},
        {"token_use": "refresh"},
        # An ID token carries its client in "aud", not in "client_id".
        {"token_use": "id", "aud": "someone-else"},
    ],
)
def test_tokens_for_another_use_are_refused(user_pool, signer, claims) -> None:
    with pytest.raises(Exception, match="^Unauthorized$"):
        authorize(f"Bearer {signer.token(**claims)}")


def test_forged_tokens_are_refused(user_pool, signer) -> None:
    header, claims, signature = signer.token().split(".")
    other = json.loads(base64.urlsafe_b64decode(claims + "=="))
    forged_claims = b64url(json.dumps({**other, "username": "admin"}).encode())
    stranger = Signer("key-1").token()
    forged = [
        f"{header}.{forged_claims}.{signature}",  # claims changed after signing
        stranger,  # signed by another key under the pool's key id
        f"{b64url(json.dumps({'alg': 'none', 'kid': 'key-1'}).encode())}.{claims}.",
        f"{b64url(json.dumps({'alg': 'HS256', 'kid': 'key-1'}).encode())}.{claims}.{signature}",
        f"{header}.{claims}",
        f"{b64url(json.dumps({'alg': 'RS256', 'kid': ['key-1']}).encode())}.{claims}.{signature}",
        f"{b64url(b'[1]')}.{claims}.{signature}",
        f"{header}.{claims}.{signature[:-4]}",
        "Bearer-less",
    ]
    for token in forged:
        with pytest.raises(Exception, match="^Unauthorized$"):
            authorize(f"Bearer {token}")


def test_unknown_key_ids_refetch_the_keys_at_most_once_a_minute(user_pool, signer) -> None:
    authorize(f"Bearer {signer.token()}")
    for _ in range(3):
        with pytest.raises(Exception, match="^Unauthorized$"):
            authorize(f"Bearer {Signer('rotated').token()}")
    # The first request fetched the keys; the unknown key then refetches them only once the
    # minute has passed.
    assert len(user_pool) == 1


def test_bearer_tokens_are_refused_without_a_pool(users_secret, signer, monkeypatch) -> None:
    monkeypatch.delenv("CIRRUS_JWT_ISSUER", raising=False)
    handler._verifier.cache_clear()
    with pytest.raises(Exception, match="^Unauthorized$"):
        authorize(f"Bearer {signer.token()}")
    handler._verifier.cache_clear()


def test_rsa_verification_agrees_with_cryptography(signer) -> None:
    key = cognito_jwt.parse_jwks({"keys": [signer.jwk()]})["key-1"]
    message = b"the message"
    signature = signer.private.sign(message, padding.PKCS1v15(), hashes.SHA256())
    assert cognito_jwt.rsa_sha256_verify(key, message, signature)
    assert not cognito_jwt.rsa_sha256_verify(key, b"another message", signature)
    # Same digest, another padding scheme (PSS): refused.
    pss = signer.private.sign(
        message,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256(),
    )
    assert not cognito_jwt.rsa_sha256_verify(key, message, pss)
    # Another hash in the DigestInfo: refused.
    sha1 = signer.private.sign(message, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    assert not cognito_jwt.rsa_sha256_verify(key, message, sha1)


# -- roles ---------------------------------------------------------------------------------


def secret_holding(monkeypatch: pytest.MonkeyPatch, document: dict[str, Any]) -> None:
    """The users secret (of the ``users_secret`` fixture) replaced by ``document``."""
    boto3.client("secretsmanager").put_secret_value(
        SecretId=os.environ["CIRRUS_USERS_SECRET"], SecretString=json.dumps(document)
    )
    monkeypatch.setitem(basic._cache, "users", None)


def test_users_of_orthancs_form_are_administrators(users_secret) -> None:
    """The secret as Orthanc's RegisteredUsers: every user may do everything, as in Orthanc
    (and as the deployment's generated ``orthanc`` user must)."""
    answer = authorize(basic_header("bob", "pw"))
    assert answer["context"] == {"user": "bob", "role": "administrator"}


def test_the_secret_gives_roles_in_the_configurations_form(users_secret, monkeypatch) -> None:
    secret_holding(
        monkeypatch,
        {
            "RegisteredUsers": {"rita": "r", "uma": "u", "ada": "a", "typo": "t"},
            "CirrusUserRoles": {
                "rita": "read-only",
                "uma": "uploader",
                "typo": "admin",
                "*": "administrator",
            },
        },
    )
    roles = {
        user: authorize(basic_header(user, user[0]))["context"]["role"]
        for user in ("rita", "uma", "ada", "typo")
    }
    assert roles == {
        "rita": "read-only",
        "uma": "uploader",
        "ada": "administrator",
        "typo": "read-only",  # a role that is no role grants the least
    }
    # A user named like the option, in Orthanc's form, is still a user.
    secret_holding(monkeypatch, {"RegisteredUsers": "pw"})
    assert authorize(basic_header("RegisteredUsers", "pw"))["principalId"] == "RegisteredUsers"


def test_the_role_applies_to_every_method_and_path_of_the_cached_answer(users_secret) -> None:
    """API Gateway reuses the answer for the token's later requests: its policy allows the
    whole API and its role is the caller's, not the first request's; the function checks the
    role per request (after method faking, which the authorizer cannot see)."""
    for arn in (method_arn("GET", "/patients"), method_arn("DELETE", "/patients/x")):
        answer = handler.handler(
            {"type": "TOKEN", "authorizationToken": basic_header("bob", "pw"), "methodArn": arn},
            None,
        )
        assert iam_allows(answer["policyDocument"], method_arn("PUT", "/peers/p"))
        assert answer["context"]["role"] == "administrator"


@pytest.mark.parametrize(
    ("claims", "role"),
    [
        ({}, "read-only"),
        ({"cognito:groups": ["doctors"]}, "read-only"),
        ({"cognito:groups": ["cirrus-uploaders", "doctors"]}, "uploader"),
        ({"cognito:groups": ["cirrus-uploaders", "cirrus-administrators"]}, "administrator"),
        ({"cognito:groups": "cirrus-administrators"}, "read-only"),  # not a list: no groups
        ({"username": None, "scope": "cirrus/all"}, "read-only"),  # a machine client
    ],
)
def test_cognito_groups_give_the_role(user_pool, signer, claims, role) -> None:
    assert authorize(f"Bearer {signer.token(**claims)}")["context"]["role"] == role
