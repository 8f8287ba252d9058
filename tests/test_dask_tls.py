"""Dask over TLS (issue 11, item 7; decision 59).

Recorded in docs/decisions/0059-output-directories-owned-and-locked.md.

A real scheduler and worker are started on 127.0.0.1 with a throwaway certificate authority made
here with the ``cryptography`` package; ``intsim mc`` connects with ``--tls-ca``, ``--tls-cert``
and ``--tls-key`` (or ``--dask-config``) and gives the same runs as a serial run. A client whose
certificate another CA signed is refused (the scheduler authenticates its clients). A plain
``tcp://`` address on another host prints a warning (checked without connecting anywhere).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from argparse import Namespace
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from batch_helpers import dask_subprocesses
from intsim.analysis.batch import (
    SchedulerTls,
    dask_security_from_args,
    insecure_scheduler_warning,
    make_executor,
    scheduler_security,
)
from intsim.cli import main
from test_montecarlo import EXPERIMENT, write_experiment

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402

TIMEOUT = 60.0


@dataclass(frozen=True)
class Pki:
    """PEM files of a throwaway CA and of one certificate it signed (for 127.0.0.1)."""

    ca: Path
    cert: Path
    key: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_pki(folder: Path, label: str) -> Pki:
    """A CA and a certificate for localhost/127.0.0.1, valid for one day, both TLS roles."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"intsim test CA {label}"))
        .issuer_name(_name(f"intsim test CA {label}"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pki = Pki(folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    pki.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    pki.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pki.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return pki


@dataclass(frozen=True)
class TlsCluster:
    address: str
    pki: Pki
    folder: Path


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsCluster]:
    """A TLS-only Dask scheduler and one worker on 127.0.0.1 (subprocesses)."""
    folder = tmp_path_factory.mktemp("tls")
    pki = make_pki(folder / "pki", "A")
    tls = ["--tls-ca-file", str(pki.ca), "--tls-cert", str(pki.cert), "--tls-key", str(pki.key)]
    with dask_subprocesses(folder, scheme="tls", extra=tls, timeout=TIMEOUT) as address:
        yield TlsCluster(address, pki, folder)


def _mc(tmp_path: Path, *extra: str) -> tuple[list[str], Path]:
    exp = write_experiment(tmp_path, EXPERIMENT)
    out = tmp_path / "out"
    return ["mc", str(exp), "--chunk-size", "4", "--no-figures", "--quiet", *extra], out


def test_mc_over_tls_matches_a_serial_run(tls_cluster, tmp_path, capsys):
    args, out = _mc(tmp_path)
    assert main([*args, "--serial", "--out", str(tmp_path / "serial")]) == 0
    pki = tls_cluster.pki
    tls = ["--tls-ca", str(pki.ca), "--tls-cert", str(pki.cert), "--tls-key", str(pki.key)]
    capsys.readouterr()
    code = main([*args, "--scheduler", tls_cluster.address, *tls, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "arbitrary code" not in err  # no warning about an unencrypted connection
    assert (out / "runs.parquet").read_bytes() == (
        tmp_path / "serial" / "runs.parquet"
    ).read_bytes()


def test_mc_over_tls_with_a_dask_config_file(tls_cluster, tmp_path, capsys):
    pki = tls_cluster.pki
    config = tmp_path / "dask-tls.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "distributed": {
                    "comm": {
                        "tls": {
                            "ca-file": str(pki.ca),
                            "client": {"cert": str(pki.cert), "key": str(pki.key)},
                        }
                    }
                }
            }
        )
    )
    args, out = _mc(tmp_path, "--runs", "1", "--reps", "1")
    capsys.readouterr()
    code = main(
        [*args, "--scheduler", tls_cluster.address, "--dask-config", str(config), "--out", str(out)]
    )
    assert code == 0, capsys.readouterr().err
    assert (out / "runs.parquet").is_file()


def test_a_client_certificate_from_another_ca_is_refused(tls_cluster, tmp_path):
    stranger = make_pki(tmp_path / "other", "B")
    security = scheduler_security(
        SchedulerTls(ca_file=tls_cluster.pki.ca, cert=stranger.cert, key=stranger.key)
    )
    with (
        pytest.raises(ConnectionError, match="cannot connect to the Dask scheduler"),
        make_executor("dask", scheduler=tls_cluster.address, connect_timeout=5, security=security),
    ):
        pass


def test_tls_scheduler_without_tls_options_is_a_user_error(tls_cluster, tmp_path, capsys):
    args, out = _mc(tmp_path)
    capsys.readouterr()
    assert main([*args, "--scheduler", tls_cluster.address, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--scheduler tls://" in err
    assert "--tls-ca" in err
    assert not out.exists()


def _namespace(**kwargs: object) -> Namespace:
    base = {"scheduler": None, "tls_ca": None, "tls_cert": None, "tls_key": None}
    return Namespace(**{**base, "dask_config": None, **kwargs})


@pytest.mark.parametrize(
    ("address", "warned"),
    [
        ("tcp://10.20.30.40:8786", True),
        ("tcp://cluster.example.org:8786", True),
        ("tcp://127.0.0.1:8786", False),
        ("tcp://127.3.2.1:8786", False),
        ("tcp://localhost:8786", False),
        ("tcp://[::1]:8786", False),
        ("tls://10.20.30.40:8786", False),
    ],
)
def test_plain_tcp_to_another_host_warns_that_it_can_run_code(address, warned, capsys):
    # only the message is checked: nothing here connects to a non-local address
    assert (insecure_scheduler_warning(address) is not None) == warned
    if address.startswith("tcp://"):
        assert dask_security_from_args(_namespace(scheduler=address)) is None
        err = capsys.readouterr().err
        assert ("arbitrary code" in err) == warned
        if warned:
            assert len(err.strip().splitlines()) == 1
            assert address in err


def test_tls_options_need_a_tls_scheduler(tmp_path):
    pki = make_pki(tmp_path / "pki", "C")
    with pytest.raises(ValueError, match="apply to a --scheduler tls"):
        dask_security_from_args(_namespace(tls_ca=pki.ca))
    with pytest.raises(ValueError, match="use the scheduler's tls:// address"):
        dask_security_from_args(_namespace(scheduler="tcp://127.0.0.1:1", tls_ca=pki.ca))
    with pytest.raises(ValueError, match="--tls-key: needs --tls-cert"):
        dask_security_from_args(_namespace(scheduler="tls://127.0.0.1:1", tls_key=pki.key))
    empty = tmp_path / "empty.yaml"
    empty.write_text("distributed: {}\n")
    with pytest.raises(ValueError, match="no CA file or client certificate"):
        dask_security_from_args(_namespace(scheduler="tls://127.0.0.1:1", dask_config=empty))
    security = dask_security_from_args(
        _namespace(scheduler="tls://127.0.0.1:1", tls_ca=pki.ca, tls_cert=pki.cert, tls_key=pki.key)
    )
    assert security.require_encryption is True
    assert security.tls_ca_file == str(pki.ca)
