// A service provider built on @node-saml/node-saml (npm), as a vendor configures it, for the
// tests that certify it (tests/node_saml_support.py starts it and reads what it prints).
//
//   node node_saml_sp.js CONFIG.json
//
// CONFIG: the portal as read from the metadata `tpn sp portal-metadata` writes (entityId,
// ssoUrl, sloUrl, cert), the SP's key and certificate (PEM), and what the vendor configured:
// validateInResponseTo, acceptedClockSkewMs, audienceCheck, levelCheck, recipientCheck, level.
// It listens on 127.0.0.1 on a port the OS chooses and prints "listening PORT" once ready.
//
//   GET  /side      the protected page: logged in, or off to the portal with a signed request
//   POST /acs       the Response (HTTP-POST; the library has no artifact binding)
//   GET  /probe     "Innlogget: FNR" or "Ikke innlogget"
//   GET  /logout    a signed LogoutRequest to the portal
//   GET  /slo       the portal's LogoutResponse
//   GET  /metadata  the SP's metadata, as the library writes it
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const { SAML } = require("@node-saml/node-saml");
const { DOMParser } = require("@xmldom/xmldom");

const MAX_FORM = 256 * 1024; // a POSTed SAMLResponse is a few KiB
const PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
const SMARTCARD = "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI";
const SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion";

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const sessions = new Map(); // cookie -> {uid, profile}

// The control digits of a fødselsnummer or D-number (mod 11, weights as the standard gives
// them): node-saml hands over whatever uid was signed, checking it is the application's job.
function validPerson(uid) {
  if (!/^[0-9]{11}$/.test(uid)) return false;
  const digits = [...uid].map(Number);
  const control = (weights, n) => {
    const sum = weights.reduce((acc, w, i) => acc + w * digits[i], 0);
    const k = (11 - (sum % 11)) % 11;
    return k === 10 ? -1 : k;
  };
  return (
    control([3, 7, 6, 1, 8, 9, 4, 5, 2], 9) === digits[9] &&
    control([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], 10) === digits[10]
  );
}

// node-saml does not check SubjectConfirmationData's Recipient: the application reads it from
// the verified assertion the library hands back.
function recipientIsUs(profile, acs) {
  const xml = profile.getAssertionXml ? profile.getAssertionXml() : "";
  const doc = new DOMParser().parseFromString(xml, "text/xml");
  const data = doc.getElementsByTagNameNS(SAML_NS, "SubjectConfirmationData");
  return data.length > 0 && Array.from(data).every((d) => d.getAttribute("Recipient") === acs);
}

function cookies(req) {
  const out = {};
  for (const part of (req.headers.cookie || "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name) out[name] = rest.join("=");
  }
  return out;
}

function text(res, status, body, headers = {}) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...headers });
  res.end(body);
}

function redirect(res, location, headers = {}) {
  res.writeHead(302, { Location: location, ...headers });
  res.end();
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_FORM) {
        reject(new Error("for stort skjema"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(new URLSearchParams(Buffer.concat(chunks).toString("ascii"))));
    req.on("error", reject);
  });
}

function build(base) {
  return new SAML({
    entryPoint: config.idp.ssoUrl,
    logoutUrl: config.idp.sloUrl,
    idpCert: config.idp.cert,
    idpIssuer: config.idp.entityId,
    issuer: `${base}/metadata`,
    callbackUrl: `${base}/acs`,
    logoutCallbackUrl: `${base}/slo`,
    privateKey: config.sp.key,
    publicCert: config.sp.cert,
    signatureAlgorithm: "sha256",
    digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256",
    identifierFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
    authnContext: [config.level >= 4 ? SMARTCARD : PASSWORD],
    racComparison: "minimum",
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    validateInResponseTo: config.validateInResponseTo,
    requestIdExpirationPeriodMs: 5 * 60 * 1000,
    acceptedClockSkewMs: config.acceptedClockSkewMs,
    audience: config.audienceCheck ? `${base}/metadata` : false,
  });
}

async function route(saml, base, req, res) {
  const url = new URL(req.url, base);
  const session = sessions.get(cookies(req).nss_session || "");
  if (url.pathname === "/side" && req.method === "GET") {
    if (session) return text(res, 200, `Velkommen, ${session.uid}`);
    return redirect(res, await saml.getAuthorizeUrlAsync("/side", undefined, {}));
  }
  if (url.pathname === "/probe") {
    return text(res, 200, session ? `Innlogget: ${session.uid}` : "Ikke innlogget");
  }
  if (url.pathname === "/metadata") {
    res.writeHead(200, { "Content-Type": "application/samlmetadata+xml" });
    return res.end(saml.generateServiceProviderMetadata(null, config.sp.cert));
  }
  if (url.pathname === "/acs" && req.method === "POST") {
    const form = await readForm(req);
    let profile;
    try {
      ({ profile } = await saml.validatePostResponseAsync({
        SAMLResponse: form.get("SAMLResponse") || "",
        RelayState: form.get("RelayState") || "",
      }));
    } catch (err) {
      return text(res, 403, `Innlogging avvist: ${err.message}`);
    }
    if (!profile) return text(res, 403, "Innlogging avvist: ingen innlogging");
    const uid = String(profile.uid || "");
    const level = Number(profile.SecurityLevel);
    // What node-saml leaves to its user: the level, the uid, and (here) the Recipient.
    if (config.levelCheck && !(level >= config.level)) {
      return text(res, 403, `Innlogging avvist: nivå ${profile.SecurityLevel}`);
    }
    if (!validPerson(uid)) return text(res, 403, "Innlogging avvist: ugyldig fødselsnummer");
    if (config.recipientCheck && !recipientIsUs(profile, `${base}/acs`)) {
      return text(res, 403, "Innlogging avvist: feil mottaker");
    }
    const cookie = crypto.randomBytes(24).toString("base64url");
    sessions.set(cookie, { uid, profile });
    const relay = form.get("RelayState") || "/side";
    const local = relay.startsWith("/") && !relay.startsWith("//");
    return redirect(res, `${base}${local ? relay : "/side"}`, {
      "Set-Cookie": `nss_session=${cookie}; Path=/; HttpOnly`,
    });
  }
  if (url.pathname === "/logout" && session) {
    sessions.delete(cookies(req).nss_session);
    return redirect(res, await saml.getLogoutUrlAsync(session.profile, "/side", {}));
  }
  if (url.pathname === "/slo") {
    const query = Object.fromEntries(url.searchParams);
    try {
      await saml.validateRedirectAsync(query, url.search.slice(1));
    } catch (err) {
      return text(res, 400, `Utlogging avvist: ${err.message}`);
    }
    return redirect(res, `${base}/side`);
  }
  return text(res, 404, `no ${url.pathname} here`);
}

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const saml = build(base);
  server.on("request", (req, res) => {
    route(saml, base, req, res).catch((err) => {
      if (!res.headersSent) text(res, 400, `Avvist: ${err.message}`);
      else res.end();
    });
  });
  process.stdout.write(`listening ${server.address().port}\n`);
});
