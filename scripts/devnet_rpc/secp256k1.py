"""A fast eth-keys backend over the system libsecp256k1, through ctypes.

Why: eth-keys falls back to a pure-Python curve implementation when `coincurve` is not
installed, and recovering the sender of one transaction then costs ~7 ms - most of the
devnet's per-transaction time. `scripts/setup` already installs libsecp256k1 (the Swift code
links it), and Debian builds it with the recovery module, so a ctypes binding gives the same
speed as coincurve without another PyPI package. Only the hot operations (recover, sign,
public key from private key) are overridden; anything else, or a machine without the
library, uses eth-keys' native backend.

Enable it with `install()`, which points eth-keys' ECC_BACKEND_CLASS at this class.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

from eth_keys.backends.native import NativeECCBackend
from eth_keys.datatypes import PrivateKey, PublicKey, Signature
from eth_keys.exceptions import BadSignature

_CONTEXT_VERIFY = 1 << 0 | 1 << 8
_CONTEXT_SIGN = 1 << 0 | 1 << 9
_EC_UNCOMPRESSED = 1 << 1

_lib = None
_ctx = None


def _load() -> bool:
    """Loads the library once; False when it (or its recovery module) is missing."""
    global _lib, _ctx
    if _lib is not None:
        return True
    names = [ctypes.util.find_library("secp256k1"), "libsecp256k1.so.1", "libsecp256k1.so",
             "libsecp256k1.dylib"]
    for name in filter(None, names):
        try:
            lib = ctypes.CDLL(name)
            lib.secp256k1_ecdsa_recover  # the recovery module must be compiled in
        except (OSError, AttributeError):
            continue
        lib.secp256k1_context_create.restype = ctypes.c_void_p
        lib.secp256k1_context_create.argtypes = [ctypes.c_uint]
        vp, cp = ctypes.c_void_p, ctypes.c_char_p
        lib.secp256k1_ecdsa_recoverable_signature_parse_compact.argtypes = [vp, cp, cp, ctypes.c_int]
        lib.secp256k1_ecdsa_recover.argtypes = [vp, cp, cp, cp]
        lib.secp256k1_ec_pubkey_serialize.argtypes = [vp, cp, ctypes.POINTER(ctypes.c_size_t), cp, ctypes.c_uint]
        lib.secp256k1_ec_pubkey_create.argtypes = [vp, cp, cp]
        lib.secp256k1_ecdsa_sign_recoverable.argtypes = [vp, cp, cp, cp, vp, vp]
        lib.secp256k1_ecdsa_recoverable_signature_serialize_compact.argtypes = [
            vp, cp, ctypes.POINTER(ctypes.c_int), cp]
        _ctx = lib.secp256k1_context_create(_CONTEXT_VERIFY | _CONTEXT_SIGN)
        _lib = lib
        return True
    return False


def _serialize_pubkey(pubkey_struct) -> bytes:
    out = ctypes.create_string_buffer(65)
    size = ctypes.c_size_t(65)
    _lib.secp256k1_ec_pubkey_serialize(_ctx, out, ctypes.byref(size), pubkey_struct, _EC_UNCOMPRESSED)
    return out.raw[1:65]  # drop the 0x04 prefix: eth-keys stores 64-byte public keys


class LibSecp256k1Backend(NativeECCBackend):
    """eth-keys backend: libsecp256k1 for the hot paths, native Python for the rest."""

    def ecdsa_recover(self, msg_hash: bytes, signature: Signature) -> PublicKey:
        if not _load():
            return super().ecdsa_recover(msg_hash, signature)
        sig = ctypes.create_string_buffer(65)
        compact = signature.r.to_bytes(32, "big") + signature.s.to_bytes(32, "big")
        if not _lib.secp256k1_ecdsa_recoverable_signature_parse_compact(_ctx, sig, compact, signature.v):
            raise BadSignature("invalid signature")
        pub = ctypes.create_string_buffer(64)
        if not _lib.secp256k1_ecdsa_recover(_ctx, pub, sig, bytes(msg_hash)):
            raise BadSignature("signature does not recover to a public key")
        return PublicKey(_serialize_pubkey(pub), backend=self)

    def ecdsa_sign(self, msg_hash: bytes, private_key: PrivateKey) -> Signature:
        if not _load():
            return super().ecdsa_sign(msg_hash, private_key)
        sig = ctypes.create_string_buffer(65)
        if not _lib.secp256k1_ecdsa_sign_recoverable(_ctx, sig, bytes(msg_hash), private_key.to_bytes(), None, None):
            raise BadSignature("signing failed")
        out = ctypes.create_string_buffer(64)
        recid = ctypes.c_int(0)
        _lib.secp256k1_ecdsa_recoverable_signature_serialize_compact(_ctx, out, ctypes.byref(recid), sig)
        return Signature(out.raw + bytes([recid.value]), backend=self)

    def private_key_to_public_key(self, private_key: PrivateKey) -> PublicKey:
        if not _load():
            return super().private_key_to_public_key(private_key)
        pub = ctypes.create_string_buffer(64)
        if not _lib.secp256k1_ec_pubkey_create(_ctx, pub, private_key.to_bytes()):
            raise BadSignature("invalid private key")
        return PublicKey(_serialize_pubkey(pub), backend=self)


BACKEND_PATH = f"{__name__}.LibSecp256k1Backend"  # importable while scripts/ is on sys.path


def available() -> bool:
    return _load()


def install() -> bool:
    """Makes eth-keys (and so py-evm and eth-account) use this backend; False if unavailable.

    eth-keys reads ECC_BACKEND_CLASS on every use, so this works even after import. It is an
    environment variable, so child processes inherit it: only for processes that own their
    environment (the devnet server).
    """
    if not _load():
        return False
    os.environ["ECC_BACKEND_CLASS"] = BACKEND_PATH
    return True
