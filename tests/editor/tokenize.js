// Tokenises posture files with the grammar of editors/vscode, using the
// TextMate engine VS Code itself uses (vscode-textmate on the Oniguruma
// regular expressions of vscode-oniguruma).
//
//   node tokenize.js FILE...
//
// Prints JSON: [{ "file": FILE, "lines": [[{ "text", "scopes" }, ...], ...] }].
'use strict';

const fs = require('fs');
const path = require('path');
const oniguruma = require('vscode-oniguruma');
const textmate = require('vscode-textmate');

const GRAMMAR = path.join(__dirname, '..', '..', 'editors', 'vscode', 'syntaxes', 'aml.tmLanguage.json');

async function main(files) {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === 'source.aml'
        ? textmate.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR)
        : null,
  });
  const grammar = await registry.loadGrammar('source.aml');
  const out = [];
  for (const file of files) {
    let text = fs.readFileSync(file, 'utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let stack = textmate.INITIAL;
    const lines = [];
    for (const line of text.split(/\r?\n/)) {
      const r = grammar.tokenizeLine(line, stack);
      lines.push(r.tokens.map((t) => ({
        text: line.slice(t.startIndex, Math.min(t.endIndex, line.length)),
        scopes: t.scopes,
      })).filter((t) => t.text.length > 0));
      stack = r.ruleStack;
    }
    out.push({ file, lines });
  }
  process.stdout.write(JSON.stringify(out));
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e);
  process.exit(1);
});
