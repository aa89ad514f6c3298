"""A service provider built on ``@node-saml/node-saml`` (npm), run by Node (``node_saml_sp.js``
beside this file), for the tests that certify an SP from another ecosystem.

The package is looked for in ``$TPN_NODE_SAML`` (a folder with ``node_modules``), else in the
npm install that ``.ci/run`` makes (``npm install --prefix ~/.cache/tpn-node-saml
@node-saml/node-saml@5``). :func:`missing` says what is absent, for a skip.

:class:`Settings` is what the vendor configured. The defaults are the well-configured SP:
``validateInResponseTo: "always"`` (the library's cache of the request IDs it sent, each used
once, so a replayed Response is refused too), a small clock skew, the audience checked, signed
Responses and assertions wanted, and in the application what the library leaves to it: the
level, the uid's control digits, and the Recipient, which node-saml does not check.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

import requests

from tpn.mocks.saml import keys
from tpn.mocks.saml.metadata import IdentityProvider

SCRIPT = Path(__file__).with_name("node_saml_sp.js")
START_TIMEOUT = 30.0


def package_dir() -> Path:
    """The folder whose ``node_modules`` holds node-saml."""
    given = os.environ.get("TPN_NODE_SAML")
    return Path(given) if given else Path.home() / ".cache" / "tpn-node-saml"


def missing() -> str | None:
    """Why the node-saml SP cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not on PATH (Debian: apt-get install nodejs)"
    modules = package_dir() / "node_modules"
    if not (modules / "@node-saml" / "node-saml" / "package.json").is_file():
        return (
            f"@node-saml/node-saml is not installed under {modules} (npm install --prefix "
            f"{package_dir()} @node-saml/node-saml@5, or set TPN_NODE_SAML)"
        )
    return None


@dataclass
class Settings:
    """What the vendor configured; the defaults are the well-configured SP, the others the
    mistakes the tests show the suite catches."""

    validateInResponseTo: str = "always"  # node-saml's default is "never"
    acceptedClockSkewMs: int = 30_000  # -1 turns the time checks off
    audienceCheck: bool = True  # False: node-saml's `audience: false`
    levelCheck: bool = True
    recipientCheck: bool = True  # node-saml leaves the Recipient to the application
    level: int = 3


@dataclass
class NodeSamlSp:
    """The SP, trusting the portal ``idp`` (read from the metadata `tpn sp portal-metadata`
    writes); :meth:`start` it, :meth:`metadata` is what it publishes, :meth:`stop`."""

    idp: IdentityProvider
    settings: Settings = field(default_factory=Settings)
    port: int = 0
    process: subprocess.Popen[str] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        key = keys.generate("node-saml SP")
        self.folder = Path(tempfile.mkdtemp(prefix="tpn-node-saml-"))
        config = {
            "idp": {
                "entityId": self.idp.entity_id,
                "ssoUrl": self.idp.sso_url,
                "sloUrl": self.idp.slo_url,
                "cert": self.idp.cert_pem,
            },
            "sp": {"key": key.key_pem.decode(), "cert": key.cert_pem.decode()},
            **asdict(self.settings),
        }
        path = self.folder / "config.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        env = {**os.environ, "NODE_PATH": str(package_dir() / "node_modules")}
        with (self.folder / "node.err").open("w") as err:
            process = subprocess.Popen(
                ["node", str(SCRIPT), str(path)],
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                env=env,
            )
        self.process = process
        line: list[str] = []
        stdout = process.stdout
        assert stdout is not None
        # Its first line says the port; a reader thread bounds the wait.
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(START_TIMEOUT)
        if not line or not line[0].startswith("listening "):
            self.stop()
            raise RuntimeError(f"the node-saml SP did not start: {self.logs()}")
        self.port = int(line[0].split()[1])

    def metadata(self) -> bytes:
        answer = requests.get(f"{self.base_url}/metadata", timeout=10)
        answer.raise_for_status()
        return answer.content

    def logs(self) -> str:
        path = self.folder / "node.err"
        return path.read_text(errors="replace")[-4000:] if path.is_file() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)
