// citeproc-js (npm `citeproc`, the CSL processor Zotero uses) as the reference for
// citations/tests/test_conformance.py.
//
// Reads JSON on stdin: one job {"style": <path to a .csl file>, "locale": <path to a
// locales-en-US.xml>, "items": [CSL-JSON items, each with its own "id"]}, or a list of jobs.
// Prints JSON: for one job, the bibliography entries' HTML, one string per item, in input
// order; for a list of jobs, a list of those lists. Entries are returned whole, with the
// style's citation number: the test strips it from both processors' output alike.
//
//   node citations/tests/citeproc_js.cjs < job.json

"use strict";

const fs = require("fs");
const CSL = require("citeproc");

function bibliography({ style, locale, items }) {
  const byId = new Map(items.map((item) => [String(item.id), item]));
  if (byId.size !== items.length) {
    throw new Error("every item needs its own id");
  }
  const localeXml = fs.readFileSync(locale, "utf8");
  const engine = new CSL.Engine(
    {
      retrieveLocale: () => localeXml,
      // citeproc-js may annotate what it is given: hand it a copy.
      retrieveItem: (id) => JSON.parse(JSON.stringify(byId.get(String(id)))),
    },
    fs.readFileSync(style, "utf8"),
    "en-US",
    true, // the locale given, whatever the style's default-locale says
  );
  engine.setOutputFormat("html");
  // Registered in input order: a numeric style numbers them so, one entry an item.
  engine.updateItems(items.map((item) => String(item.id)));
  const [params, entries] = engine.makeBibliography();
  if (params.bibliography_errors.length) {
    throw new Error(JSON.stringify(params.bibliography_errors));
  }
  const entryById = new Map(params.entry_ids.map((ids, index) => [String(ids[0]), entries[index]]));
  return items.map((item) => {
    const entry = entryById.get(String(item.id));
    if (entry === undefined) {
      throw new Error(`no bibliography entry for item ${item.id}`);
    }
    return entry;
  });
}

const job = JSON.parse(fs.readFileSync(0, "utf8"));
const result = Array.isArray(job) ? job.map(bibliography) : bibliography(job);
process.stdout.write(JSON.stringify(result));
