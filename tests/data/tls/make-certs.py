#!/usr/bin/env python3
# make-certs.py: makes the TEST FIXTURES in this folder (not secrets).
#
# The keys here protect nothing: they only let the in-process fake servers
# (tests/sync/fake-servers.c) speak HTTPS on 127.0.0.1 so that the tests can
# show that Callnotes refuses certificates it should not trust. No real
# system trusts test-ca.pem; its private key was thrown away after signing.
#
#   test-ca.pem      the test CA (certificate only), valid 2020-2120
#   localhost.pem    127.0.0.1 and localhost, signed by the test CA, 2020-2120
#   expired.pem      the same names, expired (2000-2001)
#   wrong-host.pem   valid, but for wrong-host.invalid only
# Each server file holds the certificate and then its key (PKCS#8 PEM).
#
# Run again (needs python3-cryptography) only to replace them all:
#   python3 tests/data/tls/make-certs.py tests/data/tls
#
# SPDX-License-Identifier: GPL-3.0-or-later
import datetime
import ipaddress
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
utc = datetime.timezone.utc


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Callnotes tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


ca_key = ec.generate_private_key(ec.SECP256R1())
ca = (x509.CertificateBuilder()
      .subject_name(name("Callnotes test CA (not trusted anywhere)"))
      .issuer_name(name("Callnotes test CA (not trusted anywhere)"))
      .public_key(ca_key.public_key())
      .serial_number(x509.random_serial_number())
      .not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=utc))
      .not_valid_after(datetime.datetime(2120, 1, 1, tzinfo=utc))
      .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
      .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                   key_encipherment=False, data_encipherment=False,
                                   key_agreement=False, key_cert_sign=True, crl_sign=True,
                                   encipher_only=False, decipher_only=False), critical=True)
      .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                     critical=False)
      .sign(ca_key, hashes.SHA256()))

with open(os.path.join(out, "test-ca.pem"), "wb") as f:
    f.write(ca.public_bytes(serialization.Encoding.PEM))


def leaf(filename, cn, names, start, end):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(name(cn))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    with open(os.path.join(out, filename), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
        f.write(pem_key(key))


local = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
leaf("localhost.pem", "127.0.0.1", local,
     datetime.datetime(2020, 1, 1, tzinfo=utc), datetime.datetime(2120, 1, 1, tzinfo=utc))
leaf("expired.pem", "127.0.0.1", local,
     datetime.datetime(2000, 1, 1, tzinfo=utc), datetime.datetime(2001, 1, 1, tzinfo=utc))
leaf("wrong-host.pem", "wrong-host.invalid", [x509.DNSName("wrong-host.invalid")],
     datetime.datetime(2020, 1, 1, tzinfo=utc), datetime.datetime(2120, 1, 1, tzinfo=utc))
