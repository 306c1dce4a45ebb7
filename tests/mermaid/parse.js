// Reads a JSON array of Mermaid charts on standard input and prints a JSON
// array of the same length: null for a chart Mermaid's parser accepts, its
// error message otherwise. Mermaid needs a DOM (DOMPurify), so jsdom's.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaid = (await import("mermaid")).default;
mermaid.initialize({ startOnLoad: false });

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const chart of JSON.parse(input)) {
  try {
    await mermaid.parse(chart);
    results.push(null);
  } catch (e) {
    results.push(String(e && e.message ? e.message : e));
  }
}
process.stdout.write(JSON.stringify(results));
