"""Credentials at rest: MultiFernet, so keys rotate (newest key first encrypts)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from ticketbridge.config import Settings


class Vault:
    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is required")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_settings(cls, settings: Settings) -> Vault:
        return cls(settings.fernet_keys())

    def encrypt_json(self, value: dict[str, Any]) -> bytes:
        return self._fernet.encrypt(json.dumps(value, separators=(",", ":")).encode())

    def decrypt_json(self, token: bytes) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self._fernet.decrypt(token))
        except InvalidToken as exc:  # never echo the ciphertext
            raise ValueError(
                "stored credentials cannot be decrypted with the current keys"
            ) from exc
        return data

    def encrypt_text(self, value: str) -> bytes:
        return self._fernet.encrypt(value.encode())

    def decrypt_text(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken as exc:
            raise ValueError("stored secret cannot be decrypted with the current keys") from exc

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt with the primary (first) key."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken as exc:
            raise ValueError(
                "a stored secret cannot be decrypted with any configured key; "
                "keep the old key in TICKETBRIDGE_ENCRYPTION_KEYS (after the new one)"
            ) from exc


def generate_key() -> str:
    return Fernet.generate_key().decode()


API_KEY_PREFIX = "tb_"


def new_api_key() -> tuple[str, str, str]:
    """Returns (full key shown once, display prefix, stored hash)."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, key[:11], hash_api_key(key)


def hash_api_key(key: str) -> str:
    # Keys carry 256 bits of entropy, so a fast hash is safe and keeps auth O(1).
    return hashlib.sha256(key.encode()).hexdigest()


def new_webhook_secret() -> str:
    """A webhook signing secret in the Standard Webhooks form: ``whsec_`` + base64 of 32
    random bytes (what ``standardwebhooks.Webhook(secret)`` expects)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def sign_webhook(secret: str, body: bytes) -> str:
    """The deprecated ``X-TicketBridge-Signature`` (HMAC of the body only; kept one release)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
