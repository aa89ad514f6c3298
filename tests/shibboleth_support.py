"""A Shibboleth SP 3 (Debian's ``libapache2-mod-shib``: Apache with mod_shib, and shibd) set up
as a municipality would set it up to trust the suite's portal, for the tests that certify it.

Configured well: the portal's metadata from a file (the one ``tpn sp portal-metadata`` writes),
its ACS over HTTP-Artifact first and HTTP-POST second, signed AuthnRequests and a signed SOAP
ArtifactResolve (the algorithm taken from the portal's metadata), the default replay cache,
unsolicited responses refused, and a ``Require shib-attr SecurityLevel`` rule on the service.
Behind Apache sits the municipality's own application (a WSGI app in the test process, reached
by mod_proxy), which reads what mod_shib passes on in headers and checks that the uid is a
valid fødselsnummer or D-number: Shibboleth leaves that to the application.

    GET /side      the protected page (a session, or off to the portal)
    GET /probe     "Innlogget: FNR" or not (lazy session: it never starts a login)
    GET /logout    Shibboleth's SAML 2 logout, back to /side

Everything lives in one folder that Apache's workers (www-data) can read; shibd and Apache run
as root, Apache's workers as www-data. Needs root and Debian's packages; :func:`missing` says
what is absent, for a skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote
from wsgiref.simple_server import WSGIRequestHandler, make_server

import requests

from tpn.fixtures import identifiers
from tpn.mocks.core.serving import free_port
from tpn.mocks.saml import keys
from tpn.mocks.saml.metadata import IdentityProvider

MODULES = Path("/usr/lib/apache2/modules")
APACHE, SHIBD = Path("/usr/sbin/apache2"), Path("/usr/sbin/shibd")
# Debian's files, referred to where they lie (the SP's default policies and protocol handlers).
SHIB_ETC = Path("/etc/shibboleth")
START_TIMEOUT = 30.0
ARTIFACT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"  # level 3
SMARTCARD = "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI"  # level 4


def missing() -> str | None:
    """Why a Shibboleth SP cannot run here, or None."""
    if os.geteuid() != 0:
        return "Shibboleth SP needs root (Apache and shibd are started as root)"
    for path in (APACHE, SHIBD, MODULES / "mod_shib.so", MODULES / "mod_proxy_http.so"):
        if not path.exists():
            return f"{path} is missing (Debian: apt-get install apache2 libapache2-mod-shib)"
    return None


@dataclass
class Settings:
    """What the municipality configured; the defaults are the well-configured SP. The others
    are the mistakes the tests show the suite catches."""

    level: int = 3  # the service's level: the Require rule admits this and above
    level_check: bool = True  # the Require shib-attr SecurityLevel rule
    # Debian's "blockUnsolicited" security policy: InResponseTo must name a request this
    # browser started (the Bearer rule's correlation check). Shibboleth's default policy
    # takes unsolicited responses, and any InResponseTo.
    block_unsolicited: bool = True
    # What the SP signs its back channel with; None: what the portal's metadata says it accepts.
    signing_alg: str | None = None
    uid_check: bool = True  # the application's check of the uid


ATTRIBUTE_MAP = """<Attributes xmlns="urn:mace:shibboleth:2.0:attribute-map">
  <Attribute name="uid" nameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic" id="uid"/>
  <Attribute name="SecurityLevel" nameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
             id="SecurityLevel"/>
  <Attribute name="AuthMethod" nameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
             id="AuthMethod"/>
  <Attribute name="Culture" nameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
             id="Culture"/>
</Attributes>
"""

# The portal is the only IdP trusted; whatever it releases is kept.
ATTRIBUTE_POLICY = """<afp:AttributeFilterPolicyGroup
    xmlns="urn:mace:shibboleth:2.0:afp:mf:basic"
    xmlns:afp="urn:mace:shibboleth:2.0:afp"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <afp:AttributeFilterPolicy>
    <afp:PolicyRequirementRule xsi:type="ANY"/>
    <afp:AttributeRule attributeID="*" permitAny="true"/>
  </afp:AttributeFilterPolicy>
</afp:AttributeFilterPolicyGroup>
"""

LOGGER = """log4j.rootCategory=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.fileName={path}
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=%d %p %c: %m%n
"""


def _shibboleth2(folder: Path, base: str, idp: IdentityProvider, settings: Settings) -> str:
    policy = "blockUnsolicited" if settings.block_unsolicited else "default"
    level = PASSWORD if settings.level == 3 else SMARTCARD
    alg = f' signingAlg="{settings.signing_alg}"' if settings.signing_alg else ""
    # requireConfidentiality off: the suite's portal answers the back channel over plain HTTP
    # on loopback; a municipality's portal speaks TLS.
    return f"""<SPConfig xmlns="urn:mace:shibboleth:3.0:native:sp:config"
    xmlns:conf="urn:mace:shibboleth:3.0:native:sp:config"
    xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    clockSkew="60">
  <OutOfProcess logger="{folder}/shibd.logger"/>
  <InProcess logger="{folder}/native.logger"/>
  <UnixListener address="{folder}/shibd.sock"/>
  <ApplicationDefaults entityID="{base}/shibboleth" REMOTE_USER="uid" signing="true"
                       policyId="{policy}" requireConfidentiality="false"{alg}>
    <Sessions lifetime="28800" timeout="3600" relayState="ss:mem" checkAddress="false"
              handlerSSL="false" cookieProps="http" redirectLimit="exact">
      <Logout>SAML2 Local</Logout>
      <SessionInitiator type="SAML2" Location="/Login" isDefault="true" id="Login"
                        entityID="{idp.entity_id}" outgoingBindings="{REDIRECT}"
                        authnContextClassRef="{level}" authnContextComparison="minimum"
                        template="{SHIB_ETC}/bindingTemplate.html"/>
      <md:AssertionConsumerService Location="/SAML2/Artifact" index="1" Binding="{ARTIFACT}"/>
      <md:AssertionConsumerService Location="/SAML2/POST" index="2" Binding="{POST}"/>
      <Handler type="MetadataGenerator" Location="/Metadata" signing="false"/>
      <Handler type="Status" Location="/Status" acl="127.0.0.1"/>
    </Sessions>
    <Errors supportContact="root@localhost" styleSheet="/shibboleth-sp/main.css"
            session="{SHIB_ETC}/sessionError.html" metadata="{SHIB_ETC}/metadataError.html"
            access="{SHIB_ETC}/accessError.html" ssl="{SHIB_ETC}/sslError.html"
            localLogout="{SHIB_ETC}/localLogout.html" globalLogout="{SHIB_ETC}/globalLogout.html"
            partialLogout="{SHIB_ETC}/partialLogout.html"/>
    <MetadataProvider type="XML" validate="true" path="{folder}/portal.xml"/>
    <AttributeExtractor type="XML" validate="true" path="{folder}/attribute-map.xml"/>
    <AttributeFilter type="XML" validate="true" path="{folder}/attribute-policy.xml"/>
    <CredentialResolver type="File" use="signing" key="{folder}/sp-key.pem"
                        certificate="{folder}/sp-cert.pem"/>
  </ApplicationDefaults>
  <SecurityPolicyProvider type="XML" validate="true" path="{SHIB_ETC}/security-policy.xml"/>
  <ProtocolProvider type="XML" validate="true" path="{SHIB_ETC}/protocols.xml"/>
</SPConfig>
"""


def _httpd(folder: Path, port: int, app_port: int, settings: Settings) -> str:
    levels = " ".join(str(n) for n in range(settings.level, 5))
    # Without the level rule, any session will do.
    rule = f"shib-attr SecurityLevel {levels}" if settings.level_check else "shib-session"
    service = f"Require {rule}"
    names = ("mpm_event", "authn_core", "authz_core", "alias", "proxy", "proxy_http")
    modules = "\n".join(f"LoadModule {name}_module {MODULES}/mod_{name}.so" for name in names)
    back = f"http://127.0.0.1:{port}/side"
    return f"""{modules}
LoadModule mod_shib {MODULES}/mod_shib.so
ServerName 127.0.0.1:{port}
UseCanonicalName On
Listen 127.0.0.1:{port}
PidFile {folder}/httpd.pid
DefaultRuntimeDir {folder}
ErrorLog {folder}/error.log
LogLevel warn
User www-data
Group www-data
ShibConfig {folder}/shibboleth2.xml
ShibCompatValidUser Off
<Location /Shibboleth.sso>
  SetHandler shib
</Location>
<Location /side>
  AuthType shibboleth
  ShibRequestSetting requireSession 1
  ShibUseHeaders On
  {service}
  ProxyPass http://127.0.0.1:{app_port}/side
</Location>
<Location /probe>
  AuthType shibboleth
  ShibRequestSetting requireSession 0
  ShibUseHeaders On
  {service}
  ProxyPass http://127.0.0.1:{app_port}/probe
</Location>
Redirect /logout /Shibboleth.sso/Logout?return={quote(back, safe="")}
"""


@dataclass
class Application:
    """The municipality's application behind Apache: it trusts what mod_shib passes on (the
    level was Apache's Require rule's to check), and checks what Shibboleth leaves to it: the
    uid's control digits."""

    settings: Settings

    def __call__(self, environ: dict[str, Any], start: Any) -> Iterable[bytes]:
        uid = environ.get("HTTP_UID", "")
        path = environ.get("PATH_INFO", "")
        valid = not self.settings.uid_check or identifiers.check_person(uid).valid
        logged_in = bool(uid) and valid
        if path == "/side":
            text = f"Velkommen, {uid}" if logged_in else "Ingen tilgang"
        elif path == "/probe":
            text = f"Innlogget: {uid}" if logged_in else "Ikke innlogget"
        else:
            text = f"no {path} here"
        start("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
        return [text.encode("utf-8")]


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class ShibbolethSp:
    """Apache + mod_shib + shibd at ``base_url``, trusting the portal whose metadata is
    ``portal_xml``; :meth:`start` it, :meth:`metadata` is what it publishes, :meth:`stop`."""

    portal_xml: bytes
    idp: IdentityProvider
    settings: Settings = field(default_factory=Settings)
    folder: Path = field(init=False)
    port: int = field(init=False)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Apache's workers run as www-data: pytest's tmp_path (0700 under root) is closed to them.
        self.folder = Path(tempfile.mkdtemp(prefix="tpn-shib-"))
        self.folder.chmod(0o755)
        self.port = free_port()
        self.app = make_server("127.0.0.1", 0, Application(self.settings), handler_class=_Quiet)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _write(self, name: str, text: str | bytes) -> None:
        path = self.folder / name
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        path.chmod(0o644)

    def start(self) -> None:
        key = keys.generate("Shibboleth SP")
        self._write("sp-key.pem", key.key_pem)
        self._write("sp-cert.pem", key.cert_pem)
        self._write("portal.xml", self.portal_xml)
        self._write("attribute-map.xml", ATTRIBUTE_MAP)
        self._write("attribute-policy.xml", ATTRIBUTE_POLICY)
        self._write("shibd.logger", LOGGER.format(path=self.folder / "shibd.log"))
        self._write("native.logger", LOGGER.format(path=self.folder / "native.log"))
        self._write(
            "shibboleth2.xml", _shibboleth2(self.folder, self.base_url, self.idp, self.settings)
        )
        self._write(
            "httpd.conf", _httpd(self.folder, self.port, self.app.server_port, self.settings)
        )
        # native.log is written by Apache's workers.
        (self.folder / "native.log").touch(mode=0o666)
        (self.folder / "native.log").chmod(0o666)
        threading.Thread(target=self.app.serve_forever, daemon=True).start()
        config = str(self.folder / "shibboleth2.xml")
        shibd = self._spawn(
            "shibd.err",
            [str(SHIBD), "-F", "-f", "-c", config, "-p", str(self.folder / "shibd.pid")],
        )
        self._wait(lambda: (self.folder / "shibd.sock").exists(), shibd, "shibd's socket")
        apache = self._spawn(
            "apache.err", [str(APACHE), "-f", str(self.folder / "httpd.conf"), "-DFOREGROUND"]
        )
        self._wait(self._answers, apache, "Apache")

    def _spawn(self, log: str, command: list[str]) -> subprocess.Popen[bytes]:
        with (self.folder / log).open("wb") as err:
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True
            )
        self.processes.append(process)
        return process

    def _answers(self) -> bool:
        try:
            requests.get(f"{self.base_url}/Shibboleth.sso/Metadata", timeout=2)
        except requests.ConnectionError:
            return False
        return True

    def _wait(self, ready: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not ready():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not come up:\n{self.logs()}")
            time.sleep(0.1)

    def metadata(self) -> bytes:
        """What the SP publishes at its metadata handler, as a vendor would hand it over."""
        answer = requests.get(f"{self.base_url}/Shibboleth.sso/Metadata", timeout=10)
        answer.raise_for_status()
        return answer.content

    def logs(self) -> str:
        """The tail of every log, for a failing test's message."""
        parts = []
        for name in ("shibd.err", "shibd.log", "apache.err", "error.log", "native.log"):
            path = self.folder / name
            if path.is_file():
                parts.append(f"--- {name}\n{path.read_text(errors='replace')[-12000:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.app.shutdown()
        self.app.server_close()
        if not os.environ.get("TPN_KEEP_SHIBBOLETH"):  # set it to read the logs after a run
            shutil.rmtree(self.folder, ignore_errors=True)
