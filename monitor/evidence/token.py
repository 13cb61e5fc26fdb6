"""RFC 3161 timestamp tokens: the request we send and the checks any verifier makes.

ASN.1 through asn1crypto, signatures and certificates through cryptography. A token is good
when its TSTInfo's message imprint is the digest we asked about, the signer's signed
attributes hold the TSTInfo's digest, the signature over them verifies with the signer's
certificate, that certificate is for time stamping only (extendedKeyUsage timeStamping,
critical), valid at the token's time, and issued by one of the trusted CA certificates
(directly or through the certificates the token carries).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import algos, cms, core, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from collectors.errors import PolmonError

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class TokenError(PolmonError):
    """A timestamp token that does not prove what it should (the reason in the message)."""

    expected = True


@dataclass(frozen=True)
class TokenCheck:
    """What a good token says: when the TSA signed, who it is, the serial it gave."""

    gen_time: datetime
    tsa: str
    serial: int


def timestamp_request(digest: bytes) -> tuple[bytes, int]:
    """A DER TimeStampReq for a sha256 digest (certificate requested) and its nonce."""
    nonce = secrets.randbits(63)
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "hashed_message": digest,
            },
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return request.dump(), nonce


def token_from_response(response: bytes, digest: bytes, nonce: int) -> bytes:
    """The DER TimeStampToken of a granted TimeStampResp for our request; else TokenError."""
    try:  # read field by field: a refusal carries no token, which TimeStampResp requires
        fields = core.Sequence.load(response)
        status_info = tsp.PKIStatusInfo.load(fields[0].dump())
        status = status_info["status"].native
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise TokenError(f"the TSA's answer is not a timestamp response ({exc})") from None
    if status not in ("granted", "granted_with_mods"):
        text = status_info["status_string"].native or []
        raise TokenError(f"the TSA refused: {status} {' '.join(text)}".strip())
    try:
        token = cms.ContentInfo.load(fields[1].dump())
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise TokenError(f"the TSA granted but sent no readable token ({exc})") from None
    tst = _tst_info(token)
    if tst["nonce"].native != nonce:
        raise TokenError("the TSA's token answers another request (nonce differs)")
    _check_imprint(tst, digest)
    return bytes(token.dump())


def token_time(token: bytes) -> datetime:
    """The time a DER TimeStampToken says the TSA signed (unchecked)."""
    when: datetime = _tst_info(cms.ContentInfo.load(token))["gen_time"].native
    return when


def load_certificates(path: Path) -> list[x509.Certificate]:
    """Every PEM certificate in `path` (a CA bundle)."""
    try:
        return x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise TokenError(f"cannot read CA certificates from {path}: {exc}") from None


def _tst_info(token: cms.ContentInfo) -> tsp.TSTInfo:
    if token["content_type"].native != "signed_data":
        raise TokenError("the token is not CMS SignedData")
    encap = token["content"]["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise TokenError("the token does not hold a TSTInfo")
    info = encap["content"].parsed
    if not isinstance(info, tsp.TSTInfo):
        raise TokenError("the token's TSTInfo cannot be read")
    return info


def _check_imprint(tst: tsp.TSTInfo, digest: bytes) -> None:
    imprint = tst["message_imprint"]
    if imprint["hash_algorithm"]["algorithm"].native != "sha256":
        raise TokenError("the token stamps another kind of hash than sha256")
    if imprint["hashed_message"].native != digest:
        raise TokenError("the token stamps another digest than this Merkle root")


def _signer_certificate(
    signed: cms.SignedData, signer: cms.SignerInfo
) -> tuple[x509.Certificate, list[x509.Certificate]]:
    carried = [
        x509.load_der_x509_certificate(choice.chosen.dump())
        for choice in signed["certificates"] or []
        if choice.name == "certificate"
    ]
    sid = signer["sid"]
    for cert in carried:
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if (
                cert.serial_number == wanted["serial_number"].native
                and cert.issuer.public_bytes() == wanted["issuer"].dump()
            ):
                return cert, carried
        else:
            try:
                ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            except x509.ExtensionNotFound:
                continue
            if ski.value.digest == sid.chosen.native:
                return cert, carried
    raise TokenError("the token does not carry its signer's certificate")


def _verify_signature(cert: x509.Certificate, signer: cms.SignerInfo, data: bytes) -> None:
    digest_name = signer["digest_algorithm"]["algorithm"].native
    if digest_name not in _HASHES:
        raise TokenError(f"unsupported digest {digest_name}")
    algorithm = _HASHES[digest_name]()
    signature = signer["signature"].native
    key = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            scheme = signer["signature_algorithm"].signature_algo
            pad: padding.AsymmetricPadding = (
                padding.PSS(padding.MGF1(algorithm), padding.PSS.AUTO)
                if scheme == "rsassa_pss"
                else padding.PKCS1v15()
            )
            key.verify(signature, data, pad, algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm))
        else:
            raise TokenError("unsupported signer key type")
    except InvalidSignature:
        raise TokenError("the TSA's signature does not verify (token altered)") from None


def _check_chain(
    cert: x509.Certificate, carried: list[x509.Certificate], trusted: list[x509.Certificate]
) -> None:
    current = cert
    pool = [c for c in carried if c != cert]
    for _ in range(8):
        for anchor in trusted:
            if current == anchor:
                return
            try:
                current.verify_directly_issued_by(anchor)
                return
            except (ValueError, TypeError, InvalidSignature):
                continue
        for issuer in pool:
            try:
                current.verify_directly_issued_by(issuer)
            except (ValueError, TypeError, InvalidSignature):
                continue
            current = issuer
            pool.remove(issuer)
            break
        else:
            break
    raise TokenError("the TSA certificate is not issued by the trusted CA")


def _check_usage(cert: x509.Certificate, when: datetime) -> None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        raise TokenError("the TSA certificate has no extendedKeyUsage") from None
    if not usage.critical or list(usage.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        raise TokenError("the TSA certificate is not for time stamping only (critical)")
    if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
        raise TokenError("the token's time is outside the TSA certificate's validity")


def verify_token(token: bytes, digest: bytes, trusted: list[x509.Certificate]) -> TokenCheck:
    """Check a DER TimeStampToken over `digest` against the trusted CA certificates."""
    try:
        parsed = cms.ContentInfo.load(token)
        tst = _tst_info(parsed)
        signed = parsed["content"]
        signers = signed["signer_infos"]
        if len(signers) != 1:
            raise TokenError("the token must have exactly one signer")
        signer = signers[0]
        tst_bytes = bytes(signed["encap_content_info"]["content"].contents)
        _check_imprint(tst, digest)
        attributes = signer["signed_attrs"]
        stated = next(
            (a["values"][0].native for a in attributes if a["type"].native == "message_digest"),
            None,
        )
        digest_name = signer["digest_algorithm"]["algorithm"].native
        if digest_name not in _HASHES or stated != hashlib.new(digest_name, tst_bytes).digest():
            raise TokenError("the token's TSTInfo does not match its signed digest (altered)")
        cert, carried = _signer_certificate(signed, signer)
        signed_bytes = b"\x31" + bytes(attributes.dump())[1:]  # [0] IMPLICIT -> SET OF
        _verify_signature(cert, signer, signed_bytes)
        when = tst["gen_time"].native
        _check_usage(cert, when)
        _check_chain(cert, carried, trusted)
    except TokenError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise TokenError(f"the token cannot be read ({type(exc).__name__})") from None
    tsa = tst["tsa"].chosen.human_friendly if tst["tsa"].native else cert.subject.rfc4514_string()
    return TokenCheck(gen_time=when, tsa=tsa, serial=int(tst["serial_number"].native))


__all__ = [
    "TokenCheck",
    "TokenError",
    "load_certificates",
    "timestamp_request",
    "token_from_response",
    "token_time",
    "verify_token",
]
