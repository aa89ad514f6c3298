#!/usr/bin/env node
// A tiny form engine that is not Python: it delivers a tpn job's form into the archive with
// two raw SOAP requests and nothing more (no PDF, no register, no retries). The client
// conformance tests use it to show that a product in any language can be asked in each of the
// three ways: `tiny-engine.js deliver JOB.json` (exit status 0 on success) or
// `tiny-engine.js serve PORTFILE` (a webhook on 127.0.0.1; the port is written to PORTFILE).
"use strict";
const fs = require("fs");
const http = require("http");

const TYPES = "http://www.arkivverket.no/Noark4-1-WS-WD/types";

function esc(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function first(xml, name) {
  const m = new RegExp("<(?:\\w+:)?" + name + "(?:\\s[^>]*)?>([^<]*)</").exec(xml);
  return m ? m[1] : "";
}

async function call(archive, body, timeoutMs) {
  const envelope =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:n4="' + TYPES + '">' +
    "<s:Body>" + body + "</s:Body></s:Envelope>";
  const auth = Buffer.from(archive.user + ":" + archive.password).toString("base64");
  const answer = await fetch(archive.url, {
    method: "POST",
    headers: { "Content-Type": "text/xml; charset=utf-8", Authorization: "Basic " + auth },
    body: envelope,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await answer.text();
  if (answer.status !== 200 || /<(?:\w+:)?type>ERROR<|type="ERROR"/.test(text)) {
    throw new Error("the archive answered " + answer.status + ": " + text.slice(0, 300));
  }
  return text;
}

async function deliver(job) {
  const archive = job.services.archive;
  const xml = fs.readFileSync(job.files.document);
  const text = xml.toString("utf8");
  const ref = job.inputs.referanse;
  const title = job.inputs.tittel;
  const key = (tag) =>
    "<n4:" + tag + "><n4:eksternSystem>TINY</n4:eksternSystem><n4:nokkel>" + esc(ref) +
    "</n4:nokkel></n4:" + tag + ">";
  const timeoutMs = Number(process.env.TINY_TIMEOUT_MS || 5000);
  await call(
    archive,
    "<n4:PutNoarksakRequest><n4:noarksak><n4:saTittel>" + esc(title) + "</n4:saTittel>" +
      key("saEksternNokkel") + "</n4:noarksak></n4:PutNoarksakRequest>",
    timeoutMs,
  );
  await call(
    archive,
    "<n4:PutJournpostRequest><n4:journpost><n4:jpNdoktype>I</n4:jpNdoktype>" +
      "<n4:jpInnhold>" + esc(title) + "</n4:jpInnhold>" +
      key("jpEksternNokkel") + key("jpSaEksternNokkel") +
      "<n4:avsmot><n4:amIhtype>0</n4:amIhtype><n4:amNavn>" + esc(first(text, "navn")) +
      "</n4:amNavn></n4:avsmot>" +
      "<n4:dokument><n4:dlType>H</n4:dlType><n4:dbTittel>" + esc(title) + "</n4:dbTittel>" +
      "<n4:veDokformat>XML</n4:veDokformat><n4:fil><n4:base64>" + xml.toString("base64") +
      "</n4:base64></n4:fil><n4:veFilnavn>skjema.xml</n4:veFilnavn>" +
      "<n4:veMimeType>application/xml</n4:veMimeType></n4:dokument>" +
      "</n4:journpost></n4:PutJournpostRequest>",
    timeoutMs,
  );
}

async function main() {
  const [mode, arg] = process.argv.slice(2);
  if (mode === "deliver") {
    const job = JSON.parse(fs.readFileSync(arg || process.env.TPN_JOB, "utf8"));
    try {
      await deliver(job);
      console.log("delivered " + job.id);
    } catch (err) {
      console.error("failed " + job.id + ": " + err.message);
      process.exit(1);
    }
    return;
  }
  if (mode === "serve") {
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", async () => {
        let answer;
        try {
          await deliver(JSON.parse(body));
          answer = { success: true, detail: "delivered" };
        } catch (err) {
          answer = { success: false, detail: err.message };
        }
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify(answer));
      });
    });
    server.listen(0, "127.0.0.1", () => fs.writeFileSync(arg, String(server.address().port)));
    return;
  }
  console.error("usage: tiny-engine.js deliver JOB.json | serve PORTFILE");
  process.exit(2);
}

main();
